package com.channelassignment.worker.jdbc;

import com.channelassignment.worker.application.AssignmentStore;
import com.channelassignment.worker.application.BatchWrites;
import com.channelassignment.worker.application.ChannelLink;
import com.channelassignment.worker.application.ConcurrentRequestException;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.application.IdentityKey;
import com.channelassignment.worker.application.PartitionRef;
import com.channelassignment.worker.application.ProcessedRequest;
import com.channelassignment.worker.application.RecordPosition;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcOperations;

/**
 * PostgreSQL storage of a batch. Every statement takes whole arrays as {@code unnest} relations, so a batch costs
 * the same dozen round trips whatever its size. Rows are locked in one fixed order (identities by organization and
 * handle, channels by id) so concurrent batches cannot deadlock.
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

    // ON CONFLICT DO UPDATE locks the existing row; ORDER BY fixes the locking order across workers.
    private static final String LOCK_PARTITIONS = """
            INSERT INTO partition_progress (topic, partition_number, next_offset, updated_at)
            SELECT p.topic, p.partition_number, 0, now()
              FROM unnest(?::text[], ?::int[]) AS p(topic, partition_number)
             ORDER BY p.topic, p.partition_number
            ON CONFLICT (topic, partition_number) DO UPDATE SET next_offset = partition_progress.next_offset
            RETURNING topic, partition_number, next_offset
            """;

    private static final String FIND_PROCESSED = """
            SELECT p.request_id, p.fingerprint, p.event_id, p.status, p.rejection_code, p.correlation_id, p.outcome,
                   p.source_topic, p.source_partition, p.source_offset, p.processed_at
              FROM unnest(?::text[]) AS wanted(request_id)
             CROSS JOIN LATERAL (SELECT * FROM processed_requests WHERE request_id = wanted.request_id OFFSET 0) p
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

    // Mailboxes and phone numbers by id, in one round trip: %1$s is the locking clause. The batch locks the channels its
    // requests name and reads without a lock the ones its identities hold (their detail goes on the outcome): a held
    // channel's link only changes under its identity's lock, which the batch already has, and any other batch that
    // requests it sees the link and refuses. Each CTE sorts before it locks, so every worker locks in id order.
    private static final String CHANNELS = """
            WITH wanted_mailboxes AS (
                SELECT id, organization_id, email_address, display_name, deleted, created_at, updated_at
                  FROM mailboxes
                 WHERE id IN (SELECT unnest(?::uuid[]))
                 ORDER BY id
                   %1$s),
            wanted_phone_numbers AS (
                SELECT id, organization_id, number, type, status, created_at, updated_at
                  FROM phone_numbers
                 WHERE id IN (SELECT unnest(?::uuid[]))
                 ORDER BY id
                   %1$s)
            SELECT 'MAILBOX' AS channel_type, id, organization_id, created_at, updated_at,
                   email_address, display_name, deleted, NULL AS number, NULL AS type, NULL AS status
              FROM wanted_mailboxes
            UNION ALL
            SELECT 'PHONE_NUMBER', id, organization_id, created_at, updated_at,
                   NULL, NULL, NULL, number, type, status
              FROM wanted_phone_numbers
            """;
    private static final String LOCK_CHANNELS = CHANNELS.formatted("FOR NO KEY UPDATE");
    private static final String READ_CHANNELS = CHANNELS.formatted("");

    // Each element of an array is looked up through a LATERAL subquery fenced with OFFSET 0 (so the planner cannot
    // flatten and reorder it), which makes every lookup an index probe whatever the planner believes about the
    // table; in LOCK_IDENTITIES the locking clause is the fence. "= ANY(array)" in a filter, an OR, a plain join and
    // an unfenced LATERAL were each planned during the benchmark as a scan comparing every row with every element of
    // the array: seconds per batch.

    private static final String FIND_LINKS = """
            SELECT a.identity_id, a.organization_id, a.channel_type, a.channel_id
              FROM unnest(?::uuid[]) AS held(identity_id)
             CROSS JOIN LATERAL (SELECT * FROM channel_assignments WHERE identity_id = held.identity_id OFFSET 0) a
            UNION
            SELECT a.identity_id, a.organization_id, a.channel_type, a.channel_id
              FROM unnest(?::uuid[]) AS wanted(channel_id)
             CROSS JOIN LATERAL (SELECT * FROM channel_assignments
                                  WHERE channel_type = 'MAILBOX' AND channel_id = wanted.channel_id OFFSET 0) a
            UNION
            SELECT a.identity_id, a.organization_id, a.channel_type, a.channel_id
              FROM unnest(?::uuid[]) AS wanted(channel_id)
             CROSS JOIN LATERAL (SELECT * FROM channel_assignments
                                  WHERE channel_type = 'PHONE_NUMBER' AND channel_id = wanted.channel_id OFFSET 0) a
            """;

    // A plain insert, not ON CONFLICT DO NOTHING: the batch looked its ids up after taking its locks, so a
    // conflict needs another worker recording the same id from another partition at the same moment, and ON CONFLICT
    // would pay a second index probe on every row for it. The violation aborts the transaction, which is what the
    // batch wants anyway: it rolls back and is retried, and the retry replays the other worker's outcome.
    private static final String INSERT_PROCESSED = """
            INSERT INTO processed_requests (request_id, fingerprint, event_id, status, rejection_code, correlation_id,
                                            outcome, source_topic, source_partition, source_offset, processed_at)
            SELECT r.request_id, r.fingerprint, r.event_id, r.status, r.rejection_code, r.correlation_id,
                   r.outcome, r.source_topic, r.source_partition, r.source_offset, ?
              FROM unnest(?::text[], ?::bytea[], ?::uuid[], ?::text[], ?::text[], ?::text[],
                          ?::bytea[], ?::text[], ?::int[], ?::bigint[])
                AS r(request_id, fingerprint, event_id, status, rejection_code, correlation_id,
                     outcome, source_topic, source_partition, source_offset)
            """;

    private static final String DELETE_LINKS = """
            DELETE FROM channel_assignments a
             USING unnest(?::uuid[], ?::text[], ?::uuid[]) AS d(identity_id, channel_type, channel_id)
             WHERE a.identity_id = d.identity_id AND a.channel_type = d.channel_type AND a.channel_id = d.channel_id
            """;

    private static final String INSERT_LINKS = """
            INSERT INTO channel_assignments (identity_id, organization_id, channel_type, channel_id, assigned_at)
            SELECT l.identity_id, l.organization_id, l.channel_type, l.channel_id, ?
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::uuid[])
                AS l(identity_id, organization_id, channel_type, channel_id)
            """;

    private static final String TOUCH_IDENTITIES = """
            UPDATE identities SET updated_at = ? WHERE id = ANY(?::uuid[])
            """;

    private static final String ADVANCE_PARTITIONS = """
            UPDATE partition_progress p
               SET next_offset = GREATEST(p.next_offset, x.next_offset), updated_at = ?
              FROM unnest(?::text[], ?::int[], ?::bigint[]) AS x(topic, partition_number, next_offset)
             WHERE p.topic = x.topic AND p.partition_number = x.partition_number
            """;

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
    public Map<PartitionRef, Long> lockPartitions(SortedSet<PartitionRef> partitions) {
        // Transaction-local, so the limits hold for exactly this batch: both stay well below the Kafka
        // transaction timeout, and a lock held by a stuck worker fails this batch (retried) instead of hanging it.
        jdbc.queryForList(CONFIGURE_TRANSACTION, lockTimeout.toMillis() + "ms", statementTimeout.toMillis() + "ms");
        Map<PartitionRef, Long> offsets = new HashMap<>();
        jdbc.query(LOCK_PARTITIONS, (ResultSet rs) -> {
            offsets.put(new PartitionRef(rs.getString("topic"), rs.getInt("partition_number")),
                    rs.getLong("next_offset"));
        }, partitions.stream().map(PartitionRef::topic).toArray(String[]::new),
                partitions.stream().map(PartitionRef::partition).toArray(Integer[]::new));
        return offsets;
    }

    @Override
    public Map<String, ProcessedRequest> findProcessedRequests(Collection<String> requestIds) {
        Map<String, ProcessedRequest> found = new HashMap<>();
        if (requestIds.isEmpty()) {
            return found;
        }
        jdbc.query(FIND_PROCESSED, (ResultSet rs) -> {
            ProcessedRequest processed = processedRequest(rs);
            found.put(processed.requestId(), processed);
        }, (Object) requestIds.toArray(String[]::new));
        return found;
    }

    @Override
    public DirectoryRows lockDirectory(Collection<IdentityKey> keys, Map<ChannelType, Collection<UUID>> channels) {
        List<IdentityKey> lockOrder = keys.stream().sorted(IDENTITY_LOCK_ORDER).toList();
        List<Identity> identities = jdbc.query(LOCK_IDENTITIES, (rs, row) -> identity(rs),
                lockOrder.stream().map(IdentityKey::organizationId).toArray(String[]::new),
                lockOrder.stream().map(IdentityKey::agentHandle).toArray(String[]::new));
        String[] identityIds = identities.stream().map(identity -> identity.id().toString()).toArray(String[]::new);
        String[] mailboxIds = uuidTexts(channels.getOrDefault(ChannelType.MAILBOX, List.of()));
        String[] phoneNumberIds = uuidTexts(channels.getOrDefault(ChannelType.PHONE_NUMBER, List.of()));

        List<Channel> loadedChannels = new ArrayList<>(jdbc.query(LOCK_CHANNELS, (rs, row) -> channel(rs),
                mailboxIds, phoneNumberIds));
        // Read after the locks, in a statement of its own: a statement sees what was committed when it started, and
        // a link committed while this batch waited for a lock must not be missed.
        List<ChannelLink> links = jdbc.query(FIND_LINKS, (rs, row) -> link(rs), identityIds, mailboxIds,
                phoneNumberIds);
        // The channels held by the batch's identities that no request named, each read once.
        Map<ChannelType, Set<UUID>> held = new EnumMap<>(ChannelType.class);
        for (ChannelType type : ChannelType.values()) {
            held.put(type, new LinkedHashSet<>());
        }
        links.forEach(link -> held.get(link.type()).add(link.channelId()));
        loadedChannels.forEach(channel -> held.get(channel.type()).remove(channel.id()));
        if (held.values().stream().anyMatch(ids -> !ids.isEmpty())) {
            loadedChannels.addAll(jdbc.query(READ_CHANNELS, (rs, row) -> channel(rs),
                    uuidTexts(held.get(ChannelType.MAILBOX)), uuidTexts(held.get(ChannelType.PHONE_NUMBER))));
        }
        return new DirectoryRows(identities, loadedChannels, links);
    }

    @Override
    public void save(BatchWrites writes) {
        Timestamp at = Timestamp.from(writes.writtenAt());
        insertProcessedRequests(writes.processedRequests(), at);
        if (!writes.removedLinks().isEmpty()) {
            List<ChannelLink> removed = List.copyOf(writes.removedLinks());
            int deleted = jdbc.update(DELETE_LINKS, uuidTexts(removed.stream().map(ChannelLink::identityId).toList()),
                    removed.stream().map(link -> link.type().name()).toArray(String[]::new),
                    uuidTexts(removed.stream().map(ChannelLink::channelId).toList()));
            if (deleted != removed.size()) {
                // Every removed link was read under the lock of its identity; a mismatch means a writer ignored the
                // locking protocol, and applying on top of it could break the one-holder rule.
                throw new IllegalStateException("expected to delete %d links, deleted %d"
                        .formatted(removed.size(), deleted));
            }
        }
        if (!writes.addedLinks().isEmpty()) {
            List<ChannelLink> added = List.copyOf(writes.addedLinks());
            jdbc.update(INSERT_LINKS, at, uuidTexts(added.stream().map(ChannelLink::identityId).toList()),
                    added.stream().map(ChannelLink::organizationId).toArray(String[]::new),
                    added.stream().map(link -> link.type().name()).toArray(String[]::new),
                    uuidTexts(added.stream().map(ChannelLink::channelId).toList()));
        }
        if (!writes.changedIdentities().isEmpty()) {
            jdbc.update(TOUCH_IDENTITIES, at, uuidTexts(writes.changedIdentities()));
        }
        List<Map.Entry<PartitionRef, Long>> offsets = List.copyOf(writes.nextOffsets().entrySet());
        if (!offsets.isEmpty()) {
            jdbc.update(ADVANCE_PARTITIONS, at,
                    offsets.stream().map(entry -> entry.getKey().topic()).toArray(String[]::new),
                    offsets.stream().map(entry -> entry.getKey().partition()).toArray(Integer[]::new),
                    offsets.stream().map(Map.Entry::getValue).toArray(Long[]::new));
        }
    }

    private void insertProcessedRequests(List<ProcessedRequest> requests, Timestamp at) {
        if (requests.isEmpty()) {
            return;
        }
        try {
            jdbc.update(INSERT_PROCESSED, at,
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
                    requests.stream().map(request -> request.position().offset()).toArray(Long[]::new));
        } catch (DuplicateKeyException recordedConcurrently) {
            // The primary key on request_id is the table's only unique constraint. Rethrown, never carried on from:
            // the transaction is already aborted.
            throw new ConcurrentRequestException("a request id of this batch was recorded concurrently by another"
                    + " transaction: " + recordedConcurrently.getMostSpecificCause().getMessage(),
                    recordedConcurrently);
        }
    }

    private static String[] uuidTexts(Collection<UUID> ids) {
        return ids.stream().map(UUID::toString).toArray(String[]::new);
    }

    private static ProcessedRequest processedRequest(ResultSet rs) throws SQLException {
        String rejectionCode = rs.getString("rejection_code");
        return new ProcessedRequest(
                rs.getString("request_id"),
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
        if (ChannelType.valueOf(rs.getString("channel_type")) == ChannelType.MAILBOX) {
            return new Mailbox(
                    rs.getObject("id", UUID.class),
                    rs.getString("organization_id"),
                    rs.getString("email_address"),
                    rs.getString("display_name"),
                    rs.getBoolean("deleted"),
                    rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("updated_at").toInstant());
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
                rs.getString("organization_id"),
                ChannelType.valueOf(rs.getString("channel_type")),
                rs.getObject("channel_id", UUID.class));
    }
}
