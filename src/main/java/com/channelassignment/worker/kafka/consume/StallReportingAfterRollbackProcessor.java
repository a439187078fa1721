package com.channelassignment.worker.kafka.consume;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultAfterRollbackProcessor;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.util.backoff.BackOff;

/**
 * spring-kafka's seek-back-and-retry after a rolled-back batch, which also records the failed attempt in
 * {@link PartitionStalls} and logs it once, with its cause. Every failed attempt passes here, whether the listener,
 * the publication or the Kafka commit failed.
 *
 * <p>The container hands a batch listener's rollback to {@code processBatch}, which, unless it recovers the batch
 * itself, passes it on to {@code process}: so an attempt is reported in {@code process}, and in {@code processBatch}
 * only on the path that does not get there.
 */
public class StallReportingAfterRollbackProcessor extends DefaultAfterRollbackProcessor<Object, Object> {

    private static final Logger log = LoggerFactory.getLogger(StallReportingAfterRollbackProcessor.class);

    private final PartitionStalls stalls;

    public StallReportingAfterRollbackProcessor(BackOff backOff, PartitionStalls stalls) {
        super(backOff);
        this.stalls = stalls;
    }

    @Override
    public void processBatch(ConsumerRecords<Object, Object> records, List<ConsumerRecord<Object, Object>> recordList,
            Consumer<Object, Object> consumer, MessageListenerContainer container, Exception exception,
            boolean recoverable, ContainerProperties.EOSMode eosMode) {
        if (recoverable && isCommitRecovered()) {
            report(recordList, exception);
        }
        super.processBatch(records, recordList, consumer, container, exception, recoverable, eosMode);
    }

    @Override
    public void process(List<ConsumerRecord<Object, Object>> records, Consumer<Object, Object> consumer,
            MessageListenerContainer container, Exception exception, boolean recoverable,
            ContainerProperties.EOSMode eosMode) {
        report(records, exception);
        super.process(records, consumer, container, exception, recoverable, eosMode);
    }

    private void report(List<ConsumerRecord<Object, Object>> records, Exception exception) {
        if (records.isEmpty()) {
            return;
        }
        Throwable cause = exception instanceof ListenerExecutionFailedException && exception.getCause() != null
                ? exception.getCause() : exception;
        Map<TopicPartition, Long> firstOffsets = firstOffsets(records);
        stalls.failed(firstOffsets, cause);
        PartitionStalls.Stall first = stalls.of(firstOffsets.keySet().iterator().next());
        log.warn("batch of {} records from {} rolled back, attempt {} since {}; retrying after backoff: {}",
                records.size(), firstOffsets, first == null ? 1 : first.failures(),
                first == null ? "now" : first.since(), PartitionStalls.describe(cause));
    }

    static Map<TopicPartition, Long> firstOffsets(List<? extends ConsumerRecord<?, ?>> records) {
        Map<TopicPartition, Long> first = new LinkedHashMap<>();
        for (ConsumerRecord<?, ?> record : records) {
            first.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
        }
        return first;
    }
}
