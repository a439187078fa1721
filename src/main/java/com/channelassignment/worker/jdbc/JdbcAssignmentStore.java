package com.channelassignment.worker.jdbc;

import com.channelassignment.worker.application.AssignmentStore;
import com.channelassignment.worker.application.BatchLookups;
import com.channelassignment.worker.application.BatchWrites;
import com.channelassignment.worker.application.ChannelRef;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.application.ConcurrentRequestException;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.application.IdentityKey;
import com.channelassignment.worker.application.LoadedBatch;
import com.channelassignment.worker.application.PartitionRef;
import com.channelassignment.worker.application.ProcessedRequest;
import com.channelassignment.worker.application.RecordPosition;
import com.channelassignment.worker.application.RequestKey;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.PhoneNumberType;
import com.channelassignment.worker.domain.RejectionCode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.postgresql.util.PSQLException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcOperations;

/**
 * PostgreSQL storage of a batch. Every statement takes whole arrays as {@code unnest} relations, and statements that
 * can share a round trip go out together as one pipeline, so a batch costs the same six round trips (four to lock and
 * read, one to write, the commit) whatever its size. Rows are locked in one fixed order (identities by organization
 * and handle, channels by id) so concurrent batches cannot deadlock.
 */
public class JdbcAssignmentStore implements AssignmentStore {

    // Transaction-local settings. Every statement of a batch is a key lookup with an index made for it, but the
    // planner only knows that while its statistics are fresh: during a burst into tables that were empty a minute
    // ago, it planned sequential scans and hash joins that took seconds per batch. Index nested loops are right at
    // any table size, so the batch transaction rules the others out. Bitmap scans too: a profile showed them building
    // a bitmap for every single-row probe, 12% of the database's CPU during a burst.
    private static final String CONFIGURE_TRANSACTION = """
            SELECT set_config('lock_timeout', ?, true), set_config('statement_timeout', ?, true),
                   set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true),
                   set_config('enable_mergejoin', 'off', true), set_config('enable_material', 'off', true),
                   set_config('enable_bitmapscan', 'off', true)
            """;

    // ON CONFLICT DO UPDATE locks the existing row; ORDER BY fixes the locking order across workers. Progress recorded
    // under another topic id counts offsets of a deleted topic of the same name, so it starts again from 0; an unknown
    // id on either side (NULL) keeps the progress.
    private static final String LOCK_PARTITIONS = """
            INSERT INTO partition_progress (topic, partition_number, next_offset, updated_at, topic_id)
            SELECT p.topic, p.partition_number, 0, now(), p.topic_id
              FROM unnest(?::text[], ?::int[], ?::text[]) AS p(topic, partition_number, topic_id)
             ORDER BY p.topic, p.partition_number
            ON CONFLICT (topic, partition_number) DO UPDATE
               SET next_offset = CASE WHEN partition_progress.topic_id <> EXCLUDED.topic_id THEN 0
                                      ELSE partition_progress.next_offset END,
                   topic_id = COALESCE(EXCLUDED.topic_id, partition_progress.topic_id)
            RETURNING topic, partition_number, next_offset
            """;

    private static final String FIND_PROCESSED = """
            SELECT p.organization_id, p.request_id, p.fingerprint, p.event_id, p.status, p.rejection_code,
                   p.correlation_id, p.outcome, p.source_topic, p.source_partition, p.source_offset, p.processed_at
              FROM unnest(?::text[], ?::text[]) AS wanted(organization_id, request_id)
             CROSS JOIN LATERAL (SELECT * FROM processed_requests
                                  WHERE organization_id = wanted.organization_id AND request_id = wanted.request_id
                                 OFFSET 0) p
            """;

    // One probe of the live-handle index per key, locking as it finds: a subquery with FOR NO KEY UPDATE is never
    // flattened, and the nested loop locks in the order of the keys array, which the caller sorts, so every worker
    // locks identities in the same order and batches cannot deadlock.
    private static final String LOCK_IDENTITIES = """
            SELECT i.id, i.organization_id, i.agent_handle, i.status, i.created_at, i.updated_at
              FROM unnest(?::text[], ?::text[]) AS k(organization_id, agent_handle)
             CROSS JOIN LATERAL (SELECT id, organization_id, agent_handle, status, created_at, updated_at
                                   FROM identities
                                  WHERE organization_id = k.organization_id AND agent_handle = k.agent_handle
                                    AND status <> 'deleted'
                                    FOR NO KEY UPDATE) i
            """;

