package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.Identity;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Everything one batch writes, handed to the store in one go so it can send set-based statements. */
public record BatchWrites(
        List<ProcessedRequest> processedRequests,
        Set<ChannelLink> removedLinks,
        Set<ChannelLink> addedLinks,
        Collection<Identity> changedIdentities,
        Map<PartitionRef, Long> nextOffsets,
        Instant writtenAt) {

    public BatchWrites {
        processedRequests = List.copyOf(processedRequests);
        removedLinks = Set.copyOf(removedLinks);
        addedLinks = Set.copyOf(addedLinks);
        changedIdentities = List.copyOf(changedIdentities);
        nextOffsets = Map.copyOf(nextOffsets);
    }
}
