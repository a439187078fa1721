package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.DirectorySnapshot;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.RejectionCode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Applies a batch of requests in one database transaction: lock, load, decide each request in offset order against
 * the state the earlier ones left, then write everything with a few set-based statements.
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
    public AppliedBatch apply(List<IncomingRequest> requests, Map<String, String> topicIds) {
        if (requests.isEmpty()) {
            return AppliedBatch.empty();
        }
        return transactions.execute(status -> applyInTransaction(requests, topicIds, true));
    }

    /**
     * Applies one record of a batch that is being taken apart to find a poison record, without advancing its
     * partition's progress. A poison record is dead-lettered, never recorded; if progress passed it and the Kafka
     * transaction carrying its dead letter then aborted, its redelivery would look already applied and be skipped,
     * and the record would be lost. The records applied here are guarded by their own idempotency records; the next
     * whole batch of the partition advances its progress past all of them.
     */
    public AppliedBatch applyIsolated(IncomingRequest request, Map<String, String> topicIds) {
        return transactions.execute(status -> applyInTransaction(List.of(request), topicIds, false));
    }

    private AppliedBatch applyInTransaction(List<IncomingRequest> requests, Map<String, String> topicIds,
            boolean advanceProgress) {
        Instant now = clock.instant();
        List<AssignmentRequest> lookingUp = reachingLookups(requests);
        // The store locks the partitions' progress first, which serializes every writer of a partition and makes a
        // zombie's late batch see what the partition's new owner committed, so its records become replays instead of
        // second applications. It looks the request ids up after the directory locks: a concurrent batch carrying the
        // same request locks the same identity, so by then its idempotency record is either committed and visible, or
        // not written at all.
        LoadedBatch loaded = store.lockAndLoad(new BatchLookups(partitionsOf(requests), topicIds, identityKeys(lookingUp),
                requestedChannels(lookingUp), recordableKeys(requests)));
        Map<PartitionRef, Long> committedOffsets = loaded.committedOffsets();
        DirectorySnapshot directory = new DirectorySnapshot(loaded.directory().identities(),
                loaded.directory().channels(), loaded.directory().links());
        Map<RequestKey, ProcessedRequest> processed = new HashMap<>(loaded.processedRequests());

        List<PublishableOutcome> outcomes = new ArrayList<>(requests.size());
        List<ProcessedRequest> newlyProcessed = new ArrayList<>();
        List<RecordPosition> skipped = new ArrayList<>();
        Map<PartitionRef, Long> nextOffsets = new HashMap<>();
        int alreadyCommitted = 0;
        for (IncomingRequest incoming : requests) {
            RecordPosition position = incoming.position();
            if (advanceProgress) {
                nextOffsets.merge(position.partitionRef(), position.offset() + 1, Math::max);
            }
            boolean committedBefore = position.offset() < committedOffsets.getOrDefault(position.partitionRef(), 0L);
            if (committedBefore) {
                alreadyCommitted++;
            }
            try (MDC.MDCCloseable tag = MDC.putCloseable("request_id", incoming.request().echoedRequestId())) {
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
                directory.changedIdentities(), nextOffsets, now));
        return new AppliedBatch(outcomes, alreadyCommitted, skipped);
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
        byte[] fingerprint = request.contentFingerprint();
        RequestKey key = RequestKey.of(request);
        ProcessedRequest earlier = processed.get(key);
        if (earlier != null && Arrays.equals(earlier.fingerprint(), fingerprint)) {
            log.debug("replaying the stored outcome {}", earlier.eventId());
            return PublishableOutcome.replayOf(earlier, position);
        }
        if (earlier != null) {
            // The original record stays as it is: the first use of a key owns it.
            return unrecorded(position, rejection(request, RejectionCode.IDEMPOTENCY_KEY_REUSED,
                    "request_id %s was already used for a different request".formatted(request.requestId()), now));
        }
        Outcome outcome = decideAndApply(request, directory, now);
        logRejection(outcome);
        ProcessedRequest record = new ProcessedRequest(key, fingerprint, outcome.eventId(),
                outcome.status(), outcome.rejectionCode(), outcome.request().correlationId(), encoder.encode(outcome),
                position, now);
        processed.put(key, record);
        newlyProcessed.add(record);
        return new PublishableOutcome(position, request.requestId(), record.correlationId(), record.status(),
                record.rejectionCode(), record.payload(), false);
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
            return new Outcome(eventId, request, assigned.status(), assigned.changed(),
                    assigned.channel().id().toString(), null, directory.detailOf(assigned.identity()), now);
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

    private static TreeSet<PartitionRef> partitionsOf(List<IncomingRequest> requests) {
        TreeSet<PartitionRef> partitions = new TreeSet<>();
        requests.forEach(incoming -> partitions.add(incoming.position().partitionRef()));
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
        return requests.stream().map(IncomingRequest::request)
                .filter(request -> request.hasOrganization() && AssignmentRules.invalidity(request).isEmpty())
                .toList();
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
            if (request.operation() == Operation.ASSIGN) {
                channels.get(request.channelType()).add(new ChannelRef(request.organizationId(),
                        UUID.fromString(request.channelId())));
            }
        }
        return channels;
    }
}