    // The mailboxes and phone numbers the requests name, each within the request's organization, locked. Each CTE
    // sorts before it locks, so every worker locks in (organization, id) order.
    private static final String LOCK_CHANNELS = """
            WITH wanted_mailboxes AS (
                SELECT id, organization_id, email_address, display_name, deleted, created_at, updated_at
                  FROM mailboxes
                 WHERE (organization_id, id) IN (SELECT * FROM unnest(?::text[], ?::uuid[]))
                 ORDER BY organization_id, id
                   FOR NO KEY UPDATE),
            wanted_phone_numbers AS (
                SELECT id, organization_id, number, type, status, created_at, updated_at
                  FROM phone_numbers
                 WHERE (organization_id, id) IN (SELECT * FROM unnest(?::text[], ?::uuid[]))
                 ORDER BY organization_id, id
                   FOR NO KEY UPDATE)
            SELECT 'MAILBOX' AS channel_type, id, organization_id, created_at, updated_at,
                   email_address, display_name, deleted, NULL AS number, NULL AS type, NULL AS status
              FROM wanted_mailboxes
            UNION ALL
            SELECT 'PHONE_NUMBER', id, organization_id, created_at, updated_at,
                   NULL, NULL, NULL, number, type, status
              FROM wanted_phone_numbers
            """;

    // Each element of an array is looked up through a LATERAL subquery fenced with OFFSET 0 (so the planner cannot
    // flatten and reorder it), which makes every lookup an index probe whatever the planner believes about the
    // table; in LOCK_IDENTITIES the locking clause is the fence. "= ANY(array)" in a filter, an OR, a plain join and
    // an unfenced LATERAL were each planned during the benchmark as a scan comparing every row with every element of
    // the array: seconds per batch.

    // The links of the batch's identities and of its requested channels, each with the channel it names. Read after
    // the locks, in a statement of its own: a statement sees what was committed when it started, and a link committed
    // while this batch waited for a lock must not be missed. The channels held by the identities come with their links
    // unlocked (their detail goes on the outcome): a held channel's link only changes under its identity's lock, which
    // the batch already has, and any other batch that requests it sees the link and refuses.
    private static final String LINKS_WITH_CHANNELS = """
            WITH links AS (
                SELECT a.identity_id, a.organization_id, a.channel_type, a.channel_id
                  FROM unnest(?::text[], ?::uuid[]) AS held(organization_id, identity_id)
                 CROSS JOIN LATERAL (SELECT * FROM channel_assignments
                                      WHERE organization_id = held.organization_id AND identity_id = held.identity_id
                                     OFFSET 0) a
                UNION
                SELECT a.identity_id, a.organization_id, a.channel_type, a.channel_id
                  FROM unnest(?::text[], ?::uuid[]) AS wanted(organization_id, channel_id)
                 CROSS JOIN LATERAL (SELECT * FROM channel_assignments
                                      WHERE organization_id = wanted.organization_id AND channel_type = 'MAILBOX'
                                        AND channel_id = wanted.channel_id OFFSET 0) a
                UNION
                SELECT a.identity_id, a.organization_id, a.channel_type, a.channel_id
                  FROM unnest(?::text[], ?::uuid[]) AS wanted(organization_id, channel_id)
                 CROSS JOIN LATERAL (SELECT * FROM channel_assignments
                                      WHERE organization_id = wanted.organization_id AND channel_type = 'PHONE_NUMBER'
                                        AND channel_id = wanted.channel_id OFFSET 0) a)
            SELECT l.identity_id, l.organization_id AS link_organization_id, l.channel_type, l.channel_id,
                   c.id, c.organization_id, c.created_at, c.updated_at,
                   c.email_address, c.display_name, c.deleted, c.number, c.type, c.status
              FROM links l
              LEFT JOIN LATERAL (
                   SELECT id, organization_id, created_at, updated_at, email_address, display_name, deleted,
                          NULL AS number, NULL AS type, NULL AS status
                     FROM mailboxes
                    WHERE l.channel_type = 'MAILBOX' AND organization_id = l.organization_id AND id = l.channel_id
                   UNION ALL
                   SELECT id, organization_id, created_at, updated_at, NULL, NULL, NULL, number, type, status
                     FROM phone_numbers
                    WHERE l.channel_type = 'PHONE_NUMBER' AND organization_id = l.organization_id
                      AND id = l.channel_id
                   OFFSET 0) c ON true
            """;

