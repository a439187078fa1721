package com.channelassignment.worker.kafka.consume;

import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/** Keeps per-partition state in step with the group: stalls end with ownership, topic ids are checked again. */
public class PartitionAssignments implements ConsumerAwareRebalanceListener {

    private final PartitionStalls stalls;
    private final TopicIds topicIds;
    private final PreviousIncarnationFencing fencing;

    /** {@code fencing} null: the instance has no stable identity, so no earlier incarnation shares its ids. */
    public PartitionAssignments(PartitionStalls stalls, TopicIds topicIds, PreviousIncarnationFencing fencing) {
        this.stalls = stalls;
        this.topicIds = topicIds;
        this.fencing = fencing;
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        stalls.forget(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        stalls.forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // Called before the consumer fetches the partitions' committed offsets, which an open transaction holds back.
        if (fencing != null && !partitions.isEmpty()) {
            fencing.fenceOnce();
        }
        topicIds.forget(partitions.stream().map(TopicPartition::topic).distinct().toList());
    }
}
