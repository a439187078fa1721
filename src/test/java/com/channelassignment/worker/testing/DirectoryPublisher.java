package com.channelassignment.worker.testing;

import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelChange;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.kafka.AvroContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes directory rows as directory changes on the requests topic, keyed by organization, each entry at one
 * version: the way tests and the benchmark load a directory. Links cannot be published; they are made by requests.
 */
public final class DirectoryPublisher {

    /** How many changes went out and how long the broker took to acknowledge them all. */
    public record Published(int changes, Duration took) {

        public double changesPerSecond() {
            return changes / Math.max(1e-9, took.toNanos() / 1e9);
        }
    }

    private DirectoryPublisher() {
    }

    /** Every identity and channel of {@code rows} as a change of {@code version}; returns once all are acknowledged. */
    public static Published publish(String bootstrapServers, String topic, DirectoryRows rows, long version) {
        if (!rows.links().isEmpty()) {
            throw new IllegalArgumentException("links are made by requests, not published as directory changes");
        }
        List<DirectoryChange> changes = new ArrayList<>();
        for (Identity identity : rows.identities()) {
            changes.add(new IdentityChange(UUID.randomUUID().toString(), version, identity));
        }
        for (Channel channel : rows.channels()) {
            changes.add(new ChannelChange(UUID.randomUUID().toString(), version, channel));
        }
        AvroContract contract = new AvroContract();
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            List<Future<?>> sends = new ArrayList<>(changes.size());
            for (DirectoryChange change : changes) {
                sends.add(producer.send(new ProducerRecord<>(topic,
                        change.organizationId().getBytes(StandardCharsets.UTF_8), contract.encodeChange(change))));
            }
            for (Future<?> send : sends) {
                send.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish the directory to " + topic, e);
        }
        return new Published(changes.size(), Duration.ofNanos(System.nanoTime() - started));
    }
}
