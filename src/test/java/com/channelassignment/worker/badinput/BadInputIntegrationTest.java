package com.channelassignment.worker.badinput;

import static com.channelassignment.worker.testing.WireRequests.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.testing.DirectoryFixture;
import com.channelassignment.worker.testing.KafkaTestClient;
import com.channelassignment.worker.testing.RunningWorkerTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Malicious and malformed records through the real consumer: each gets a clear outcome or a dead letter, never a
 * crash loop, and a valid request sent after them is still processed.
 */
class BadInputIntegrationTest extends RunningWorkerTest {

    @Test
    void everyCorpusRecordGetsItsOutcomeOrDeadLetterAndTheNextValidRequestIsProcessed() {
        List<BadInputCorpus.Entry> corpus = BadInputCorpus.load();
        corpus.forEach(entry -> kafka().send(requestsTopic, entry.key(), entry.value()));
        ChannelAssignmentRequest valid = sendValidRequest();

        Map<String, List<String>> results = resultsByKey(corpus.size(), "corpus-");

        for (BadInputCorpus.Entry entry : corpus) {
            String key = entry.key() == null ? "request:corpus-null-key" : entry.keyText();
            assertThat(results.get(key)).as(entry.name()).containsExactly(entry.expected());
        }
        assertThat(onlyOutcomeFor(valid.getRequestId()).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    @Test
    void seededRandomRecordsEachGetExactlyOneOutcomeOrDeadLetter() {
        RandomBadInput generator = new RandomBadInput(20261127L);
        int count = 150;
        String run = UUID.randomUUID().toString().substring(0, 6);
        for (int i = 0; i < count; i++) {
            kafka().send(requestsTopic, "random-" + run + "-" + i, generator.next(i));
        }
        ChannelAssignmentRequest valid = sendValidRequest();

        Map<String, List<String>> results = resultsByKey(count, "random-" + run + "-");

        assertThat(results).hasSize(count);
        results.forEach((key, answers) -> assertThat(answers).as(key).hasSize(1));
        assertThat(onlyOutcomeFor(valid.getRequestId()).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    private ChannelAssignmentRequest sendValidRequest() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("survivor");
        Mailbox mailbox = directory.mailbox();
        directory.loadWith(directoryLoader);
        ChannelAssignmentRequest valid = anAssignment().inOrganization(agent.organizationId())
                .forHandle("survivor").ofMailbox(mailbox.id()).build();
        send(valid);
        return valid;
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
}
