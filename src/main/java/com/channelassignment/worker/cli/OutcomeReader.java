package com.channelassignment.worker.cli;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A read_committed consumer on every partition of the outcomes topic, outside any consumer group: it commits
 * nothing and disturbs no one. A topic that does not exist yet is looked for again on each poll; once it
 * appears, all of it is read, since everything in it is newer than the start.
 */
final class OutcomeReader implements AutoCloseable {

    private static final Duration CLOSE = Duration.ofSeconds(2);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;

    OutcomeReader(KafkaClients clients, String topic) {
        this.consumer = clients.readCommittedConsumer();
        this.topic = topic;
    }

    void startAtBeginning(Duration timeout) {
        List<TopicPartition> partitions = partitions(timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** With read_committed the end offsets are the last stable offsets: nothing committed later is missed. */
    void startAtEnd(Duration timeout) {
        List<TopicPartition> partitions = partitions(timeout);
        consumer.assign(partitions);
        consumer.endOffsets(partitions, timeout).forEach(consumer::seek);
    }

    ConsumerRecords<byte[], byte[]> poll(Duration timeout) throws InterruptedException {
        if (consumer.assignment().isEmpty()) {
            try {
                startAtBeginning(timeout);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // a slow metadata answer while waiting for the topic: ask again on the next poll
            }
            if (consumer.assignment().isEmpty()) {
                Thread.sleep(timeout.toMillis());
                return ConsumerRecords.empty();
            }
        }
        return consumer.poll(timeout);
    }

    private List<TopicPartition> partitions(Duration timeout) {
        return consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(CLOSE));
    }
}
