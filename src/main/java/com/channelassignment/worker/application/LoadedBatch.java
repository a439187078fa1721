package com.channelassignment.worker.application;

import java.util.Map;

/**
 * What the store locked and read for a batch: the offset each partition's last committed batch reached, the directory
 * rows, and the requests already processed, by organization and request id.
 */
public record LoadedBatch(
        Map<PartitionRef, Long> committedOffsets,
        DirectoryRows directory,
        Map<RequestKey, ProcessedRequest> processedRequests) {

    public LoadedBatch {
        committedOffsets = Map.copyOf(committedOffsets);
        processedRequests = Map.copyOf(processedRequests);
    }
}
