package com.channelassignment.worker.badinput;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.AssignmentRequests.anUnassignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;

/**
 * Malicious and malformed records through the real consumer: each gets a clear outcome or a dead letter, never a
 * crash loop, and a valid request sent after them in the same partition is answered within seconds.
 */
class BadInputIntegrationTest extends SpringWorkerHarness {

    /**
     * How long a valid request sent after a bad record may take to be answered. A healthy worker answers in well under
     * a second; a partition stalled behind the bad record never answers, since its batch is retried forever.
     */
    private static final Duration NO_STALL = Duration.ofSeconds(20);
    /** What the worker's producer may send (its default max.request.size); the worker's records are cut to fit it. */
    private static final int WORKER_MAX_RECORD_BYTES = 1_048_576;
    private static final int ECHOED_KEY_BYTES = 1024;
    private static final String STACK_TRACE_HEADER = "kafka_dlt-exception-stacktrace";
    private static final String UNDECODABLE = "com.channelassignment.worker.contract.UndecodableRecordException";

    @Value("${channel-assignment.topics.partitions}")
    private int partitions;

    @Test
    void everyCorpusRecordGetsItsOutcomeOrDeadLetterAndTheNextValidRequestInEveryPartitionIsProcessed() {
        List<BadInputCorpus.Entry> corpus = BadInputCorpus.load();
        List<ChannelAssignmentRequest> followUps = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
            followUps.add(validRequest());
        }
        corpus.forEach(entry -> kafka().send(requestsTopic, entry.key(), entry.value()));
        // The corpus's keys spread it over every partition: one valid request behind it in each proves none stalled.
        for (int partition = 0; partition < partitions; partition++) {
            ChannelAssignmentRequest followUp = followUps.get(partition);
            kafka().send(new ProducerRecord<>(requestsTopic, partition, utf8(followUp.getOrganizationId()),
                    contract.encodeRequest(followUp)));
        }

        Map<String, List<String>> results = resultsByKey(corpus.size(), "corpus-");

