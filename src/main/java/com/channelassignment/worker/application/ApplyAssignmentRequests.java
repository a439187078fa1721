package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.domain.ChangeResult;
import com.channelassignment.worker.domain.ChannelChange;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.domain.DirectorySnapshot;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Applies a batch of requests and directory changes in one database transaction: lock, load, apply each record in
 * offset order against the state the earlier ones left, then write everything with a few set-based statements. A
 * request produced after the change it depends on sits after it in its partition, so it is decided against it.
 *
 * <p>The transaction commits before the caller publishes the outcomes. If publishing then fails, the records come
 * back and the idempotency records written here turn them into replays of the stored outcomes: effects apply at most
 * once and every delivery still gets its answer.
 */
public class ApplyAssignmentRequests {

    private static final Logger log = LoggerFactory.getLogger(ApplyAssignmentRequests.class);

    private final AssignmentStore store;
    private final OutcomeEncoder encoder;
    private final TransactionOperations transactions;
    private final Clock clock;
    private final AssignmentRules rules = new AssignmentRules();

    public ApplyAssignmentRequests(AssignmentStore store, OutcomeEncoder encoder, TransactionOperations transactions,
            Clock clock) {
        this.store = store;
        this.encoder = encoder;
        this.transactions = transactions;
        this.clock = clock;
    }

    /**
     * Requests must come in offset order within each partition. {@code topicIds} maps each topic to its Kafka topic id
     * where known: progress recorded under another id belongs to a deleted topic of the same name and is reset.
     */
    public AppliedBatch apply(List<? extends IncomingRecord> records, Map<String, String> topicIds) {
        if (records.isEmpty()) {
            return AppliedBatch.empty();
        }
        return transactions.execute(status -> applyInTransaction(List.copyOf(records), topicIds, true));
    }

    /**
     * Applies one record of a batch that is being taken apart to find a poison record, without advancing its
     * partition's progress. A poison record is dead-lettered, never recorded; if progress passed it and the Kafka
     * transaction carrying its dead letter then aborted, its redelivery would look already applied and be skipped,
     * and the record would be lost. The records applied here are guarded by their own idempotency records; the next
     * whole batch of the partition advances its progress past all of them.
     */
    public AppliedBatch applyIsolated(IncomingRecord record, Map<String, String> topicIds) {
        return transactions.execute(status -> applyInTransaction(List.of(record), topicIds, false));
    }