    // A plain insert, not ON CONFLICT DO NOTHING: the batch looked its ids up after taking its locks, so a
    // conflict needs another worker recording the same id from another partition at the same moment, and ON CONFLICT
    // would pay a second index probe on every row for it. The violation aborts the transaction, which is what the
    // batch wants anyway: it rolls back and is retried, and the retry replays the other worker's outcome.
    private static final String INSERT_PROCESSED = """
            INSERT INTO processed_requests (organization_id, request_id, fingerprint, event_id, status, rejection_code,
                                            correlation_id, outcome, source_topic, source_partition, source_offset,
                                            processed_at)
            SELECT r.organization_id, r.request_id, r.fingerprint, r.event_id, r.status, r.rejection_code,
                   r.correlation_id, r.outcome, r.source_topic, r.source_partition, r.source_offset, ?
              FROM unnest(?::text[], ?::text[], ?::bytea[], ?::uuid[], ?::text[], ?::text[], ?::text[],
                          ?::bytea[], ?::text[], ?::int[], ?::bigint[])
                AS r(organization_id, request_id, fingerprint, event_id, status, rejection_code, correlation_id,
                     outcome, source_topic, source_partition, source_offset)
            """;

    private static final String DELETE_LINKS = """
            DELETE FROM channel_assignments a
             USING unnest(?::text[], ?::uuid[], ?::text[], ?::uuid[])
                   AS d(organization_id, identity_id, channel_type, channel_id)
             WHERE a.organization_id = d.organization_id AND a.identity_id = d.identity_id
               AND a.channel_type = d.channel_type AND a.channel_id = d.channel_id
            """;

    private static final String INSERT_LINKS = """
            INSERT INTO channel_assignments (identity_id, organization_id, channel_type, channel_id, assigned_at)
            SELECT l.identity_id, l.organization_id, l.channel_type, l.channel_id, ?
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::uuid[])
                AS l(identity_id, organization_id, channel_type, channel_id)
            """;

    private static final String TOUCH_IDENTITIES = """
            UPDATE identities i SET updated_at = ?
              FROM unnest(?::text[], ?::uuid[]) AS t(organization_id, id)
             WHERE i.organization_id = t.organization_id AND i.id = t.id
            """;

    private static final String ADVANCE_PARTITIONS = """
            UPDATE partition_progress p
               SET next_offset = GREATEST(p.next_offset, x.next_offset), updated_at = ?
              FROM unnest(?::text[], ?::int[], ?::bigint[]) AS x(topic, partition_number, next_offset)
             WHERE p.topic = x.topic AND p.partition_number = x.partition_number
            """;

    // A pipeline is one round trip: pgjdbc sends a multi-statement query as Parse, Bind and Execute for each statement
    // and one Sync at the end, and PostgreSQL runs the statements in order, each with a snapshot of its own. pgjdbc
    // writes every statement before it reads any result, so only a pipeline's last statement may return more than a
    // few rows: rows that filled the socket buffers while the driver was still writing the next statement's arrays
    // would leave both sides waiting for the other for good (pgjdbc issue 194). Hence the settings and the
    // partitions' progress go with the identity locks, the writes (which return only counts) go together, and the
    // other reads go one by one.
    private static final String LOCK_PARTITIONS_AND_IDENTITIES = String.join(";\n", CONFIGURE_TRANSACTION,
            LOCK_PARTITIONS, LOCK_IDENTITIES);
    // The idempotency records go first: if another transaction recorded one of the ids, nothing else runs.
    private static final String SAVE = String.join(";\n", INSERT_PROCESSED, DELETE_LINKS, INSERT_LINKS,
            TOUCH_IDENTITIES, ADVANCE_PARTITIONS);
    private static final String PROCESSED_REQUESTS = "processed_requests";

