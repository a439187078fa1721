package com.channelassignment.worker.application;

import java.util.Objects;

/** Where a request sits in the log: the unit of ordering and of the per-partition progress guard. */
public record RecordPosition(String topic, int partition, long offset) {

    public RecordPosition {
        Objects.requireNonNull(topic, "topic");
    }

    public PartitionRef partitionRef() {
        return new PartitionRef(topic, partition);
    }
}
