package com.channelassignment.worker.jdbc;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.Versioned;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcOperations;

/** For tests that check the database: every channel of every type as stored, read as the store reads it. */
public final class StoredChannels {

    private StoredChannels() {
    }

    /** Every channel of every channel table, with its version, mapped by {@link ChannelTable}. */
    public static List<Versioned<Channel>> all(JdbcOperations jdbc) {
        String everyTable = ChannelTable.ofEveryType().stream().map(ChannelTable::select)
                .collect(Collectors.joining(" UNION ALL "));
        return jdbc.query(everyTable,
                (rs, row) -> new Versioned<>(ChannelTable.channel(rs), rs.getLong("version")));
    }
}