    // Java's String order, not the database's collation: what matters is that every worker sorts the same way.
    private static final Comparator<IdentityKey> IDENTITY_LOCK_ORDER =
            Comparator.comparing(IdentityKey::organizationId).thenComparing(IdentityKey::agentHandle);

    private final JdbcOperations jdbc;
    private final Duration lockTimeout;
    private final Duration statementTimeout;

    public JdbcAssignmentStore(JdbcOperations jdbc, Duration lockTimeout, Duration statementTimeout) {
        this.jdbc = jdbc;
        this.lockTimeout = lockTimeout;
        this.statementTimeout = statementTimeout;
    }

    @Override
    public LoadedBatch lockAndLoad(BatchLookups lookups) {
        List<IdentityKey> lockOrder = lookups.identities().stream().sorted(IDENTITY_LOCK_ORDER).toList();
        List<PartitionRef> partitions = List.copyOf(lookups.partitions());
        Map<PartitionRef, Long> offsets = new HashMap<>();
        List<Identity> identities = new ArrayList<>();
        jdbc.execute(LOCK_PARTITIONS_AND_IDENTITIES, (PreparedStatement statement) -> {
            // Transaction-local, so the limits hold for exactly this batch: both stay well below the Kafka
            // transaction timeout, and a lock held by a stuck worker fails this batch (retried) instead of hanging it.
            bind(statement, lockTimeout.toMillis() + "ms", statementTimeout.toMillis() + "ms",
                    partitions.stream().map(PartitionRef::topic).toArray(String[]::new),
                    partitions.stream().map(PartitionRef::partition).toArray(Integer[]::new),
                    partitions.stream().map(partition -> lookups.topicIds().get(partition.topic()))
                            .toArray(String[]::new),
                    lockOrder.stream().map(IdentityKey::organizationId).toArray(String[]::new),
                    lockOrder.stream().map(IdentityKey::agentHandle).toArray(String[]::new));
            PipelineResults results = new PipelineResults(statement);
            results.nextRows(); // the settings
            for (ResultSet rs = results.nextRows(); rs.next(); ) {
                offsets.put(new PartitionRef(rs.getString("topic"), rs.getInt("partition_number")),
                        rs.getLong("next_offset"));
            }
            for (ResultSet rs = results.nextRows(); rs.next(); ) {
                identities.add(identity(rs));
            }
            return null;
        });
        List<ChannelRef> mailboxes = List.copyOf(lookups.channels(ChannelType.MAILBOX));
        List<ChannelRef> phoneNumbers = List.copyOf(lookups.channels(ChannelType.PHONE_NUMBER));
        // Keyed by organization too: a channel id names a channel only within its organization.
        Map<List<Object>, Channel> channels = new LinkedHashMap<>();
        jdbc.query(LOCK_CHANNELS, (ResultSet rs) -> {
            Channel channel = channel(rs);
            channels.put(channelKey(channel), channel);
        }, organizationsOf(mailboxes), idsOf(mailboxes), organizationsOf(phoneNumbers), idsOf(phoneNumbers));
        List<ChannelLink> links = new ArrayList<>();
        jdbc.query(LINKS_WITH_CHANNELS, (ResultSet rs) -> {
            links.add(link(rs));
            if (rs.getObject("id") != null) {
                // A requested channel was read twice; the locked read is the one that counts.
                Channel named = channel(rs);
                channels.putIfAbsent(channelKey(named), named);
            }
        }, identities.stream().map(Identity::organizationId).toArray(String[]::new),
                uuidTexts(identities.stream().map(Identity::id).toList()),
                organizationsOf(mailboxes), idsOf(mailboxes), organizationsOf(phoneNumbers), idsOf(phoneNumbers));
        return new LoadedBatch(offsets, new DirectoryRows(identities, List.copyOf(channels.values()), links),
                findProcessedRequests(lookups.requestKeys()));
    }

