package com.channelassignment.worker.application;

/**
 * Storage for one batch, called twice inside the batch's database transaction: {@link #lockAndLoad}, then
 * {@link #save}.
 */
public interface AssignmentStore {

    /**
     * Locks and reads what the batch needs, in this order: the progress row of each partition, in the given order;
     * the named live identities and the named channels; then the links of both, the channels the identities hold, and
     * which request ids were already processed. Each read comes after the locks, so it sees what the locks' previous
     * holders committed.
     */
    LoadedBatch lockAndLoad(BatchLookups lookups);

    /**
     * Writes the batch. Fails with {@link ConcurrentRequestException} when another transaction recorded one of the
     * batch's request ids since {@link #lockAndLoad} looked.
     */
    void save(BatchWrites writes);
}
