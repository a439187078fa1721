package com.channelassignment.worker.application;

import java.util.List;
import java.util.Map;

/**
 * What the store locked and read for a batch: the offset each partition's last committed batch reached, the directory
 * rows, the requests already processed, by organization and request id, and the outcomes of directory changes already
 * applied, by organization and change id.
 */
public record LoadedBatch(
        Map<PartitionRef, Long> committedOffsets,
        DirectoryRows directory,
        Map<RequestKey, ProcessedRequest> processedRequests,
        Map<ChangeKey, List<ChangeOutcome>> changeOutcomes) {

    public LoadedBatch {
        committedOffsets = Map.copyOf(committedOffsets);
        processedRequests = Map.copyOf(processedRequests);
        changeOutcomes = Map.copyOf(changeOutcomes);
    }

    public LoadedBatch(Map<PartitionRef, Long> committedOffsets, DirectoryRows directory,
            Map<RequestKey, ProcessedRequest> processedRequests) {
        this(committedOffsets, directory, processedRequests, Map.of());
    }
}