    private Map<RequestKey, ProcessedRequest> findProcessedRequests(Collection<RequestKey> requestKeys) {
        Map<RequestKey, ProcessedRequest> found = new HashMap<>();
        if (!requestKeys.isEmpty()) {
            jdbc.query(FIND_PROCESSED, (ResultSet rs) -> {
                ProcessedRequest processed = processedRequest(rs);
                found.put(processed.key(), processed);
            }, requestKeys.stream().map(RequestKey::organizationId).toArray(String[]::new),
                    requestKeys.stream().map(RequestKey::requestId).toArray(String[]::new));
        }
        return found;
    }

    private static List<Object> channelKey(Channel channel) {
        return List.of(channel.organizationId(), channel.type(), channel.id());
    }

    private static String[] organizationsOf(List<ChannelRef> channels) {
        return channels.stream().map(ChannelRef::organizationId).toArray(String[]::new);
    }

    private static String[] idsOf(List<ChannelRef> channels) {
        return uuidTexts(channels.stream().map(ChannelRef::id).toList());
    }

    @Override
    public void save(BatchWrites writes) {
        Timestamp at = Timestamp.from(writes.writtenAt());
        List<ProcessedRequest> requests = writes.processedRequests();
        List<ChannelLink> removed = List.copyOf(writes.removedLinks());
        List<ChannelLink> added = List.copyOf(writes.addedLinks());
        List<Map.Entry<PartitionRef, Long>> offsets = List.copyOf(writes.nextOffsets().entrySet());
        try {
            jdbc.execute(SAVE, (PreparedStatement statement) -> {
                bind(statement,
                        at, requests.stream().map(request -> request.key().organizationId()).toArray(String[]::new),
                        requests.stream().map(ProcessedRequest::requestId).toArray(String[]::new),
                        requests.stream().map(ProcessedRequest::fingerprint).toArray(byte[][]::new),
                        uuidTexts(requests.stream().map(ProcessedRequest::eventId).toList()),
                        requests.stream().map(request -> request.status().name()).toArray(String[]::new),
                        requests.stream().map(request -> request.rejectionCode() == null ? null
                                : request.rejectionCode().name()).toArray(String[]::new),
                        requests.stream().map(ProcessedRequest::correlationId).toArray(String[]::new),
                        requests.stream().map(ProcessedRequest::payload).toArray(byte[][]::new),
                        requests.stream().map(request -> request.position().topic()).toArray(String[]::new),
                        requests.stream().map(request -> request.position().partition()).toArray(Integer[]::new),
                        requests.stream().map(request -> request.position().offset()).toArray(Long[]::new),

                        removed.stream().map(ChannelLink::organizationId).toArray(String[]::new),
                        uuidTexts(removed.stream().map(ChannelLink::identityId).toList()),
                        removed.stream().map(link -> link.type().name()).toArray(String[]::new),
                        uuidTexts(removed.stream().map(ChannelLink::channelId).toList()),

                        at, uuidTexts(added.stream().map(ChannelLink::identityId).toList()),
                        added.stream().map(ChannelLink::organizationId).toArray(String[]::new),
                        added.stream().map(link -> link.type().name()).toArray(String[]::new),
                        uuidTexts(added.stream().map(ChannelLink::channelId).toList()),

                        at, writes.changedIdentities().stream().map(Identity::organizationId).toArray(String[]::new),
                        uuidTexts(writes.changedIdentities().stream().map(Identity::id).toList()),

                        at, offsets.stream().map(entry -> entry.getKey().topic()).toArray(String[]::new),
                        offsets.stream().map(entry -> entry.getKey().partition()).toArray(Integer[]::new),
                        offsets.stream().map(Map.Entry::getValue).toArray(Long[]::new));
                PipelineResults results = new PipelineResults(statement);
                results.nextUpdateCount();
                int deleted = results.nextUpdateCount();
                if (deleted != removed.size()) {
                    // Every removed link was read under the lock of its identity; a mismatch means a writer ignored
                    // the locking protocol, and applying on top of it could break the one-holder rule. The links are
                    // inserted by then, so this fails the transaction after the fact, unless the insert already failed
                    // on the same broken state; either way the batch is rolled back and is not retried as transient.
                    throw new IllegalStateException("expected to delete %d links, deleted %d"
                            .formatted(removed.size(), deleted));
                }
                return null;
            });
        } catch (DuplicateKeyException duplicate) {
            if (violatedTable(duplicate).filter(PROCESSED_REQUESTS::equals).isEmpty()) {
                throw duplicate;
            }
            // The primary key on (organization_id, request_id) is the table's only unique constraint. Rethrown, never carried on from:
            // the transaction is already aborted.
            throw new ConcurrentRequestException("a request id of this batch was recorded concurrently by another"
                    + " transaction: " + duplicate.getMostSpecificCause().getMessage(), duplicate);
        }
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }

