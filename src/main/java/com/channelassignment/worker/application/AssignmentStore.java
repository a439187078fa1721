package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.ChannelType;
import java.util.Collection;
import java.util.Map;
import java.util.SortedSet;
import java.util.UUID;

/**
 * Storage for one batch, called inside the batch's database transaction in this order: lock the partitions, lock
 * the directory rows, find processed requests, save.
 */
public interface AssignmentStore {

    /**
     * Locks the progress row of each partition, in the given order, and returns the offset each partition's last
     * committed batch reached. Everything read after this sees the commits of any earlier owner of the partition.
     */
    Map<PartitionRef, Long> lockPartitions(SortedSet<PartitionRef> partitions);

    Map<String, ProcessedRequest> findProcessedRequests(Collection<String> requestIds);

    /**
     * Loads and locks the named live identities and the named channels, plus the links of both and the channels the
     * loaded identities hold.
     */
    DirectoryRows lockDirectory(Collection<IdentityKey> identities, Map<ChannelType, Collection<UUID>> channels);

    /**
     * Writes the batch. Fails with {@link ConcurrentRequestException} when another transaction recorded one of the
     * batch's request ids since {@link #findProcessedRequests} looked.
     */
    void save(BatchWrites writes);
}
