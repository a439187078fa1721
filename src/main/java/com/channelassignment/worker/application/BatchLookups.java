package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.ChannelType;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a batch asks the store to lock and read: its partitions (with the id of each topic, so progress recorded for a
 * deleted topic of the same name is not held against its successor), the rows its requests name, and its request ids.
 */
public record BatchLookups(
        SortedSet<PartitionRef> partitions,
        Map<String, String> topicIds,
        Set<IdentityKey> identities,
        Map<ChannelType, Set<ChannelRef>> channels,
        Set<RequestKey> requestKeys) {

    public BatchLookups {
        partitions = new TreeSet<>(partitions);
        topicIds = Collections.unmodifiableMap(new HashMap<>(topicIds));
        identities = Set.copyOf(identities);
        Map<ChannelType, Set<ChannelRef>> byType = new EnumMap<>(ChannelType.class);
        for (ChannelType type : ChannelType.values()) {
            byType.put(type, Set.copyOf(channels.getOrDefault(type, Set.of())));
        }
        channels = byType;
        requestKeys = Set.copyOf(requestKeys);
    }

    /** The named channels of one type; empty when the batch names none. */
    public Collection<ChannelRef> channels(ChannelType type) {
        return channels.get(type);
    }
}
