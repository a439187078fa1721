package com.channelassignment.worker.kafka;

import com.channelassignment.worker.application.Answer;
import com.channelassignment.worker.application.RequestChannel;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.IdentityDetail;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaOperations;

/**
 * Sends a caller's request to the requests topic and hands back its answer from the outcomes topic.
 *
 * <p>Every instance reads the whole outcomes topic ({@code read_committed}, from its end when the instance starts,
 * without a consumer group) and completes the calls it is waiting for, matched by organization and request_id.
 * Reading everything is what lets any number of instances each get their own answers with no routing; its cost
 * grows with the outcome rate times the number of instances (README.md, "HTTP API").
 */
public class KafkaRequestChannel implements RequestChannel, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KafkaRequestChannel.class);

    /** Whose answer an outcome is: the organization and request_id as the outcome echoes them. */
    private record Waiting(String organizationId, String requestId) {

        static Waiting of(AssignmentRequest request) {
            AssignmentRequest echoed = request.echoed();
            return new Waiting(Objects.toString(echoed.organizationId(), ""), echoed.requestId());
        }
    }

    private final KafkaOperations<byte[], byte[]> kafka;
    private final AvroContract contract;
    private final String requestsTopic;
    private final String outcomesTopic;
    private final Map<String, Object> consumerProperties;
    private final Map<Waiting, List<CompletableFuture<Answer>>> waiting = new ConcurrentHashMap<>();
    private final CountDownLatch positioned = new CountDownLatch(1);
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Thread reader;
    private volatile boolean running;

    public KafkaRequestChannel(KafkaOperations<byte[], byte[]> kafka, AvroContract contract, String requestsTopic,
            String outcomesTopic, Map<String, Object> consumerProperties) {
        this.kafka = kafka;
        this.contract = contract;
        this.requestsTopic = requestsTopic;
        this.outcomesTopic = outcomesTopic;
        Map<String, Object> properties = new HashMap<>(consumerProperties);
        // No group: every instance reads every partition, and nothing is committed.
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "channel-assignment-answers");
        // Answers are waited for: fetch as soon as any outcome is there.
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        this.consumerProperties = properties;
    }

    @Override
    public CompletableFuture<Answer> send(AssignmentRequest request) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        // Waiting before sending: the outcome can be committed before send() returns.
        waiting.computeIfAbsent(Waiting.of(request), key -> new CopyOnWriteArrayList<>()).add(answer);
        byte[] key = request.organizationId() == null ? null
                : request.organizationId().getBytes(StandardCharsets.UTF_8);
        kafka.send(new ProducerRecord<>(requestsTopic, key, contract.encodeRequest(request)))
                .whenComplete((sent, failure) -> {
                    if (failure != null) {
                        answer.completeExceptionally(failure);
                    }
                });
        return answer;
    }

    @Override
    public void forget(AssignmentRequest request, CompletableFuture<Answer> answer) {
        waiting.computeIfPresent(Waiting.of(request), (key, answers) -> {
            answers.remove(answer);
            return answers.isEmpty() ? null : answers;
        });
    }

    @Override
    public void start() {
        running = true;
        reader = new Thread(this::readOutcomes, "answers-" + outcomesTopic);
        reader.setDaemon(true);
        reader.start();
        try {
            // Calls are accepted only once the reader is placed at the end of every partition: an outcome committed
            // after a call was sent is then always read.
            if (!positioned.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("could not place the answer reader on " + outcomesTopic);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while placing the answer reader", e);
        }
    }

    @Override
    public void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            if (reader != null) {
                reader.join(Duration.ofSeconds(10).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void readOutcomes() {
        try (KafkaConsumer<byte[], byte[]> outcomes = new KafkaConsumer<>(consumerProperties)) {
            consumer = outcomes;
            List<TopicPartition> partitions = outcomes.partitionsFor(outcomesTopic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            outcomes.assign(partitions);
            outcomes.seekToEnd(partitions);
            partitions.forEach(partition -> outcomes.position(partition, Duration.ofSeconds(30)));
            positioned.countDown();
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : outcomes.poll(Duration.ofMillis(200))) {
                    answer(record);
                }
            }
        } catch (WakeupException stopping) {
            // stop() woke the reader.
        } catch (RuntimeException e) {
            log.error("the answer reader on {} stopped: {}", outcomesTopic, e.toString());
        } finally {
            waiting.values().forEach(answers -> answers.forEach(answer -> answer.completeExceptionally(
                    new IllegalStateException("the answer reader stopped"))));
        }
    }

    private void answer(ConsumerRecord<byte[], byte[]> record) {
        if (waiting.isEmpty()) {
            return;
        }
        ChannelAssignmentOutcome outcome;
        try {
            outcome = contract.decodeOutcome(record.value());
        } catch (RuntimeException notAnOutcome) {
            return;
        }
        List<CompletableFuture<Answer>> answers = waiting.remove(
                new Waiting(Objects.toString(outcome.getOrganizationId(), ""), outcome.getRequestId()));
        if (answers != null) {
            Answer answer = answerOf(outcome);
            answers.forEach(future -> future.complete(answer));
        }
    }

    static Answer answerOf(ChannelAssignmentOutcome outcome) {
        var rejection = outcome.getRejection();
        return new Answer(outcome.getRequestId(), OutcomeStatus.valueOf(outcome.getStatus().name()),
                rejection == null ? null : RejectionCode.valueOf(rejection.getCode().name()),
                rejection == null ? 200 : rejection.getHttpStatus(),
                rejection == null ? null : rejection.getMessage(),
                outcome.getIdentity() == null ? null : identityOf(outcome.getIdentity()));
    }

    private static Answer.IdentityView identityOf(IdentityDetail detail) {
        var mailbox = detail.getMailbox();
        var phoneNumber = detail.getPhoneNumber();
        return new Answer.IdentityView(detail.getId(), detail.getOrganizationId(), detail.getAgentHandle(),
                detail.getStatus().name(), detail.getCreatedAt(), detail.getUpdatedAt(),
                mailbox == null ? null : new Answer.MailboxView(mailbox.getId(), mailbox.getEmailAddress(),
                        mailbox.getDisplayName(), mailbox.getCreatedAt(), mailbox.getUpdatedAt()),
                phoneNumber == null ? null : new Answer.PhoneNumberView(phoneNumber.getId(),
                        phoneNumber.getNumber(), phoneNumber.getType().name(), phoneNumber.getCreatedAt(),
                        phoneNumber.getUpdatedAt()));
    }
}
