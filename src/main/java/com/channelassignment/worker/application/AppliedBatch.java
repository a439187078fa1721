package com.channelassignment.worker.application;

import java.util.List;

/**
 * The result of one committed batch: an outcome per request in the order the requests came, and how many of them
 * sat below their partition's committed progress (redeliveries after a failed Kafka commit, or a zombie's late batch).
 */
public record AppliedBatch(List<PublishableOutcome> outcomes, int alreadyCommittedRequests) {

    public AppliedBatch {
        outcomes = List.copyOf(outcomes);
    }

    public static AppliedBatch empty() {
        return new AppliedBatch(List.of(), 0);
    }
}