    private static Optional<String> violatedTable(DuplicateKeyException duplicate) {
        if (duplicate.getMostSpecificCause() instanceof PSQLException error && error.getServerErrorMessage() != null) {
            return Optional.ofNullable(error.getServerErrorMessage().getTable());
        }
        return Optional.empty();
    }

    /** The results of a pipeline's statements, taken one statement at a time in the pipeline's order. */
    private static final class PipelineResults {

        private final PreparedStatement statement;
        private boolean executed;

        PipelineResults(PreparedStatement statement) {
            this.statement = statement;
        }

        ResultSet nextRows() throws SQLException {
            if (!advance()) {
                throw new IllegalStateException("the pipeline's next statement returned no rows");
            }
            return statement.getResultSet();
        }

        int nextUpdateCount() throws SQLException {
            if (advance() || statement.getUpdateCount() < 0) {
                throw new IllegalStateException("the pipeline's next statement returned no update count");
            }
            return statement.getUpdateCount();
        }

        private boolean advance() throws SQLException {
            if (!executed) {
                executed = true;
                return statement.execute();
            }
            return statement.getMoreResults();
        }
    }

    private static String[] uuidTexts(Collection<UUID> ids) {
        return ids.stream().map(UUID::toString).toArray(String[]::new);
    }

    private static ProcessedRequest processedRequest(ResultSet rs) throws SQLException {
        String rejectionCode = rs.getString("rejection_code");
        return new ProcessedRequest(
                new RequestKey(rs.getString("organization_id"), rs.getString("request_id")),
                rs.getBytes("fingerprint"),
                rs.getObject("event_id", UUID.class),
                OutcomeStatus.valueOf(rs.getString("status")),
                rejectionCode == null ? null : RejectionCode.valueOf(rejectionCode),
                rs.getString("correlation_id"),
                rs.getBytes("outcome"),
                new RecordPosition(rs.getString("source_topic"), rs.getInt("source_partition"),
                        rs.getLong("source_offset")),
                rs.getTimestamp("processed_at").toInstant());
    }

    private static Identity identity(ResultSet rs) throws SQLException {
        return new Identity(
                rs.getObject("id", UUID.class),
                rs.getString("organization_id"),
                rs.getString("agent_handle"),
                IdentityStatus.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    private static Channel channel(ResultSet rs) throws SQLException {
        ChannelType type = ChannelType.valueOf(rs.getString("channel_type"));
        if (type == ChannelType.MAILBOX) {
            return new Mailbox(
                    rs.getObject("id", UUID.class),
                    rs.getString("organization_id"),
                    rs.getString("email_address"),
                    rs.getString("display_name"),
                    rs.getBoolean("deleted"),
                    rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("updated_at").toInstant());
        }
        if (type != ChannelType.PHONE_NUMBER) {
            throw new IllegalStateException("no row mapping for channel type " + type);
        }
        return new PhoneNumber(
                rs.getObject("id", UUID.class),
                rs.getString("organization_id"),
                rs.getString("number"),
                PhoneNumberType.valueOf(rs.getString("type").toUpperCase(Locale.ROOT)),
                PhoneNumberStatus.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    private static ChannelLink link(ResultSet rs) throws SQLException {
        return new ChannelLink(
                rs.getObject("identity_id", UUID.class),
                rs.getString("link_organization_id"),
                ChannelType.valueOf(rs.getString("channel_type")),
                rs.getObject("channel_id", UUID.class));
    }
}
