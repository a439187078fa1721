package com.channelassignment.worker.kafka.publish;

import com.channelassignment.worker.kafka.observe.RecordTracing;
import com.channelassignment.worker.contract.WireHeaders;
import com.channelassignment.worker.contract.WireContract;
import com.channelassignment.worker.application.PublishableOutcome;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/**
 * Sends outcomes and dead letters through the listener container's Kafka transaction, so they become visible together
 * with the consumed offsets or not at all.
 */
public class KafkaOutcomePublisher {

    private final KafkaOperations<byte[], byte[]> kafka;
    private final DeadLetterPublishingRecoverer deadLetters;
    private final String outcomesTopic;
    private final RecordTracing tracing;
    private final WireContract contract;

    public KafkaOutcomePublisher(KafkaOperations<byte[], byte[]> kafka, DeadLetterPublishingRecoverer deadLetters,
            String outcomesTopic, RecordTracing tracing, WireContract contract) {
        this.kafka = kafka;
        this.contract = contract;
        this.deadLetters = deadLetters;
        this.outcomesTopic = outcomesTopic;
        this.tracing = tracing;
    }

    /**
     * The outcome carries its request's key, so it lands in order with the other outcomes of that organization, and the
     * context of the request's span when that is current, so whoever reads the outcome continues the request's trace.
     */
    public void publish(ConsumerRecord<byte[], byte[]> request, PublishableOutcome outcome) {
        // The payload and both ids are capped by the domain; only the key can still be any size the broker took.
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(outcomesTopic, null,
                RecordBudget.echoedKey(request.key()), contract.frameOutcome(outcome.payload()));
        record.headers().add(new RecordHeader(WireHeaders.REQUEST_ID, utf8(outcome.requestId())));
        if (outcome.correlationId() != null) {
            record.headers().add(new RecordHeader(WireHeaders.CORRELATION_ID, utf8(outcome.correlationId())));
        }
        if (RecordBudget.keyTooLong(request.key())) {
            record.headers().add(new RecordHeader(WireHeaders.TRUNCATED, utf8("key")));
        }
        tracing.injectCurrent(record.headers());
        kafka.send(record);
    }

    /**
     * The dead letter keeps the original key, value (in whichever format it came) and headers, plus spring-kafka's
     * headers saying why and whence: a replay sends exactly what arrived.
     */
    public void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception reason) {
        deadLetters.accept(record, reason);
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
