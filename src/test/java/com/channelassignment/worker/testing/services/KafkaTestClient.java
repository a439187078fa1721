package com.channelassignment.worker.testing.services;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/** Plain Kafka clients for tests: produce raw records, read a topic the way a read_committed listener would. */
public final class KafkaTestClient implements AutoCloseable {

    private final String bootstrapServers;
    private final KafkaProducer<byte[], byte[]> producer;

    public KafkaTestClient(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        // Above the broker's limit, so that the broker, not this client, decides what is too large: tests offer it
        // records just under its limit.
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * TestServices.BROKER_MAX_MESSAGE_BYTES);
        producer = new KafkaProducer<>(config);
    }

    public void send(String topic, String key, byte[] value) {
        send(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    public void send(String topic, byte[] key, byte[] value) {
        send(new ProducerRecord<>(topic, key, value));
    }

    /** Sends the record as given, partition and headers included, and waits until the broker has it. */
    public void send(ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + record.topic(), e);
        }
    }

    /** Sends the values back to back under one key and waits for all, so they tend to share a consumer batch. */
    public void sendTogether(String topic, String key, List<byte[]> values) {
        List<Future<?>> sends = new ArrayList<>();
        for (byte[] value : values) {
            sends.add(producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)));
        }
        try {
            for (Future<?> send : sends) {
                send.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    /**
     * Reads the whole topic from the beginning until {@code done} holds for what was read, then keeps reading for
     * {@code settle} so that duplicates arriving late are counted too. Fails when {@code timeout} passes first.
     */
    public List<ConsumerRecord<byte[], byte[]>> readUntil(String topic, boolean readCommitted,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout, Duration settle) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(readCommitted)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(records)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after %s reading %s; got %d records"
                            .formatted(timeout, topic, records.size()));
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            long settleUntil = System.nanoTime() + settle.toNanos();
            while (System.nanoTime() < settleUntil) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }

    /** The committed records of {@code topic} whose request_id header is one of {@code requestIds}, once each has one. */
    public List<ConsumerRecord<byte[], byte[]>> readOutcomes(String topic, Collection<String> requestIds) {
        Set<String> wanted = Set.copyOf(requestIds);
        List<ConsumerRecord<byte[], byte[]>> all = readUntil(topic, true,
                records -> seenRequestIds(records).containsAll(wanted), Duration.ofSeconds(60),
                Duration.ofMillis(750));
        return all.stream().filter(record -> wanted.contains(header(record, "request_id"))).toList();
    }

    /** Creates the topics with one replica each and waits until every partition has a leader. */
    public static void createTopics(String bootstrapServers, int partitions, List<String> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(topics.stream().map(topic -> new NewTopic(topic, partitions, (short) 1)).toList())
                    .all().get();
            // Producing into partitions whose leaders are still being elected provoked out-of-order sequence
            // errors on the in-process broker; wait until every partition has a leader.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!allLed(admin, topics, partitions)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics " + topics + " have no leaders after 30 s");
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics " + topics, e.getCause());
        }
    }

    private static boolean allLed(Admin admin, List<String> topics, int partitions)
            throws InterruptedException, ExecutionException {
        try {
            return admin.describeTopics(topics).allTopicNames().get().values().stream()
                    .allMatch(topic -> topic.partitions().size() == partitions
                            && topic.partitions().stream().allMatch(partition -> partition.leader() != null));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                // Created, but not yet in the metadata of the broker that answered: the controller commits a new
                // topic before the brokers have applied it.
                return false;
            }
            throw e;
        }
    }

    /**
     * Waits until no transaction whose transactional id starts with {@code prefix} is open on the broker. A producer
     * killed mid-transaction leaves its transaction open until {@code transaction.timeout.ms} aborts it, and until then
     * read_committed readers cannot see past it.
     */
    public static void awaitNoOpenTransactions(String bootstrapServers, String prefix, Duration timeout) {
        ListTransactionsOptions open = new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING,
                TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT,
                TransactionState.PREPARE_EPOCH_FENCE));
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            while (true) {
                List<String> ids = admin.listTransactions(open).all().get().stream()
                        .map(TransactionListing::transactionalId).filter(id -> id.startsWith(prefix)).toList();
                if (ids.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("transactions still open after " + timeout + ": " + ids);
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list transactions", e.getCause());
        }
    }

    /**
     * Moves the group's committed offsets on every partition of {@code topic} back to the earliest offset still
     * stored, as an operator's {@code kafka-consumer-groups --reset-offsets --to-earliest} would. The group must be
     * stopped: waits until it has no members, then alters; returns how many partitions moved.
     */
    public static int resetGroupToEarliest(String bootstrapServers, String groupId, String topic, Duration timeout) {
        try (Admin admin = admin(bootstrapServers)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!admin.describeConsumerGroups(List.of(groupId)).all().get().get(groupId).members().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("group " + groupId + " still has members after " + timeout);
                }
                Thread.sleep(200);
            }
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            partitions(admin, topic).forEach(partition -> earliest.put(partition, OffsetSpec.earliest()));
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(earliest).all().get().forEach((partition, info) ->
                    offsets.put(partition, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(groupId, offsets).all().get();
            return offsets.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot reset the offsets of group " + groupId, e.getCause());
        }
    }

    /** The group's committed offsets on {@code topic}'s partitions; empty when the group committed none there. */
    public static Map<TopicPartition, Long> committedOffsets(String bootstrapServers, String groupId, String topic) {
        try (Admin admin = admin(bootstrapServers)) {
            return committedOffsets(admin, groupId, topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets of group " + groupId, e.getCause());
        }
    }

    /** The end offset of every partition of {@code topic}. */
    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic) {
        try (Admin admin = admin(bootstrapServers)) {
            return endOffsets(admin, topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e.getCause());
        }
    }

    /**
     * Waits until the group's committed offset on every partition of {@code topic} has reached the partition's end:
     * every record was consumed, including those that gave nothing to read.
     */
    public static void awaitGroupAtEnd(String bootstrapServers, String groupId, String topic, Duration timeout) {
        awaitGroupReached(bootstrapServers, groupId, endOffsets(bootstrapServers, topic), timeout);
    }

    /**
     * Waits until the group's committed offset on each of the partitions has reached the offset given for it. The
     * worker commits its offsets in the Kafka transaction that follows the database commit of the same records, so
     * once they have, the worker has applied every record below them.
     */
    public static void awaitGroupReached(String bootstrapServers, String groupId, Map<TopicPartition, Long> offsets,
            Duration timeout) {
        try (Admin admin = admin(bootstrapServers)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<TopicPartition, Long> committed = committedOffsets(admin, groupId);
            while (!offsets.entrySet().stream()
                    .allMatch(partition -> committed.getOrDefault(partition.getKey(), -1L) >= partition.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("group %s has not consumed up to %s after %s: committed %s"
                            .formatted(groupId, offsets, timeout, committed));
                }
                Thread.sleep(100);
                committed.clear();
                committed.putAll(committedOffsets(admin, groupId));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets of group " + groupId, e.getCause());
        }
    }

    /** The ids of the consumer groups the broker knows. */
    public static Set<String> consumerGroups(String bootstrapServers) {
        try (Admin admin = admin(bootstrapServers)) {
            Set<String> groups = new HashSet<>();
            admin.listConsumerGroups().all().get().forEach(group -> groups.add(group.groupId()));
            return groups;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list consumer groups", e.getCause());
        }
    }

    /** The partition the default partitioner gives {@code key} among {@code partitions}. */
    public static int partitionOf(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    private static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    private static List<TopicPartition> partitions(Admin admin, String topic)
            throws InterruptedException, ExecutionException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
    }

    private static Map<TopicPartition, Long> committedOffsets(Admin admin, String groupId, String topic)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, Long> committed = committedOffsets(admin, groupId);
        committed.keySet().removeIf(partition -> !partition.topic().equals(topic));
        return committed;
    }

    private static Map<TopicPartition, Long> committedOffsets(Admin admin, String groupId)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, Long> committed = new HashMap<>();
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().forEach((partition, offset) -> {
            if (offset != null) {
                committed.put(partition, offset.offset());
            }
        });
        return committed;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions(admin, topic).forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((partition, info) -> end.put(partition, info.offset()));
        return end;
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static Set<String> seenRequestIds(List<ConsumerRecord<byte[], byte[]>> records) {
        Set<String> ids = new HashSet<>();
        records.forEach(record -> ids.add(header(record, "request_id")));
        return ids;
    }

    private KafkaConsumer<byte[], byte[]> consumer(boolean readCommitted) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
    }

    @Override
    public void close() {
        producer.close();
    }
}
