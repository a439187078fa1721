package com.channelassignment.worker.application;

import java.util.Comparator;
import java.util.Objects;

/** A topic partition, ordered so every worker locks progress rows in the same order. */
public record PartitionRef(String topic, int partition) implements Comparable<PartitionRef> {

    private static final Comparator<PartitionRef> ORDER =
            Comparator.comparing(PartitionRef::topic).thenComparingInt(PartitionRef::partition);

    public PartitionRef {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public int compareTo(PartitionRef other) {
        return ORDER.compare(this, other);
    }
}
