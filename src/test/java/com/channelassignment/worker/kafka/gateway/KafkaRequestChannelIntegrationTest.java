package com.channelassignment.worker.kafka.gateway;

import com.channelassignment.worker.contract.WireHeaders;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.contract.WireContract;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.application.Answer;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.kafka.observe.RecordTracing;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.domain.IdentityDetail;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The answer reader against the test broker, with outcomes written by the test: which waiting call an outcome
 * answers, outcomes in partitions the topic did not have when the reader started, and a reader paused for want of
 * calls.
 */
class KafkaRequestChannelIntegrationTest {

    private static final Duration IDLE = Duration.ofMillis(300);

    private final AvroContract contract = new AvroContract();
    private final String bootstrap = TestServices.kafkaBootstrapServers();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String requests = "channel-requests-" + run;
    private final String outcomes = "channel-outcomes-" + run;
    private final KafkaTestClient kafka = new KafkaTestClient(bootstrap);
    private KafkaRequestChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.stop();
        }
        kafka.close();
    }

    @Test
    void answersTwoCallsRacingUnderOneKeyEachWithTheOutcomeOfWhatItAsked() throws Exception {
        KafkaTestClient.createTopics(bootstrap, 1, List.of(requests, outcomes));
        channel = started();
        AssignmentRequest assign = request("order-1", Operation.ASSIGN, UUID.randomUUID().toString());
        AssignmentRequest unassign = request("order-1", Operation.UNASSIGN, null);

        CompletableFuture<Answer> assignAnswer = channel.send(assign);
        CompletableFuture<Answer> unassignAnswer = channel.send(unassign);
        // The assignment was applied first; the unassignment under the same key is refused. Each call must read its
        // own outcome, in whichever order they come.
        publish(keyReused(unassign), 0);
        publish(assigned(assign), 0);

        assertThat(unassignAnswer.get(30, TimeUnit.SECONDS).rejectionCode())
                .isEqualTo(RejectionCode.IDEMPOTENCY_KEY_REUSED);
        assertThat(assignAnswer.get(30, TimeUnit.SECONDS).status()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    @Test
    void answersACallWhoseOutcomeIsInAPartitionAddedAfterTheReaderStarted() throws Exception {
        KafkaTestClient.createTopics(bootstrap, 1, List.of(requests, outcomes));
        channel = started();
        growOutcomesTo(3);
        AssignmentRequest assign = request("order-2", Operation.ASSIGN, UUID.randomUUID().toString());

        CompletableFuture<Answer> answer = channel.send(assign);
        publish(assigned(assign), 2);

        // The reader's metadata is at most 5 s old and it looks every 5 s: well inside the wait.
        assertThat(answer.get(30, TimeUnit.SECONDS).status()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    @Test
    void answersTwoOrganizationsUsingOneRequestIdEachWithItsOwnOutcome() throws Exception {
        KafkaTestClient.createTopics(bootstrap, 1, List.of(requests, outcomes));
        channel = started();
        // Keys are scoped to the organization: two organizations may use the same one at the same moment.
        AssignmentRequest first = new AssignmentRequest("shared-key", "org-first", "support-bot", Operation.ASSIGN,
                ChannelType.MAILBOX, UUID.randomUUID().toString(), Instant.now(), null);
        AssignmentRequest second = new AssignmentRequest("shared-key", "org-second", "support-bot", Operation.ASSIGN,
                ChannelType.MAILBOX, first.channelId(), Instant.now(), null);

        CompletableFuture<Answer> firstAnswer = channel.send(first);
        CompletableFuture<Answer> secondAnswer = channel.send(second);
        publish(Outcome.rejected(UUID.randomUUID(), second, new Decision.Rejected(RejectionCode.CHANNEL_NOT_FOUND,
                "no such mailbox"), Instant.now()), 0, "shared-key");
        publish(assigned(first), 0, "shared-key");

        assertThat(secondAnswer.get(30, TimeUnit.SECONDS).rejectionCode()).isEqualTo(RejectionCode.CHANNEL_NOT_FOUND);
        assertThat(firstAnswer.get(30, TimeUnit.SECONDS).status()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    @Test
    void readsTheRequestIdHeaderBeforeDecodingAnOutcome() throws Exception {
        KafkaTestClient.createTopics(bootstrap, 1, List.of(requests, outcomes));
        channel = started();
        AssignmentRequest assign = request("order-3", Operation.ASSIGN, UUID.randomUUID().toString());
        CompletableFuture<Answer> answer = channel.send(assign);

        // The first outcome is the call's by its payload, but its header names another call: the reader passes over
        // it without decoding it. Were the header not read, the call would get that refusal.
        publish(keyReused(assign), 0, "someone-elses-call");
        publish(assigned(assign), 0, "order-3");

        assertThat(answer.get(30, TimeUnit.SECONDS).status()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    @Test
    void answersACallThatFindsTheReaderPausedFromTheEndOfEveryPartition() throws Exception {
        KafkaTestClient.createTopics(bootstrap, 3, List.of(requests, outcomes));
        channel = started(IDLE);
        AssignmentRequest first = request("order-4", Operation.ASSIGN, UUID.randomUUID().toString());
        CompletableFuture<Answer> firstAnswer = channel.send(first);
        publish(assigned(first), 0, "order-4");
        assertThat(firstAnswer.get(30, TimeUnit.SECONDS).status()).isEqualTo(OutcomeStatus.ASSIGNED);
        awaitPaused(true);

        // Committed while the reader fetches nothing and before the next call is sent: that call's answer is the
        // outcome written after it. A reader that went on from where it paused would read this one first.
        AssignmentRequest next = request("order-5", Operation.ASSIGN, UUID.randomUUID().toString());
        publish(keyReused(next), 1, "order-5");
        CompletableFuture<Answer> nextAnswer = channel.send(next);
        assertThat(channel.isPaused()).isFalse();
        publish(assigned(next), 2, "order-5");

        assertThat(nextAnswer.get(30, TimeUnit.SECONDS).status()).isEqualTo(OutcomeStatus.ASSIGNED);
        awaitPaused(true);
    }

    @Test
    void placesAPausedReaderOnPartitionsAddedWhileItWasPaused() throws Exception {
        KafkaTestClient.createTopics(bootstrap, 1, List.of(requests, outcomes));
        channel = started(IDLE);
        awaitPaused(true);
        growOutcomesTo(3);
        AssignmentRequest assign = request("order-8", Operation.ASSIGN, UUID.randomUUID().toString());
        // In a partition the reader has never seen, committed before the call: read from the partition's beginning,
        // as a partition found later is, it would answer the call.
        publish(keyReused(assign), 2, "order-8");

        CompletableFuture<Answer> answer = channel.send(assign);
        publish(assigned(assign), 2, "order-8");

        assertThat(answer.get(30, TimeUnit.SECONDS).status()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    @Test
    void keepsReadingWhileACallWaitsLongerThanTheIdleTime() throws Exception {
        KafkaTestClient.createTopics(bootstrap, 1, List.of(requests, outcomes));
        channel = started(IDLE);
        AssignmentRequest assign = request("order-6", Operation.ASSIGN, UUID.randomUUID().toString());
        CompletableFuture<Answer> answer = channel.send(assign);

        Thread.sleep(IDLE.multipliedBy(4).toMillis());
        assertThat(channel.isPaused()).isFalse();
        publish(assigned(assign), 0, "order-6");

        assertThat(answer.get(30, TimeUnit.SECONDS).status()).isEqualTo(OutcomeStatus.ASSIGNED);
    }

    @Test
    void stopsWhilePausedAndRefusesLaterCalls() throws Exception {
        KafkaTestClient.createTopics(bootstrap, 1, List.of(requests, outcomes));
        channel = started(IDLE);
        awaitPaused(true);

        long started = System.nanoTime();
        channel.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

        CompletableFuture<Answer> refused = channel.send(request("order-7", Operation.ASSIGN,
                UUID.randomUUID().toString()));
        assertThat(refused).isCompletedExceptionally();
    }

    private void growOutcomesTo(int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createPartitions(Map.of(outcomes, NewPartitions.increaseTo(partitions))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private void awaitPaused(boolean paused) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (channel.isPaused() != paused && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(channel.isPaused()).isEqualTo(paused);
    }

    private KafkaRequestChannel started() {
        return started(KafkaRequestChannel.IDLE_BEFORE_PAUSE);
    }

    private KafkaRequestChannel started(Duration idleBeforePause) {
        KafkaTemplate<byte[], byte[]> calls = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)));
        KafkaRequestChannel started = new KafkaRequestChannel(calls, WireContract.singleObject(contract), requests,
                outcomes, Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), 0, RecordTracing.off(),
                idleBeforePause);
        started.start();
        return started;
    }

    /** As a record the worker did not write: no request_id header, so the reader decodes it. */
    private void publish(Outcome outcome, int partition) {
        kafka.send(new ProducerRecord<>(outcomes, partition, null, contract.encodeOutcome(outcome)));
    }

    private void publish(Outcome outcome, int partition, String requestIdHeader) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(outcomes, partition, null,
                contract.encodeOutcome(outcome));
        record.headers().add(WireHeaders.REQUEST_ID,
                requestIdHeader.getBytes(StandardCharsets.UTF_8));
        kafka.send(record);
    }

    private static AssignmentRequest request(String requestId, Operation operation, String channelId) {
        return new AssignmentRequest(requestId, "org-" + requestId, "support-bot", operation, ChannelType.MAILBOX,
                channelId, Instant.now(), null);
    }

    /** The refusal of a request whose key was used before for other content. */
    private static Outcome keyReused(AssignmentRequest request) {
        return Outcome.rejected(UUID.randomUUID(), request, new Decision.Rejected(RejectionCode.IDEMPOTENCY_KEY_REUSED,
                "request_id " + request.requestId() + " was already used"), Instant.now());
    }

    private static Outcome assigned(AssignmentRequest request) {
        return new Outcome(UUID.randomUUID(), request, OutcomeStatus.ASSIGNED, true, request.channelId(), null,
                new IdentityDetail(DirectoryFixture.anIdentity(request.organizationId(), request.agentHandle()),
                        List.of(DirectoryFixture.aMailbox(request.organizationId()))), Instant.now());
    }
}
