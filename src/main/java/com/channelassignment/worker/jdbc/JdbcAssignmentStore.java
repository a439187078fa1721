package com.channelassignment.worker.jdbc;

import com.channelassignment.worker.application.AssignmentStore;
import com.channelassignment.worker.application.BatchLookups;
import com.channelassignment.worker.application.BatchWrites;
import com.channelassignment.worker.application.ChangeKey;
import com.channelassignment.worker.application.ChangeOutcome;
import com.channelassignment.worker.application.ChannelRef;
import com.channelassignment.worker.application.ConcurrentRequestException;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.application.IdentityKey;
import com.channelassignment.worker.application.IdentityRef;
import com.channelassignment.worker.application.LoadedBatch;
import com.channelassignment.worker.application.PartitionRef;
import com.channelassignment.worker.application.ProcessedRequest;
import com.channelassignment.worker.application.RecordPosition;
import com.channelassignment.worker.application.RequestKey;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.domain.Versioned;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.postgresql.util.PSQLException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * PostgreSQL storage of a batch. Every statement takes whole arrays as {@code unnest} relations, and statements that
 * can share a round trip go out together as one pipeline, so a batch costs the same six round trips (four to lock and
 * read, one to write, the commit) whatever its size. Rows are locked in one fixed order (identities by organization
 * and handle, channels by table, organization and id) so concurrent batches cannot deadlock.
 */
public class JdbcAssignmentStore implements AssignmentStore {

    // Transaction-local settings. Every statement of a batch is a key lookup with an index made for it, but the
    // planner only knows that while its statistics are fresh: on tables that were empty when last analyzed it plans
    // sequential scans and hash joins that take seconds per batch. Index nested loops are right at
    // any table size, so the batch transaction rules the others out. Bitmap scans too: they build a bitmap for every
    // single-row probe.
    private static final String CONFIGURE_TRANSACTION = """
            SELECT set_config('lock_timeout', ?, true), set_config('statement_timeout', ?, true),
                   set_config('idle_in_transaction_session_timeout', ?, true),
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
            SELECT i.id, i.organization_id, i.agent_handle, i.status, i.created_at, i.updated_at, i.version
              FROM unnest(?::text[], ?::text[]) AS k(organization_id, agent_handle)
             CROSS JOIN LATERAL (SELECT id, organization_id, agent_handle, status, created_at, updated_at, version
                                   FROM identities
                                  WHERE organization_id = k.organization_id AND agent_handle = k.agent_handle
                                    AND status <> 'deleted'
                                    FOR NO KEY UPDATE) i
            """;

    // The identities directory changes name by id, whatever their status (a deletion may name one already deleted, or
    // one not yet created), and the holders of the channels they change (a deleted channel's link ends, and its
    // holder's detail goes on the outcome). Locked in (organization, id) order; a batch that also locks identities by
    // handle took those locks first, in handle order, so two batches that both change identities can deadlock, which
    // PostgreSQL breaks and the retry resolves. A holder found here is looked up before the locks; a link that
    // changed meanwhile shows in the links read after them, and the batch fails and is retried.
    private static final String LOCK_IDENTITIES_BY_ID = """
            SELECT i.id, i.organization_id, i.agent_handle, i.status, i.created_at, i.updated_at, i.version
              FROM (SELECT named.organization_id, named.id
                      FROM unnest(?::text[], ?::uuid[]) AS named(organization_id, id)
                    UNION
                    SELECT a.organization_id, a.identity_id
                      FROM unnest(?::text[], ?::text[], ?::uuid[]) AS changed(organization_id, channel_type, channel_id)
                     CROSS JOIN LATERAL (SELECT organization_id, identity_id FROM channel_assignments
                                          WHERE organization_id = changed.organization_id
                                            AND channel_type = changed.channel_type
                                            AND channel_id = changed.channel_id
                                         OFFSET 0) a
                     ORDER BY 1, 2) k
             CROSS JOIN LATERAL (SELECT id, organization_id, agent_handle, status, created_at, updated_at, version
                                   FROM identities
                                  WHERE organization_id = k.organization_id AND id = k.id
                                    FOR NO KEY UPDATE) i
            """;

