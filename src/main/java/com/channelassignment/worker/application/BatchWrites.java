package com.channelassignment.worker.application;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Everything one batch writes, handed to the store in one go so it can send set-based statements. */
public record BatchWrites(
        List<ProcessedRequest> processedRequests,
        Set<ChannelLink> removedLinks,
        Set<ChannelLink> addedLinks,
        Collection<UUID> changedIdentities,
        Map<PartitionRef, Long> nextOffsets,
        Instant writtenAt) {

    public BatchWrites {
        processedRequests = List.copyOf(processedRequests);
        removedLinks = Set.copyOf(removedLinks);
        addedLinks = Set.copyOf(addedLinks);
        changedIdentities = Set.copyOf(changedIdentities);
        nextOffsets = Map.copyOf(nextOffsets);
    }
}