    private AppliedBatch applyInTransaction(List<IncomingRecord> records, Map<String, String> topicIds,
            boolean advanceProgress) {
        Instant now = clock.instant();
        // Plain loops rather than streams here and below: they run over every record of every batch.
        List<IncomingRequest> requests = new ArrayList<>(records.size());
        List<DirectoryChange> changes = new ArrayList<>();
        for (IncomingRecord record : records) {
            if (record instanceof IncomingRequest request) {
                requests.add(request);
            } else if (record instanceof IncomingChange change) {
                changes.add(change.change());
            } else {
                throw new IllegalStateException("unknown record " + record);
            }
        }
        List<AssignmentRequest> lookingUp = reachingLookups(requests);
        // The store locks the partitions' progress first, which serializes every writer of a partition and makes a
        // zombie's late batch see what the partition's new owner committed, so its records become replays instead of
        // second applications. It looks the request ids up after the directory locks: a concurrent batch carrying the
        // same request locks the same identity, so by then its idempotency record is either committed and visible, or
        // not written at all.
        Set<IdentityKey> identityKeys = identityKeys(lookingUp);
        Map<ChannelType, Set<ChannelRef>> channels = requestedChannels(lookingUp);
        Map<ChannelType, Set<ChannelRef>> changedChannels = changedChannels(changes);
        for (IdentityChange change : only(changes, IdentityChange.class)) {
            // A live identity's new handle is looked up too: another live identity may answer to it.
            if (change.identity().status() != IdentityStatus.DELETED) {
                identityKeys.add(new IdentityKey(change.organizationId(), change.identity().agentHandle()));
            }
        }
        changedChannels.forEach((type, refs) -> channels.get(type).addAll(refs));
        LoadedBatch loaded = store.lockAndLoad(new BatchLookups(partitionsOf(records), topicIds, identityKeys,
                channels, recordableKeys(requests), changedIdentities(changes), changedChannels,
                changeKeys(changes)));
        Map<PartitionRef, Long> committedOffsets = loaded.committedOffsets();
        DirectorySnapshot directory = new DirectorySnapshot(loaded.directory().identities(),
                loaded.directory().channels(), loaded.directory().links());
        loaded.directory().versions().forEach(directory::withVersion);
        Map<RequestKey, ProcessedRequest> processed = new HashMap<>(loaded.processedRequests());
        Map<ChangeKey, List<ChangeOutcome>> appliedChanges = new HashMap<>(loaded.changeOutcomes());
        List<ChangeOutcome> newChangeOutcomes = new ArrayList<>();
        List<RefusedChange> refused = new ArrayList<>();

        List<PublishableOutcome> outcomes = new ArrayList<>(requests.size());
        List<ProcessedRequest> newlyProcessed = new ArrayList<>();
        List<RecordPosition> skipped = new ArrayList<>();
        Map<PartitionRef, Long> nextOffsets = new HashMap<>();
        int alreadyCommitted = 0;
        for (IncomingRecord record : records) {
            RecordPosition position = record.position();
            PartitionRef partition = position.partitionRef();
            if (advanceProgress) {
                nextOffsets.merge(partition, position.offset() + 1, Math::max);
            }
            boolean committedBefore = position.offset() < committedOffsets.getOrDefault(partition, 0L);
            if (committedBefore) {
                alreadyCommitted++;
            }
            if (record instanceof IncomingChange change) {
                ChangeKey key = new ChangeKey(change.change().organizationId(), change.change().changeId());
                List<ChangeOutcome> stored = appliedChanges.get(key);
                if (stored != null) {
                    // Applied before, by a committed batch or earlier in this one: its outcomes go out again, once
                    // per delivery, as a re-sent request's do.
                    stored.forEach(outcome -> outcomes.add(new PublishableOutcome(position, key.changeId(), null,
                            OutcomeStatus.UNASSIGNED, null, outcome.payload(), true)));
                } else if (!committedBefore) {
                    try (RecordLogContext context = logContextOf(change)) {
                        applyChange(change, directory, appliedChanges, newChangeOutcomes, outcomes, refused, now);
                    }
                }
                // A change below the committed progress without stored outcomes ended no link: applying it again
                // would be ignored by its version anyway.
                continue;
            }
            if (!(record instanceof IncomingRequest incoming)) {
                throw new IllegalStateException("unknown record " + record);
            }
            try (RecordLogContext context = logContextOf(incoming)) {
                if (committedBefore && AssignmentRules.isRecordable(incoming.request())
                        && !processed.containsKey(RequestKey.of(incoming.request()))) {
                    // A committed batch applied this record, and its idempotency record has since been purged: its
                    // effects are in the database and its outcome went out when it was first applied. Deciding it
                    // again could apply it twice, so it is skipped.
                    skipped.add(position);
                    continue;
                }
                outcomes.add(outcomeOf(incoming, processed, directory, newlyProcessed, now));
            }
        }
        store.save(new BatchWrites(newlyProcessed, directory.removedLinks(), directory.addedLinks(),
                directory.changedIdentities(), nextOffsets, now, directory.changedIdentityEntries(),
                directory.changedChannelEntries(), newChangeOutcomes));
        return new AppliedBatch(outcomes, alreadyCommitted, skipped, refused);
    }

    /**
     * Applies one directory change. Each link it ends gets an {@code UNASSIGNED} outcome, stored with the change so a
     * redelivery publishes it again; a change that no longer applies (older, repeated) changes and publishes nothing.
     */
    private void applyChange(IncomingChange incoming, DirectorySnapshot directory,
            Map<ChangeKey, List<ChangeOutcome>> appliedChanges, List<ChangeOutcome> newChangeOutcomes,
            List<PublishableOutcome> outcomes, List<RefusedChange> refused, Instant now) {
        DirectoryChange change = incoming.change();
        ChangeResult result = directory.apply(change);
        if (result instanceof ChangeResult.Ignored ignored) {
            log.debug("directory change {} of {} ignored: version {} is not above the held {}", change.changeId(),
                    change.entry(), change.version(), ignored.heldVersion());
            return;
        }
        if (result instanceof ChangeResult.Refused refusal) {
            refused.add(new RefusedChange(incoming.position(), refusal.reason()));
            return;
        }
        if (!(result instanceof ChangeResult.Applied applied)) {
            throw new IllegalStateException("unknown change result " + result);
        }
        ChangeKey key = new ChangeKey(change.organizationId(), change.changeId());
        List<ChangeOutcome> caused = new ArrayList<>();
        for (ChannelLink link : applied.releasedLinks()) {
            Identity holder = directory.identityById(link.organizationId(), link.identityId()).orElseThrow();
            Outcome outcome = Outcome.linkEnded(UUID.randomUUID(), change, link, directory.detailOf(holder), now);
            ChangeOutcome stored = new ChangeOutcome(key, link.type(), outcome.eventId(), encoder.encode(outcome),
                    incoming.position(), now);
            caused.add(stored);
            outcomes.add(new PublishableOutcome(incoming.position(), outcome.request().requestId(), null,
                    OutcomeStatus.UNASSIGNED, null, stored.payload(), false));
        }
        if (!caused.isEmpty()) {
            appliedChanges.put(key, caused);
            newChangeOutcomes.addAll(caused);
        }
    }

