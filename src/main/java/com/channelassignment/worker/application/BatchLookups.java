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
 * deleted topic of the same name is not held against its successor), the rows its requests name, the rows its
 * directory changes name (identities by id, whatever their status, and the holders of the channels they change), and
 * its request and change ids.
 */
public record BatchLookups(
        SortedSet<PartitionRef> partitions,
        Map<String, String> topicIds,
        Set<IdentityKey> identities,
        Map<ChannelType, Set<ChannelRef>> channels,
        Set<RequestKey> requestKeys,
        Set<IdentityRef> changedIdentities,
        Map<ChannelType, Set<ChannelRef>> changedChannels,
        Set<ChangeKey> changeKeys) {

    public BatchLookups {
        partitions = new TreeSet<>(partitions);
        topicIds = Collections.unmodifiableMap(new HashMap<>(topicIds));
        identities = Set.copyOf(identities);
        channels = byType(channels);
        requestKeys = Set.copyOf(requestKeys);
        changedIdentities = Set.copyOf(changedIdentities);
        changedChannels = byType(changedChannels);
        changeKeys = Set.copyOf(changeKeys);
    }

    /** A batch of requests only. */
    public BatchLookups(SortedSet<PartitionRef> partitions, Map<String, String> topicIds, Set<IdentityKey> identities,
            Map<ChannelType, Set<ChannelRef>> channels, Set<RequestKey> requestKeys) {
        this(partitions, topicIds, identities, channels, requestKeys, Set.of(), Map.of(), Set.of());
    }

    /** The named channels of one type, by requests or changes; empty when the batch names none. */
    public Collection<ChannelRef> channels(ChannelType type) {
        return channels.get(type);
    }

    /** The channels of one type that directory changes name. */
    public Collection<ChannelRef> changedChannels(ChannelType type) {
        return changedChannels.get(type);
    }

    public boolean hasChanges() {
        return !changedIdentities.isEmpty() || changedChannels.values().stream().anyMatch(set -> !set.isEmpty());
    }

    private static Map<ChannelType, Set<ChannelRef>> byType(Map<ChannelType, Set<ChannelRef>> channels) {
        Map<ChannelType, Set<ChannelRef>> byType = new EnumMap<>(ChannelType.class);
        for (ChannelType type : ChannelType.values()) {
            byType.put(type, Set.copyOf(channels.getOrDefault(type, Set.of())));
        }
        return byType;
    }
}
