package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Versioned;
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
        Instant writtenAt,
        List<Versioned<Identity>> identityEntries,
        List<Versioned<Channel>> channelEntries,
        List<ChangeOutcome> changeOutcomes) {

    public BatchWrites {
        processedRequests = List.copyOf(processedRequests);
        removedLinks = Set.copyOf(removedLinks);
        addedLinks = Set.copyOf(addedLinks);
        changedIdentities = List.copyOf(changedIdentities);
        nextOffsets = Map.copyOf(nextOffsets);
        identityEntries = List.copyOf(identityEntries);
        channelEntries = List.copyOf(channelEntries);
        changeOutcomes = List.copyOf(changeOutcomes);
    }

    /** The writes of a batch of requests only. */
    public BatchWrites(List<ProcessedRequest> processedRequests, Set<ChannelLink> removedLinks,
            Set<ChannelLink> addedLinks, Collection<Identity> changedIdentities, Map<PartitionRef, Long> nextOffsets,
            Instant writtenAt) {
        this(processedRequests, removedLinks, addedLinks, changedIdentities, nextOffsets, writtenAt, List.of(),
                List.of(), List.of());
    }
}