    private static <T extends DirectoryChange> List<T> only(List<DirectoryChange> changes, Class<T> type) {
        List<T> only = new ArrayList<>();
        for (DirectoryChange change : changes) {
            if (type.isInstance(change)) {
                only.add(type.cast(change));
            }
        }
        return only;
    }

    private static Set<IdentityRef> changedIdentities(List<DirectoryChange> changes) {
        Set<IdentityRef> refs = new HashSet<>();
        for (IdentityChange change : only(changes, IdentityChange.class)) {
            refs.add(new IdentityRef(change.organizationId(), change.identity().id()));
        }
        return refs;
    }

    private static Set<ChangeKey> changeKeys(List<DirectoryChange> changes) {
        Set<ChangeKey> keys = new HashSet<>();
        for (DirectoryChange change : changes) {
            keys.add(new ChangeKey(change.organizationId(), change.changeId()));
        }
        return keys;
    }

    private static Map<ChannelType, Set<ChannelRef>> changedChannels(List<DirectoryChange> changes) {
        Map<ChannelType, Set<ChannelRef>> channels = new EnumMap<>(ChannelType.class);
        for (ChannelType type : ChannelType.values()) {
            channels.put(type, new LinkedHashSet<>());
        }
        for (ChannelChange change : only(changes, ChannelChange.class)) {
            channels.get(change.channel().type()).add(new ChannelRef(change.organizationId(), change.channel().id()));
        }
        return channels;
    }

    /** Decides one request; a newly decided one is also recorded in {@code processed} and {@code newlyProcessed}. */
    private PublishableOutcome outcomeOf(IncomingRequest incoming, Map<RequestKey, ProcessedRequest> processed,
            DirectorySnapshot directory, List<ProcessedRequest> newlyProcessed, Instant now) {
        RecordPosition position = incoming.position();
        AssignmentRequest request = incoming.request();
        if (!AssignmentRules.isRecordable(request)) {
            // Idempotency keys belong to an organization: without a usable organization and request_id there is no
            // key to record under. The rules refuse such a request, in their order, the same way on every delivery.
            Outcome refused = decideAndApply(request, directory, now);
            if (refused.rejection() == null) {
                throw new IllegalStateException("the rules accepted a request that cannot be recorded");
            }
            return unrecorded(position, refused);
        }
        RequestKey key = RequestKey.of(request);
        ProcessedRequest earlier = processed.get(key);
        if (earlier != null && request.hasFingerprint(earlier.fingerprint())) {
            log.debug("replaying the stored outcome {}", earlier.eventId());
            return PublishableOutcome.replayOf(earlier, position);
        }
        if (earlier != null) {
            // The original record stays as it is: the first use of a key owns it.
            return unrecorded(position, rejection(request, RejectionCode.IDEMPOTENCY_KEY_REUSED,
                    "request_id " + request.requestId() + " was already used for a different request", now));
        }
        Outcome outcome = decideAndApply(request, directory, now);
        logRejection(outcome);
        ProcessedRequest record = new ProcessedRequest(key, request.contentFingerprint(), outcome.eventId(),
                outcome.status(), outcome.rejectionCode(), outcome.request().correlationId(), encoder.encode(outcome),
                position, now);
        processed.put(key, record);
        newlyProcessed.add(record);
        return new PublishableOutcome(position, request.requestId(), record.correlationId(), record.status(),
                record.rejectionCode(), record.payload(), false);
    }

