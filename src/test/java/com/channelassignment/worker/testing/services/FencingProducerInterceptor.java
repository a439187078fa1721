package com.channelassignment.worker.testing.services;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Installed in the worker's producer by a test: when the worker sends the outcome of the armed request, a second
 * producer with the same transactional id is initialized first. The broker then fences the worker's producer, so its
 * Kafka transaction fails after the database transaction has committed, exactly as after a zombie takeover.
 */
public class FencingProducerInterceptor implements ProducerInterceptor<byte[], byte[]> {

    private static final Map<String, AtomicInteger> SENDS = new ConcurrentHashMap<>();
    private static volatile String armedRequestId;

    private Map<String, Object> producerConfig;

    public static void arm(String requestId) {
        armedRequestId = requestId;
    }

    /** How many times the worker tried to publish an outcome for the request. */
    public static int sendsFor(String requestId) {
        AtomicInteger count = SENDS.get(requestId);
        return count == null ? 0 : count.get();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        producerConfig = new HashMap<>(configs);
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader("request_id");
        if (header == null) {
            return record;
        }
        String requestId = new String(header.value(), StandardCharsets.UTF_8);
        SENDS.computeIfAbsent(requestId, id -> new AtomicInteger()).incrementAndGet();
        if (requestId.equals(armedRequestId)) {
            armedRequestId = null;
            fenceTheWorkersProducer();
        }
        return record;
    }

    private void fenceTheWorkersProducer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, producerConfig.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, producerConfig.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> usurper = new KafkaProducer<>(config)) {
            usurper.initTransactions();
        }
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void close() {
    }
}
