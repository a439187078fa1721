package com.channelassignment.worker.kafka;

import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/** Keeps per-partition state in step with the group: stalls end with ownership, topic ids are checked again. */
public class PartitionAssignments implements ConsumerAwareRebalanceListener {

    private final PartitionStalls stalls;
    private final TopicIds topicIds;

    public PartitionAssignments(PartitionStalls stalls, TopicIds topicIds) {
        this.stalls = stalls;
        this.topicIds = topicIds;
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
        topicIds.forget(partitions.stream().map(TopicPartition::topic).distinct().toList());
    }
}
