package com.channelassignment.worker.application;

import java.util.List;

/**
 * The result of one committed batch: the outcomes to publish, in the order of the records that caused them; how many
 * records sat below their partition's committed progress (redeliveries after a failed Kafka commit, or a zombie's late
 * batch); which of those were skipped because their idempotency record was purged, so their stored outcome is gone;
 * and the directory changes refused, to dead-letter.
 */
public record AppliedBatch(List<PublishableOutcome> outcomes, int alreadyCommittedRequests,
        List<RecordPosition> skipped, List<RefusedChange> refusedChanges) {

    public AppliedBatch {
        outcomes = List.copyOf(outcomes);
        skipped = List.copyOf(skipped);
        refusedChanges = List.copyOf(refusedChanges);
    }

    public AppliedBatch(List<PublishableOutcome> outcomes, int alreadyCommittedRequests,
            List<RecordPosition> skipped) {
        this(outcomes, alreadyCommittedRequests, skipped, List.of());
    }

    public static AppliedBatch empty() {
        return new AppliedBatch(List.of(), 0, List.of(), List.of());
    }
}
