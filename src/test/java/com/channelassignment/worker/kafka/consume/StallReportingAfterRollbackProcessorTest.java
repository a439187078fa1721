package com.channelassignment.worker.kafka.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.util.backoff.FixedBackOff;

/** Each rolled-back attempt of a batch counts once, however spring-kafka routes it through the processor. */
class StallReportingAfterRollbackProcessorTest {

    private static final TopicPartition PARTITION = new TopicPartition("requests", 2);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PartitionStalls stalls = new PartitionStalls(registry, Clock.systemUTC());
    private final StallReportingAfterRollbackProcessor processor =
            new StallReportingAfterRollbackProcessor(new FixedBackOff(0, FixedBackOff.UNLIMITED_ATTEMPTS), stalls);
    // Never started: the processor's backoff pause returns at once for a container that is not running.
    private final KafkaMessageListenerContainer<Object, Object> container = new KafkaMessageListenerContainer<>(
            new DefaultKafkaConsumerFactory<>(Map.of()), new ContainerProperties(PARTITION.topic()));
    private final MockConsumer<Object, Object> consumer = new MockConsumer<>("earliest");

    @Test
    void countsEachRolledBackAttemptOfABatchOnce() {
        consumer.assign(List.of(PARTITION));
        List<ConsumerRecord<Object, Object>> batch = List.of(record(40), record(41), record(42));
        ConsumerRecords<Object, Object> records = new ConsumerRecords<>(Map.of(PARTITION, batch), Map.of());

        for (int attempt = 1; attempt <= 3; attempt++) {
            processor.processBatch(records, batch, consumer, container, new IllegalStateException("database away"),
                    false, ContainerProperties.EOSMode.V2);

            assertThat(stalls.of(PARTITION).failures()).isEqualTo(attempt);
            assertThat(registry.get("channel_assignment.partition.consecutive_failures").gauge().value())
                    .isEqualTo(attempt);
        }
        assertThat(consumer.position(PARTITION)).as("sought back to the batch's first record").isEqualTo(40);
    }

    private static ConsumerRecord<Object, Object> record(long offset) {
        return new ConsumerRecord<>(PARTITION.topic(), PARTITION.partition(), offset, null, null);
    }
}