    private static final String FIND_CHANGE_OUTCOMES = """
            SELECT o.organization_id, o.change_id, o.channel_type, o.event_id, o.outcome, o.source_topic,
                   o.source_partition, o.source_offset, o.processed_at
              FROM unnest(?::text[], ?::text[]) AS wanted(organization_id, change_id)
             CROSS JOIN LATERAL (SELECT * FROM directory_change_outcomes
                                  WHERE organization_id = wanted.organization_id AND change_id = wanted.change_id
                                 OFFSET 0) o
             ORDER BY o.organization_id, o.change_id, o.channel_type
            """;

    // The channels the requests name, each within the request's organization, locked: one CTE per channel table, each
    // sorting before it locks, so every worker locks in (table, organization, id) order. One statement for every table,
    // in the shape all channel tables are read in (ChannelTable): a statement per table would return many rows each,
    // and only a pipeline's last statement may (Pipeline), so each would cost a round trip of its own.
    private static final String LOCK_CHANNELS = "WITH " + eachTable(",\n", table -> """
            locked_%s AS (
                %s
                 WHERE (organization_id, id) IN (SELECT * FROM unnest(?::text[], ?::uuid[]))
                 ORDER BY organization_id, id
                   FOR NO KEY UPDATE)""".formatted(table.table(), table.select()))
            + "\n" + eachTable("\nUNION ALL\n", table -> "SELECT * FROM locked_" + table.table());