    /**
     * The record's log context while it is decided, or null (no context: try-with-resources closes none) when nothing
     * would be logged in it. Only this class logs there, and only at DEBUG: the rules, the snapshot and the encoder do
     * not log, and a failure is logged by the caller once the scope has closed. Setting the MDC up and restoring it
     * takes some fifteen thread-local map operations per record on the consume path. A line logged here at another
     * level would need the context unconditionally.
     */
    private static RecordLogContext logContextOf(IncomingRecord record) {
        return log.isDebugEnabled() ? RecordLogContext.of(record) : null;
    }

    private static void logRejection(Outcome outcome) {
        if (outcome.rejection() != null) {
            log.debug("rejected with {}: {}", outcome.rejection().code(), outcome.rejection().message());
        }
    }

    private Outcome decideAndApply(AssignmentRequest request, DirectorySnapshot directory, Instant now) {
        Decision decision = rules.decide(request, directory);
        UUID eventId = UUID.randomUUID();
        if (decision instanceof Decision.Rejected rejected) {
            return Outcome.rejected(eventId, request, rejected, now);
        }
        if (decision instanceof Decision.Assigned assigned) {
            if (assigned.changed()) {
                directory.link(assigned.identity(), assigned.channel(), now);
            }
            // The request names the channel by its canonical spelling (ChannelIds.canonical), the very text of the
            // assigned channel's id, which the rules parsed to find it: no UUID is written out again per request.
            return new Outcome(eventId, request, assigned.status(), assigned.changed(), request.channelId(), null,
                    directory.detailOf(assigned.identity()), now);
        }
        if (decision instanceof Decision.Unassigned unassigned) {
            directory.unlink(unassigned.identity(), unassigned.type(), now);
            String released = unassigned.releasedChannelId() == null ? null
                    : unassigned.releasedChannelId().toString();
            return new Outcome(eventId, request, unassigned.status(), unassigned.changed(), released, null,
                    directory.detailOf(unassigned.identity()), now);
        }
        throw new IllegalStateException("unknown decision " + decision);
    }

    private PublishableOutcome unrecorded(RecordPosition position, Outcome outcome) {
        logRejection(outcome);
        return new PublishableOutcome(position, outcome.request().requestId(), outcome.request().correlationId(),
                outcome.status(), outcome.rejectionCode(), encoder.encode(outcome), false);
    }

    private static Outcome rejection(AssignmentRequest request, RejectionCode code, String message, Instant now) {
        return Outcome.rejected(UUID.randomUUID(), request, new Decision.Rejected(code, message), now);
    }

    private static TreeSet<PartitionRef> partitionsOf(List<IncomingRecord> records) {
        TreeSet<PartitionRef> partitions = new TreeSet<>();
        records.forEach(incoming -> partitions.add(incoming.position().partitionRef()));
        return partitions;
    }

    private static Set<RequestKey> recordableKeys(List<IncomingRequest> requests) {
        Set<RequestKey> keys = new LinkedHashSet<>();
        for (IncomingRequest incoming : requests) {
            if (AssignmentRules.isRecordable(incoming.request())) {
                keys.add(RequestKey.of(incoming.request()));
            }
        }
        return keys;
    }

    /** Only requests that pass authorization and validation reach a lookup, so only they name rows to load. */
    private static List<AssignmentRequest> reachingLookups(List<IncomingRequest> requests) {
        List<AssignmentRequest> reaching = new ArrayList<>(requests.size());
        for (IncomingRequest incoming : requests) {
            AssignmentRequest request = incoming.request();
            if (request.hasOrganization() && AssignmentRules.invalidity(request).isEmpty()) {
                reaching.add(request);
            }
        }
        return reaching;
    }

    private static Set<IdentityKey> identityKeys(List<AssignmentRequest> requests) {
        Set<IdentityKey> keys = new LinkedHashSet<>();
        for (AssignmentRequest request : requests) {
            keys.add(new IdentityKey(request.organizationId(), request.normalizedHandle()));
        }
        return keys;
    }

    private static Map<ChannelType, Set<ChannelRef>> requestedChannels(List<AssignmentRequest> requests) {
        Map<ChannelType, Set<ChannelRef>> channels = new EnumMap<>(ChannelType.class);
        for (ChannelType type : ChannelType.values()) {
            channels.put(type, new LinkedHashSet<>());
        }
        for (AssignmentRequest request : requests) {
            if (request.operation().namesChannel()) {
                channels.get(request.channelType()).add(new ChannelRef(request.organizationId(),
                        UUID.fromString(request.channelId())));
            }
        }
        return channels;
    }
}