        for (BadInputCorpus.Entry entry : corpus) {
            String key = entry.key() == null ? "request:corpus-null-key" : entry.keyText();
            assertThat(results.get(key)).as(entry.name()).containsExactly(entry.expected());
        }
        followUps.forEach(followUp -> assertThat(answeredWithinSeconds(followUp).getStatus())
                .isEqualTo(OutcomeStatus.ASSIGNED));
        List<BadInputCorpus.Entry> deadLettered = corpus.stream().filter(BadInputCorpus.Entry::deadLetter).toList();
        Set<String> deadLetteredKeys = deadLettered.stream().map(BadInputCorpus.Entry::keyText)
                .collect(Collectors.toSet());
        List<ConsumerRecord<byte[], byte[]>> deadLetters = kafka().readUntil(deadLetterTopic, true,
                all -> all.stream().filter(record -> record.key() != null)
                        .map(record -> new String(record.key(), StandardCharsets.UTF_8))
                        .collect(Collectors.toSet()).containsAll(deadLetteredKeys),
                Duration.ofSeconds(30), Duration.ZERO);
        for (BadInputCorpus.Entry entry : deadLettered) {
            ConsumerRecord<byte[], byte[]> deadLetter = deadLetters.stream()
                    .filter(record -> Arrays.equals(record.key(), entry.key())).findFirst().orElseThrow();
            assertThat(KafkaTestClient.header(deadLetter, STACK_TRACE_HEADER)).as(entry.name()).isNull();
            if (entry.value() != null) {
                assertDescribesOriginalValue(deadLetter, entry.value());
                assertThat(deadLetter.value()).as(entry.name()).isEqualTo(entry.value());
            }
        }
    }

    @Test
    void seededRandomRecordsEachGetExactlyOneOutcomeOrDeadLetter() {
        RandomBadInput generator = new RandomBadInput(20261127L);
        int count = 150;
        String run = UUID.randomUUID().toString().substring(0, 6);
        ChannelAssignmentRequest valid = validRequest();
        for (int i = 0; i < count; i++) {
            kafka().send(requestsTopic, "random-" + run + "-" + i, generator.next(i));
        }
        send(valid);

        Map<String, List<String>> results = resultsByKey(count, "random-" + run + "-");

        assertThat(results).hasSize(count);
        results.forEach((key, answers) -> assertThat(answers).as(key).hasSize(1));
        assertThat(onlyOutcomeFor(valid.getRequestId()).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    /**
     * requested_at only feeds the end-to-end latency timer, after the database commit: a timestamp centuries away must
     * neither fail the batch there nor be refused. Each request really assigns or releases, on one key, in order.
     */
    @Test
    void appliesRequestsWhoseRequestedAtIsCenturiesAwayOrAtTheEndsOfALong() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("timekeeper");
        Mailbox mailbox = directory.mailbox();
        directory.publishTo(worker());
        List<ChannelAssignmentRequest> requests = new ArrayList<>();
        List<OutcomeStatus> expected = new ArrayList<>();
        for (BadInputCorpusWriter.ExtremeInstant at : BadInputCorpusWriter.EXTREME_REQUESTED_AT) {
            boolean assign = requests.size() % 2 == 0;
            ChannelAssignmentRequest request = (assign ? anAssignment().ofMailbox(mailbox.id()) : anUnassignment())
                    .inOrganization(agent.organizationId()).forHandle("timekeeper")
                    .withRequestId("requested-at-" + at.name() + "-" + UUID.randomUUID())
                    .requestedAt(at.instant()).buildWire();
            send(request);
            requests.add(request);
            expected.add(assign ? OutcomeStatus.ASSIGNED : OutcomeStatus.UNASSIGNED);
        }
        ChannelAssignmentRequest followUp = anAssignment().ofMailbox(mailbox.id())
                .inOrganization(agent.organizationId()).forHandle("timekeeper").buildWire();
        send(followUp);

        assertThat(answeredWithinSeconds(followUp).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(requests.stream().map(request -> onlyOutcomeFor(request.getRequestId()).getStatus()).toList())
                .isEqualTo(expected);
    }

    /**
     * A tiny record whose string length prefix claims up to 1.5 GB: Avro checks the claim against its 1 MiB limit
     * before allocating, so the cause is SystemLimitException, the worker never asks for the memory, and the partition
     * moves on.
     */
    @Test
    void deadLettersStringLengthPrefixesBeyondAvrosLimitWithoutAllocatingThem() {
        ChannelAssignmentRequest followUp = validRequest();
        List<byte[]> lying = BadInputCorpusWriter.LYING_STRING_LENGTHS.stream()
                .map(BadInputCorpusWriter::lyingStringLength).toList();
        lying.forEach(value -> kafka().send(requestsTopic, followUp.getOrganizationId(), value));
        send(followUp);

        assertThat(answeredWithinSeconds(followUp).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        for (byte[] value : lying) {
            // The corpus holds the same bytes under other keys: the key tells this test's dead letters apart.
            ConsumerRecord<byte[], byte[]> deadLetter = onlyDeadLetter(withOriginalValueSha256(value)
                    .and(record -> Arrays.equals(record.key(), utf8(followUp.getOrganizationId()))));
            assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-exception-fqcn")).isEqualTo(UNDECODABLE);
            assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-exception-cause-fqcn"))
                    .isEqualTo("org.apache.avro.SystemLimitException");
            assertThat(deadLetter.value()).isEqualTo(value);
        }
    }

    @Test
    void echoesAnOversizedKeyCutTo1024BytesOnTheOutcome() {
        ChannelAssignmentRequest request = validRequest();
        ChannelAssignmentRequest followUp = validRequest();
        byte[] key = oversizedKey("oversized-valid-");
        int partition = 1;
        kafka().send(new ProducerRecord<>(requestsTopic, partition, key, contract.encodeRequest(request)));
        // The key is what is under test, so the follow-up shares the partition instead.
        kafka().send(new ProducerRecord<>(requestsTopic, partition, utf8(followUp.getOrganizationId()),
                contract.encodeRequest(followUp)));

        assertThat(answeredWithinSeconds(followUp).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        ConsumerRecord<byte[], byte[]> outcome = onlyOutcomeRecordFor(request.getRequestId());
        assertThat(contract.decodeOutcome(outcome.value()).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(outcome.key()).isEqualTo(Arrays.copyOf(key, ECHOED_KEY_BYTES));
        assertThat(KafkaTestClient.header(outcome, "truncated")).isEqualTo("key");
    }

    @Test
    void deadLettersGarbageUnderAnOversizedKeyWithTheKeyCutAndDescribed() {
        byte[] key = oversizedKey("oversized-garbage-");
        byte[] garbage = "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8);
        int partition = 2;
        ChannelAssignmentRequest followUp = validRequest();
        kafka().send(new ProducerRecord<>(requestsTopic, partition, key, garbage));
        kafka().send(new ProducerRecord<>(requestsTopic, partition, utf8(followUp.getOrganizationId()),
                contract.encodeRequest(followUp)));

        assertThat(answeredWithinSeconds(followUp).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        ConsumerRecord<byte[], byte[]> deadLetter = onlyDeadLetter(
                record -> Arrays.equals(record.key(), Arrays.copyOf(key, ECHOED_KEY_BYTES)));
        assertThat(KafkaTestClient.header(deadLetter, "truncated")).isEqualTo("key");
        assertThat(KafkaTestClient.header(deadLetter, "dlt-original-key-size")).isEqualTo(
                Integer.toString(key.length));
        assertThat(KafkaTestClient.header(deadLetter, "dlt-original-key-sha256")).isEqualTo(sha256(key));
        assertThat(deadLetter.value()).isEqualTo(garbage);
        assertDescribesOriginalValue(deadLetter, garbage);
    }

    /**
     * The broker took the record, but a dead letter carrying its value and spring-kafka's headers would not fit the
     * worker's producer: the value is left out, and its size and SHA-256 still identify it.
     */
    @Test
    void deadLettersGarbageJustUnderTheBrokersLimitWithoutItsValue() {
        ChannelAssignmentRequest followUp = validRequest();
        byte[] key = utf8(followUp.getOrganizationId());
        Random random = new Random(1_048_588L);
        byte[] garbage = justUnderTheBrokersLimit(size -> {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            bytes[0] = 0x7B; // not the single-object marker, whatever the random bytes say
            return bytes;
        }, value -> batchBytes(key, value, new Header[0]));
        kafka().send(new ProducerRecord<>(requestsTopic, null, key, garbage));
        send(followUp);

        assertThat(answeredWithinSeconds(followUp).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        ConsumerRecord<byte[], byte[]> deadLetter = onlyDeadLetter(withOriginalValueSha256(garbage));
        assertThat(deadLetter.value()).isNull();
        assertThat(KafkaTestClient.header(deadLetter, "truncated")).isEqualTo("value");
        assertDescribesOriginalValue(deadLetter, garbage);
        assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-exception-fqcn")).isEqualTo(UNDECODABLE);
    }

    @Test
    void deadLettersGarbageWithHeadersJustUnderTheBrokersLimitWithoutThoseHeaders() {
        assertDeadLetteredWithoutItsOriginalHeaders("x-bulk");
    }

    /**
     * Headers that come with the record are the producer's, whatever their names: dropping them must not spare those
     * named like the ones the dead letter itself adds.
     */
    @Test
    void deadLettersGarbageWithHeadersNamedLikeDeadLetterHeadersWithoutThoseHeaders() {
        assertDeadLetteredWithoutItsOriginalHeaders("dlt-original-value-sha256");
        assertDeadLetteredWithoutItsOriginalHeaders("kafka_dlt-original-topic");
    }

    /**
     * A producer that replays a dead letter, or forges one, cannot slip a stack trace or another exception into the
     * next dead letter: its exception headers are the worker's only.
     */
    @Test
    void deadLetterCarriesNoStackTraceEvenWhenTheOriginalRecordHasOne() {
        ChannelAssignmentRequest followUp = validRequest();
        byte[] garbage = ("forged-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> forged = new ProducerRecord<>(requestsTopic, null,
                utf8(followUp.getOrganizationId()), garbage);
        forged.headers().add(STACK_TRACE_HEADER, utf8("at com.example.Secret.password(Secret.java:42)"));
        forged.headers().add("kafka_dlt-exception-fqcn", utf8("com.example.ForgedException"));
        kafka().send(forged);
        send(followUp);

        assertThat(answeredWithinSeconds(followUp).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        ConsumerRecord<byte[], byte[]> deadLetter = onlyDeadLetter(withOriginalValueSha256(garbage));
        assertThat(deadLetter.headers().headers(STACK_TRACE_HEADER)).isEmpty();
        assertThat(deadLetter.headers().headers("kafka_dlt-exception-fqcn")).extracting(Header::value)
                .containsExactly(utf8(UNDECODABLE));
    }

    /**
     * Sends garbage carrying one header named {@code headerName}, so large that the record is just under the broker's
     * limit, then a valid request on the same key, and checks the dead letter keeps the value and drops the header.
     */
    private void assertDeadLetteredWithoutItsOriginalHeaders(String headerName) {
        ChannelAssignmentRequest followUp = validRequest();
        byte[] key = utf8(followUp.getOrganizationId());
        byte[] garbage = ("garbage-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        byte[] bulk = justUnderTheBrokersLimit(size -> {
            byte[] bytes = new byte[size];
            Arrays.fill(bytes, (byte) 'h');
            return bytes;
        }, value -> batchBytes(key, garbage, new Header[] {new RecordHeader(headerName, value)}));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(requestsTopic, null, key, garbage);
        record.headers().add(headerName, bulk);
        kafka().send(record);
        send(followUp);

        assertThat(answeredWithinSeconds(followUp).getStatus()).as(headerName).isEqualTo(OutcomeStatus.ASSIGNED);
        ConsumerRecord<byte[], byte[]> deadLetter = onlyDeadLetter(withOriginalValueSha256(garbage));
        assertThat(deadLetter.value()).isEqualTo(garbage);
        assertThat(KafkaTestClient.header(deadLetter, "truncated")).isEqualTo("headers");
        assertThat(deadLetter.headers().toArray()).as(headerName)
                .noneMatch(header -> Arrays.equals(header.value(), bulk));
        assertDescribesOriginalValue(deadLetter, garbage);
    }

    private static void assertDescribesOriginalValue(ConsumerRecord<byte[], byte[]> deadLetter, byte[] original) {
        assertThat(KafkaTestClient.header(deadLetter, "dlt-original-value-size"))
                .isEqualTo(Integer.toString(original.length));
        assertThat(KafkaTestClient.header(deadLetter, "dlt-original-value-sha256")).isEqualTo(sha256(original));
    }

    /**
     * A valid assignment in an organization of its own, whose identity and mailbox the worker has applied: it gets
     * ASSIGNED on any partition. Made before the bad input is sent, so a stall shows in the follow-up's answer.
     */
    private ChannelAssignmentRequest validRequest() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("survivor");
        Mailbox mailbox = directory.mailbox();
        directory.publishTo(worker());
        return anAssignment().inOrganization(agent.organizationId()).forHandle("survivor").ofMailbox(mailbox.id())
                .buildWire();
    }

    /** The one committed outcome of a request sent after bad input; failing within {@link #NO_STALL} means a stall. */
    private ChannelAssignmentOutcome answeredWithinSeconds(ChannelAssignmentRequest request) {
        List<ConsumerRecord<byte[], byte[]>> records;
        try {
            records = kafka().readUntil(outcomesTopic, true,
                    all -> all.stream().anyMatch(withRequestId(request.getRequestId())), NO_STALL,
                    Duration.ofMillis(500));
        } catch (AssertionError timedOut) {
            throw new AssertionError("no outcome for " + request.getRequestId() + " within " + NO_STALL
                    + ": its partition stalled behind the bad record", timedOut);
        }
        List<ConsumerRecord<byte[], byte[]>> answers = records.stream()
                .filter(withRequestId(request.getRequestId())).toList();
        assertThat(answers).as("outcomes of " + request.getRequestId()).hasSize(1);
        return contract.decodeOutcome(answers.get(0).value());
    }

    private ConsumerRecord<byte[], byte[]> onlyOutcomeRecordFor(String requestId) {
        List<ConsumerRecord<byte[], byte[]>> records = outcomeRecordsFor(requestId);
        assertThat(records).as("outcomes of " + requestId).hasSize(1);
        return records.get(0);
    }

    /** The one dead letter that matches; none of them may carry a stack trace. */
    private ConsumerRecord<byte[], byte[]> onlyDeadLetter(Predicate<ConsumerRecord<byte[], byte[]>> matching) {
        List<ConsumerRecord<byte[], byte[]>> deadLetters = kafka().readUntil(deadLetterTopic, true,
                all -> all.stream().anyMatch(matching), Duration.ofSeconds(30), Duration.ofMillis(500)).stream()
                .filter(matching).toList();
        assertThat(deadLetters).hasSize(1);
        assertThat(KafkaTestClient.header(deadLetters.get(0), STACK_TRACE_HEADER)).isNull();
        return deadLetters.get(0);
    }

    private static Predicate<ConsumerRecord<byte[], byte[]>> withOriginalValueSha256(byte[] original) {
        String sha256 = sha256(original);
        return record -> sha256.equals(KafkaTestClient.header(record, "dlt-original-value-sha256"));
    }

    private static Predicate<ConsumerRecord<byte[], byte[]>> withRequestId(String requestId) {
        return record -> requestId.equals(KafkaTestClient.header(record, "request_id"));
    }

    /** 900 KiB, starting with a prefix unique to the test so that its 1024-byte cut finds the test's records only. */
    private static byte[] oversizedKey(String prefix) {
        byte[] key = new byte[900 * 1024];
        Arrays.fill(key, (byte) 'k');
        byte[] unique = utf8(prefix + UUID.randomUUID() + "-");
        System.arraycopy(unique, 0, key, 0, unique.length);
        return key;
    }

    /**
     * Bytes from {@code filler} of the size that puts the record a few bytes under the broker's message.max.bytes,
     * and over what the worker's producer may send.
     */
    private static byte[] justUnderTheBrokersLimit(IntFunction<byte[]> filler, ToIntFunction<byte[]> recordBytes) {
        int target = TestServices.BROKER_MAX_MESSAGE_BYTES - 8;
        byte[] bytes = filler.apply(target);
        // The record's size grows with the filler's byte for byte, except where a varint length gains a byte.
        while (recordBytes.applyAsInt(bytes) > target) {
            bytes = filler.apply(bytes.length - (recordBytes.applyAsInt(bytes) - target));
        }
        assertThat(recordBytes.applyAsInt(bytes)).isBetween(WORKER_MAX_RECORD_BYTES + 1, target);
        return bytes;
    }

    /** The size of a batch holding this record alone, as the broker holds it against message.max.bytes. */
    private static int batchBytes(byte[] key, byte[] value, Header[] headers) {
        return AbstractRecords.estimateSizeInBytes(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                List.of(new SimpleRecord(0L, key, value, headers)));
    }

    /**
     * What each key got: DEAD_LETTER, or the outcome's rejection code or status, read from both topics with
     * read_committed until {@code expected} keys with {@code prefix} answered, plus a settling time for duplicates.
     * The record without a key is found by its request id instead.
     */
    private Map<String, List<String>> resultsByKey(int expected, String prefix) {
        Map<String, List<String>> results = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            results.clear();
            collect(results, kafka().readUntil(outcomesTopic, true, all -> true, Duration.ofSeconds(10),
                    Duration.ofMillis(300)), prefix, false);
            collect(results, kafka().readUntil(deadLetterTopic, true, all -> true, Duration.ofSeconds(10),
                    Duration.ofMillis(300)), prefix, true);
            if (results.size() >= expected) {
                return results;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only %d of %d records answered: %s".formatted(results.size(), expected,
                        results.keySet()));
            }
        }
    }

    private void collect(Map<String, List<String>> results, List<ConsumerRecord<byte[], byte[]>> records,
            String prefix, boolean deadLetters) {
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (key == null && !deadLetters && prefix.equals("corpus-")
                    && "corpus-null-key".equals(KafkaTestClient.header(record, "request_id"))) {
                key = "request:corpus-null-key";
            } else if (key == null || !key.startsWith(prefix)) {
                continue;
            }
            results.computeIfAbsent(key, k -> new ArrayList<>()).add(deadLetters ? "DEAD_LETTER" : result(record));
        }
    }

    private String result(ConsumerRecord<byte[], byte[]> record) {
        ChannelAssignmentOutcome outcome = contract.decodeOutcome(record.value());
        return outcome.getRejection() == null ? outcome.getStatus().toString()
                : outcome.getRejection().getCode().toString();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform ships SHA-256", e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