    // Each element of an array is looked up through a LATERAL subquery fenced with OFFSET 0 (so the planner cannot
    // flatten and reorder it), which makes every lookup an index probe whatever the planner believes about the
    // table; in LOCK_IDENTITIES the locking clause is the fence. "= ANY(array)" in a filter, an OR, a plain join and
    // an unfenced LATERAL can each be planned as a scan comparing every row with every element of the array: seconds
    // per batch.

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
                  FROM unnest(?::text[], ?::text[], ?::uuid[]) AS wanted(organization_id, channel_type, channel_id)
                 CROSS JOIN LATERAL (SELECT * FROM channel_assignments
                                      WHERE organization_id = wanted.organization_id
                                        AND channel_type = wanted.channel_type AND channel_id = wanted.channel_id
                                     OFFSET 0) a)
            SELECT l.identity_id, l.organization_id AS link_organization_id, l.channel_type, l.channel_id,
                   c.id, c.organization_id, c.created_at, c.updated_at, c.version, c.detail
              FROM links l
              LEFT JOIN LATERAL (
                   %s
                   OFFSET 0) c ON true
            """.formatted(eachTable("\nUNION ALL\n", table -> table.select() + " WHERE l.channel_type = '"
                    + table.type().name() + "' AND organization_id = l.organization_id AND id = l.channel_id"));

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

    private static final String INSERT_CHANGE_OUTCOMES = """
            INSERT INTO directory_change_outcomes (organization_id, change_id, channel_type, event_id, outcome,
                                                   source_topic, source_partition, source_offset, processed_at)
            SELECT o.organization_id, o.change_id, o.channel_type, o.event_id, o.outcome, o.source_topic,
                   o.source_partition, o.source_offset, ?
              FROM unnest(?::text[], ?::text[], ?::text[], ?::uuid[], ?::bytea[], ?::text[], ?::int[], ?::bigint[])
                AS o(organization_id, change_id, channel_type, event_id, outcome, source_topic, source_partition,
                     source_offset)
            """;

    // The state directory changes carry (see ChannelTable for the channels). Deletions first: a handle a deleted
    // identity frees may be taken by another in the same batch, and the live-handle index is checked row by row.
    private static final String UPSERT_IDENTITIES = """
            INSERT INTO identities (id, organization_id, agent_handle, status, created_at, updated_at, version)
            SELECT u.id, u.organization_id, u.agent_handle, u.status, u.created_at, u.updated_at, u.version
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::bigint[])
                AS u(id, organization_id, agent_handle, status, created_at, updated_at, version)
             ORDER BY u.status <> 'deleted'
            ON CONFLICT (organization_id, id) DO UPDATE SET
                agent_handle = excluded.agent_handle, status = excluded.status, created_at = excluded.created_at,
                updated_at = excluded.updated_at, version = excluded.version
             WHERE identities.version < excluded.version
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

    private static final String PROCESSED_REQUESTS = "processed_requests";
    private static final String CHANGE_OUTCOMES = "directory_change_outcomes";

    // Java's String order, not the database's collation: what matters is that every worker sorts the same way.
    private static final Comparator<IdentityKey> IDENTITY_LOCK_ORDER =
            Comparator.comparing(IdentityKey::organizationId).thenComparing(IdentityKey::agentHandle);

    private final JdbcOperations jdbc;
    private final Duration lockTimeout;
    private final Duration statementTimeout;
    private final Duration idleInTransactionTimeout;

    public JdbcAssignmentStore(JdbcOperations jdbc, Duration lockTimeout, Duration statementTimeout,
            Duration idleInTransactionTimeout) {
        this.jdbc = jdbc;
        this.lockTimeout = lockTimeout;
        this.statementTimeout = statementTimeout;
        this.idleInTransactionTimeout = idleInTransactionTimeout;
    }

    // Only a pipeline's last statement may return many rows (Pipeline): the settings and the partitions' progress go
    // with the identity locks, and the other reads go one by one.
    @Override
    public LoadedBatch lockAndLoad(BatchLookups lookups) {
        List<IdentityKey> lockOrder = lookups.identities().stream().sorted(IDENTITY_LOCK_ORDER).toList();
        Map<PartitionRef, Long> offsets = new HashMap<>();
        // Keyed by organization too: ids name identities and channels only within their organization.
        Map<EntryRef, Identity> identities = new LinkedHashMap<>();
        Map<EntryRef, Long> versions = new HashMap<>();
        Pipeline.of(configureTransaction(), lockPartitions(lookups), lockIdentities(lockOrder)).run(jdbc, results -> {
            results.nextRows(); // the settings
            for (ResultSet rs = results.nextRows(); rs.next(); ) {
                offsets.put(new PartitionRef(rs.getString("topic"), rs.getInt("partition_number")),
                        rs.getLong("next_offset"));
            }
            for (ResultSet rs = results.nextRows(); rs.next(); ) {
                Identity identity = identity(rs);
                EntryRef entry = EntryRef.of(identity);
                identities.put(entry, identity);
                versions.put(entry, rs.getLong("version"));
            }
        });
        if (lookups.hasChanges()) {
            query(lockIdentitiesById(lookups), rs -> {
                Identity identity = identity(rs);
                EntryRef entry = EntryRef.of(identity);
                identities.put(entry, identity);
                versions.put(entry, rs.getLong("version"));
            });
        }
        Map<EntryRef, Channel> channels = new LinkedHashMap<>();
        query(lockChannels(lookups), rs -> {
            Channel channel = ChannelTable.channel(rs);
            EntryRef entry = EntryRef.of(channel);
            channels.put(entry, channel);
            versions.put(entry, rs.getLong("version"));
        });
        List<ChannelLink> links = new ArrayList<>();
        query(linksWithChannels(List.copyOf(identities.values()), lookups), rs -> {
            links.add(link(rs));
            if (rs.getObject("id") != null) {
                // A requested channel was read twice; the locked read is the one that counts.
                Channel named = ChannelTable.channel(rs);
                EntryRef entry = EntryRef.of(named);
                if (channels.putIfAbsent(entry, named) == null) {
                    versions.put(entry, rs.getLong("version"));
                }
            }
        });
        return new LoadedBatch(offsets, new DirectoryRows(List.copyOf(identities.values()),
                List.copyOf(channels.values()), links, versions),
                findProcessedRequests(List.copyOf(lookups.requestKeys())),
                findChangeOutcomes(List.copyOf(lookups.changeKeys())));
    }

    private Map<ChangeKey, List<ChangeOutcome>> findChangeOutcomes(List<ChangeKey> changeKeys) {
        Map<ChangeKey, List<ChangeOutcome>> found = new HashMap<>();
        if (!changeKeys.isEmpty()) {
            query(SqlStatement.of(FIND_CHANGE_OUTCOMES, texts(changeKeys, ChangeKey::organizationId),
                    texts(changeKeys, ChangeKey::changeId)), rs -> {
                ChangeOutcome outcome = changeOutcome(rs);
                found.computeIfAbsent(outcome.key(), key -> new ArrayList<>()).add(outcome);
            });
        }
        return found;
    }

    private Map<RequestKey, ProcessedRequest> findProcessedRequests(List<RequestKey> requestKeys) {
        Map<RequestKey, ProcessedRequest> found = new HashMap<>();
        if (!requestKeys.isEmpty()) {
            query(SqlStatement.of(FIND_PROCESSED, texts(requestKeys, RequestKey::organizationId),
                    texts(requestKeys, RequestKey::requestId)), rs -> {
                ProcessedRequest processed = processedRequest(rs);
                found.put(processed.key(), processed);
            });
        }
        return found;
    }

    // The writes return only counts, so they all go in one pipeline.
    @Override
    public void save(BatchWrites writes) {
        Timestamp at = Timestamp.from(writes.writtenAt());
        List<ChannelLink> removed = List.copyOf(writes.removedLinks());
        // The idempotency records go first: if another transaction recorded one of the ids, nothing else runs.
        // Directory entries before the links: a link may name an identity or channel a change of this batch created.
        List<SqlStatement> statements = new ArrayList<>(List.of(insertProcessed(writes.processedRequests(), at),
                deleteLinks(removed)));
        boolean changes = !writes.identityEntries().isEmpty() || !writes.channelEntries().isEmpty();
        if (changes) {
            statements.add(upsertIdentities(writes.identityEntries()));
            ChannelTable.ofEveryType().forEach(table -> statements.add(table.upsert(writes.channelEntries())));
            statements.add(insertChangeOutcomes(writes.changeOutcomes(), at));
        }
        statements.addAll(List.of(insertLinks(List.copyOf(writes.addedLinks()), at),
                touchIdentities(List.copyOf(writes.changedIdentities()), at),
                advancePartitions(List.copyOf(writes.nextOffsets().entrySet()), at)));
        Pipeline pipeline = new Pipeline(statements);
        try {
            pipeline.run(jdbc, results -> {
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
            });
        } catch (DuplicateKeyException duplicate) {
            if (violatedTable(duplicate).filter(table -> PROCESSED_REQUESTS.equals(table)
                    || CHANGE_OUTCOMES.equals(table)).isEmpty()) {
                throw duplicate;
            }
            // Each table's primary key (organization, request or change id) is its only unique constraint. Rethrown,
            // never carried on from: the transaction is already aborted.
            throw new ConcurrentRequestException("a request id of this batch was recorded concurrently by another"
                    + " transaction: " + duplicate.getMostSpecificCause().getMessage(), duplicate);
        }
    }

    // Each statement with its values, in the order of its placeholders. The arrays of one statement are taken from
    // one list, so they line up as the columns of its unnest relation.

    private SqlStatement configureTransaction() {
        // Transaction-local, so the limits hold for exactly this batch: they stay below the Kafka transaction
        // timeout, and a lock held by a stuck worker fails this batch (retried) instead of hanging it. The idle limit
        // is the other side of that: a worker frozen between two statements of its batch (a zombie) loses its
        // session, and with it the locks the partition's new owner waits for.
        return SqlStatement.of(CONFIGURE_TRANSACTION, lockTimeout.toMillis() + "ms",
                statementTimeout.toMillis() + "ms", idleInTransactionTimeout.toMillis() + "ms");
    }

    private static SqlStatement lockPartitions(BatchLookups lookups) {
        List<PartitionRef> partitions = List.copyOf(lookups.partitions());
        return SqlStatement.of(LOCK_PARTITIONS,
                texts(partitions, PartitionRef::topic),
                ints(partitions, PartitionRef::partition),
                texts(partitions, partition -> lookups.topicIds().get(partition.topic())));
    }

    private static SqlStatement lockIdentities(List<IdentityKey> lockOrder) {
        return SqlStatement.of(LOCK_IDENTITIES,
                texts(lockOrder, IdentityKey::organizationId),
                texts(lockOrder, IdentityKey::agentHandle));
    }

    private static SqlStatement lockIdentitiesById(BatchLookups lookups) {
        record Changed(ChannelType type, ChannelRef channel) {
        }
        List<IdentityRef> named = List.copyOf(lookups.changedIdentities());
        List<Changed> changed = ChannelTable.ofEveryType().stream().map(ChannelTable::type)
                .flatMap(type -> lookups.changedChannels(type).stream().map(channel -> new Changed(type, channel)))
                .toList();
        return SqlStatement.of(LOCK_IDENTITIES_BY_ID,
                texts(named, IdentityRef::organizationId),
                uuids(named, IdentityRef::id),
                texts(changed, one -> one.channel().organizationId()),
                texts(changed, one -> one.type().name()),
                uuids(changed, one -> one.channel().id()));
    }

    private static SqlStatement upsertIdentities(List<Versioned<Identity>> entries) {
        List<Identity> identities = entries.stream().map(Versioned::entry).toList();
        return SqlStatement.of(UPSERT_IDENTITIES,
                uuids(identities, Identity::id),
                texts(identities, Identity::organizationId),
                texts(identities, Identity::agentHandle),
                texts(identities, identity -> identity.status().name().toLowerCase(Locale.ROOT)),
                timestamps(identities, Identity::createdAt),
                timestamps(identities, Identity::updatedAt),
                longs(entries, Versioned::version));
    }

    private static SqlStatement insertChangeOutcomes(List<ChangeOutcome> outcomes, Timestamp at) {
        return SqlStatement.of(INSERT_CHANGE_OUTCOMES, at,
                texts(outcomes, outcome -> outcome.key().organizationId()),
                texts(outcomes, outcome -> outcome.key().changeId()),
                texts(outcomes, outcome -> outcome.channelType().name()),
                uuids(outcomes, ChangeOutcome::eventId),
                byteas(outcomes, ChangeOutcome::payload),
                texts(outcomes, outcome -> outcome.position().topic()),
                ints(outcomes, outcome -> outcome.position().partition()),
                longs(outcomes, outcome -> outcome.position().offset()));
    }

    private static SqlStatement lockChannels(BatchLookups lookups) {
        List<Object> parameters = new ArrayList<>();
        for (ChannelTable table : ChannelTable.ofEveryType()) {
            List<ChannelRef> requested = List.copyOf(lookups.channels(table.type()));
            parameters.add(texts(requested, ChannelRef::organizationId));
            parameters.add(uuids(requested, ChannelRef::id));
        }
        return new SqlStatement(LOCK_CHANNELS, parameters);
    }

    private static SqlStatement linksWithChannels(List<Identity> identities, BatchLookups lookups) {
        record Requested(ChannelType type, ChannelRef channel) {
        }
        List<Requested> requested = new ArrayList<>();
        for (ChannelTable table : ChannelTable.ofEveryType()) {
            for (ChannelRef channel : lookups.channels(table.type())) {
                requested.add(new Requested(table.type(), channel));
            }
        }
        return SqlStatement.of(LINKS_WITH_CHANNELS,
                texts(identities, Identity::organizationId),
                uuids(identities, Identity::id),
                texts(requested, wanted -> wanted.channel().organizationId()),
                texts(requested, wanted -> wanted.type().name()),
                uuids(requested, wanted -> wanted.channel().id()));
    }

    private static SqlStatement insertProcessed(List<ProcessedRequest> requests, Timestamp at) {
        return SqlStatement.of(INSERT_PROCESSED, at,
                texts(requests, request -> request.key().organizationId()),
                texts(requests, ProcessedRequest::requestId),
                byteas(requests, ProcessedRequest::fingerprint),
                uuids(requests, ProcessedRequest::eventId),
                texts(requests, request -> request.status().name()),
                texts(requests, request -> request.rejectionCode() == null ? null : request.rejectionCode().name()),
                texts(requests, ProcessedRequest::correlationId),
                byteas(requests, ProcessedRequest::payload),
                texts(requests, request -> request.position().topic()),
                ints(requests, request -> request.position().partition()),
                longs(requests, request -> request.position().offset()));
    }

    private static SqlStatement deleteLinks(List<ChannelLink> removed) {
        return SqlStatement.of(DELETE_LINKS,
                texts(removed, ChannelLink::organizationId),
                uuids(removed, ChannelLink::identityId),
                texts(removed, link -> link.type().name()),
                uuids(removed, ChannelLink::channelId));
    }

    private static SqlStatement insertLinks(List<ChannelLink> added, Timestamp at) {
        return SqlStatement.of(INSERT_LINKS, at,
                uuids(added, ChannelLink::identityId),
                texts(added, ChannelLink::organizationId),
                texts(added, link -> link.type().name()),
                uuids(added, ChannelLink::channelId));
    }

    private static SqlStatement touchIdentities(List<Identity> changed, Timestamp at) {
        return SqlStatement.of(TOUCH_IDENTITIES, at,
                texts(changed, Identity::organizationId),
                uuids(changed, Identity::id));
    }

    private static SqlStatement advancePartitions(List<Map.Entry<PartitionRef, Long>> offsets, Timestamp at) {
        return SqlStatement.of(ADVANCE_PARTITIONS, at,
                texts(offsets, offset -> offset.getKey().topic()),
                ints(offsets, offset -> offset.getKey().partition()),
                longs(offsets, Map.Entry::getValue));
    }

    private void query(SqlStatement statement, RowCallbackHandler rows) {
        jdbc.query(statement.sql(), rows, statement.parameters().toArray());
    }

    private static String eachTable(String separator, Function<ChannelTable, String> sql) {
        return ChannelTable.ofEveryType().stream().map(sql).collect(Collectors.joining(separator));
    }

    // The columns of every statement, built with loops rather than streams: each runs over every row of every batch.

    private static <T> String[] texts(List<T> rows, Function<T, String> column) {
        String[] values = new String[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.apply(rows.get(i));
        }
        return values;
    }

    // As text: the statements cast them with ::uuid[].
    private static <T> String[] uuids(List<T> rows, Function<T, UUID> column) {
        String[] values = new String[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.apply(rows.get(i)).toString();
        }
        return values;
    }

    private static <T> Integer[] ints(List<T> rows, Function<T, Integer> column) {
        Integer[] values = new Integer[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.apply(rows.get(i));
        }
        return values;
    }

    private static <T> Long[] longs(List<T> rows, Function<T, Long> column) {
        Long[] values = new Long[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.apply(rows.get(i));
        }
        return values;
    }

    private static <T> byte[][] byteas(List<T> rows, Function<T, byte[]> column) {
        byte[][] values = new byte[rows.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.apply(rows.get(i));
        }
        return values;
    }

    private static <T> Timestamp[] timestamps(List<T> rows, Function<T, Instant> column) {
        Timestamp[] values = new Timestamp[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = Timestamp.from(column.apply(rows.get(i)));
        }
        return values;
    }

    private static Optional<String> violatedTable(DuplicateKeyException duplicate) {
        if (duplicate.getMostSpecificCause() instanceof PSQLException error && error.getServerErrorMessage() != null) {
            return Optional.ofNullable(error.getServerErrorMessage().getTable());
        }
        return Optional.empty();
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

    private static ChangeOutcome changeOutcome(ResultSet rs) throws SQLException {
        return new ChangeOutcome(
                new ChangeKey(rs.getString("organization_id"), rs.getString("change_id")),
                ChannelType.valueOf(rs.getString("channel_type")),
                rs.getObject("event_id", UUID.class),
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

    private static ChannelLink link(ResultSet rs) throws SQLException {
        return new ChannelLink(
                rs.getObject("identity_id", UUID.class),
                rs.getString("link_organization_id"),
                ChannelType.valueOf(rs.getString("channel_type")),
                rs.getObject("channel_id", UUID.class));
    }
}
