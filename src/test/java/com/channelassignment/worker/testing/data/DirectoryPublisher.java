package com.channelassignment.worker.testing.data;

import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.RunningWorker;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.AssignmentRequests;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelChange;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes directory rows as directory changes on the requests topic, keyed by organization, each entry at one
 * version: the way tests, the fault suite and the benchmark load a directory. Links cannot be published as changes;
 * {@link #load} makes them with ASSIGN requests after the changes, as {@code directory load} does.
 */
public final class DirectoryPublisher {

    private static final AvroContract CONTRACT = new AvroContract();

    /** How many changes went out and how long the broker took to acknowledge them all. */
    public record Published(int changes, Duration took) {

        public double changesPerSecond() {
            return changes / Math.max(1e-9, took.toNanos() / 1e9);
        }
    }

    /** What the broker acknowledged: how many records, how long it took, and the offset after each partition's last. */
    private record Acknowledged(int records, Duration took, Map<TopicPartition, Long> nextOffsets) {
    }

    private DirectoryPublisher() {
    }

    /** Every identity and channel of {@code rows} as a change of {@code version}; returns once all are acknowledged. */
    public static Published publish(String bootstrapServers, String topic, DirectoryRows rows, long version) {
        if (!rows.links().isEmpty()) {
            throw new IllegalArgumentException("links are made by requests, not published as directory changes");
        }
        Acknowledged acknowledged = send(bootstrapServers, topic, changes(rows, version), List.of());
        return new Published(acknowledged.records(), acknowledged.took());
    }

    /**
     * Publishes every identity and channel of {@code rows} as a change of {@code version}, then an ASSIGN request per
     * link, and returns once {@code worker} has applied them all: its group's committed offsets have passed the last
     * record acknowledged on each partition. Fails unless every link's request was {@code ASSIGNED}.
     */
    public static void load(RunningWorker worker, DirectoryRows rows, long version, Duration timeout) {
        List<ChannelAssignmentRequest> links = linkRequests(rows);
        Acknowledged acknowledged = send(worker.bootstrapServers(), worker.requestsTopic(), changes(rows, version),
                links);
        KafkaTestClient.awaitGroupReached(worker.bootstrapServers(), worker.consumerGroup(),
                acknowledged.nextOffsets(), timeout);
        if (links.isEmpty()) {
            return;
        }
        try (KafkaTestClient client = new KafkaTestClient(worker.bootstrapServers())) {
            List<ChannelAssignmentOutcome> refused = client.readOutcomes(worker.outcomesTopic(),
                            links.stream().map(ChannelAssignmentRequest::getRequestId).toList()).stream()
                    .map(record -> CONTRACT.decodeOutcome(record.value()))
                    .filter(outcome -> outcome.getStatus() != OutcomeStatus.ASSIGNED).toList();
            if (!refused.isEmpty()) {
                throw new IllegalStateException("the directory's links were not all made: " + refused);
            }
        }
    }

    private static List<DirectoryChange> changes(DirectoryRows rows, long version) {
        List<DirectoryChange> changes = new ArrayList<>();
        for (Identity identity : rows.identities()) {
            changes.add(new IdentityChange(UUID.randomUUID().toString(), version, identity));
        }
        for (Channel channel : rows.channels()) {
            changes.add(new ChannelChange(UUID.randomUUID().toString(), version, channel));
        }
        return changes;
    }

    /** An ASSIGN request per link, naming the identity by its handle as every request does. */
    private static List<ChannelAssignmentRequest> linkRequests(DirectoryRows rows) {
        Map<String, Identity> identities = new HashMap<>();
        rows.identities().forEach(identity -> identities.put(identity.organizationId() + "/" + identity.id(),
                identity));
        List<ChannelAssignmentRequest> requests = new ArrayList<>();
        for (ChannelLink link : rows.links()) {
            Identity identity = identities.get(link.organizationId() + "/" + link.identityId());
            if (identity == null) {
                throw new IllegalArgumentException("link " + link + " names an identity the rows do not have");
            }
            requests.add(AssignmentRequests.anAssignment().withRequestId("link-" + UUID.randomUUID())
                    .inOrganization(link.organizationId()).forHandle(identity.agentHandle())
                    .ofType(link.type()).ofChannel(link.channelId()).buildWire());
        }
        return requests;
    }

    /**
     * The changes, then the requests, through one idempotent producer: each organization's records keep this order
     * in their partition, so a link's request comes after the changes that create what it names.
     */
    private static Acknowledged send(String bootstrapServers, String topic, List<DirectoryChange> changes,
            List<ChannelAssignmentRequest> requests) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            List<Future<RecordMetadata>> sends = new ArrayList<>(changes.size() + requests.size());
            for (DirectoryChange change : changes) {
                sends.add(producer.send(new ProducerRecord<>(topic, key(change.organizationId()),
                        CONTRACT.encodeChange(change))));
            }
            for (ChannelAssignmentRequest request : requests) {
                sends.add(producer.send(new ProducerRecord<>(topic, key(request.getOrganizationId()),
                        CONTRACT.encodeRequest(request))));
            }
            Map<TopicPartition, Long> nextOffsets = new HashMap<>();
            for (Future<RecordMetadata> send : sends) {
                RecordMetadata metadata = send.get();
                nextOffsets.merge(new TopicPartition(metadata.topic(), metadata.partition()), metadata.offset() + 1,
                        Math::max);
            }
            return new Acknowledged(sends.size(), Duration.ofNanos(System.nanoTime() - started), nextOffsets);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish the directory to " + topic, e);
        }
    }

    private static byte[] key(String organizationId) {
        return organizationId.getBytes(StandardCharsets.UTF_8);
    }
}
