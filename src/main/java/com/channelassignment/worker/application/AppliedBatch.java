package com.channelassignment.worker.application;

import java.util.List;

/**
 * The result of one committed batch: the outcomes to publish, in the order the requests came; how many requests sat
 * below their partition's committed progress (redeliveries after a failed Kafka commit, or a zombie's late batch);
 * and which of those were skipped because their idempotency record was purged, so their stored outcome is gone.
 */
public record AppliedBatch(List<PublishableOutcome> outcomes, int alreadyCommittedRequests,
        List<RecordPosition> skipped) {

    public AppliedBatch {
        outcomes = List.copyOf(outcomes);
        skipped = List.copyOf(skipped);
    }

    public static AppliedBatch empty() {
        return new AppliedBatch(List.of(), 0, List.of());
    }
}
