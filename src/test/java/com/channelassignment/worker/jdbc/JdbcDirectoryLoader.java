package com.channelassignment.worker.jdbc;

import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Versioned;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.springframework.jdbc.core.JdbcOperations;

/** For store-level tests only, without a broker: writes directory rows and links straight into the worker's tables. */
public class JdbcDirectoryLoader {

    private static final int CHUNK = 5_000;

    private static final String UPSERT_IDENTITIES = """
            INSERT INTO identities (id, organization_id, agent_handle, status, created_at, updated_at)
            SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[])
            ON CONFLICT (organization_id, id) DO UPDATE SET
                agent_handle = excluded.agent_handle, status = excluded.status,
                created_at = excluded.created_at, updated_at = excluded.updated_at
            """;

    private static final String INSERT_LINKS = """
            INSERT INTO channel_assignments (identity_id, organization_id, channel_type, channel_id, assigned_at)
            SELECT l.identity_id, l.organization_id, l.channel_type, l.channel_id, now()
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::uuid[])
                AS l(identity_id, organization_id, channel_type, channel_id)
            ON CONFLICT DO NOTHING
            """;

    private final JdbcOperations jdbc;

    public JdbcDirectoryLoader(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    public void load(DirectoryRows rows) {
        // The store's own statements, at version 0: the version a row gets without a directory change.
        List<Versioned<Channel>> channels = rows.channels().stream().map(channel -> new Versioned<>(channel, 0L))
                .toList();
        inChunks(rows.identities(), chunk -> jdbc.update(UPSERT_IDENTITIES,
                column(chunk, identity -> identity.id().toString()),
                column(chunk, Identity::organizationId),
                column(chunk, Identity::agentHandle),
                column(chunk, identity -> identity.status().name().toLowerCase(Locale.ROOT)),
                timestamps(chunk, Identity::createdAt),
                timestamps(chunk, Identity::updatedAt)));
        for (ChannelTable table : ChannelTable.ofEveryType()) {
            inChunks(channels, chunk -> {
                SqlStatement upsert = table.upsert(chunk);
                jdbc.update(upsert.sql(), upsert.parameters().toArray());
            });
        }
        inChunks(rows.links(), chunk -> jdbc.update(INSERT_LINKS,
                column(chunk, link -> link.identityId().toString()),
                column(chunk, ChannelLink::organizationId),
                column(chunk, link -> link.type().name()),
                column(chunk, link -> link.channelId().toString())));
    }

    private static <T> void inChunks(List<T> rows, java.util.function.Consumer<List<T>> write) {
        for (int from = 0; from < rows.size(); from += CHUNK) {
            write.accept(rows.subList(from, Math.min(rows.size(), from + CHUNK)));
        }
    }

    private static <T> String[] column(List<T> rows, Function<T, String> value) {
        return rows.stream().map(value).toArray(String[]::new);
    }

    private static <T> Timestamp[] timestamps(List<T> rows, Function<T, Instant> value) {
        return rows.stream().map(value).map(Timestamp::from).toArray(Timestamp[]::new);
    }
}
