package com.channelassignment.worker.kafka;

import com.channelassignment.worker.application.AppliedBatch;
import com.channelassignment.worker.application.ApplyAssignmentRequests;
import com.channelassignment.worker.application.IncomingRequest;
import com.channelassignment.worker.application.PublishableOutcome;
import com.channelassignment.worker.application.RecordPosition;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Consumes a poll's worth of requests at a time inside the container's Kafka transaction: decode, apply in one
 * database transaction, then publish outcomes and dead letters. The container commits the offsets with the
 * published records when this method returns, and aborts them all if it throws.
 */
public class AssignmentRequestListener {

    public static final String DEFAULT_LISTENER_ID = "channel-assignment-worker";

    private static final Logger log = LoggerFactory.getLogger(AssignmentRequestListener.class);

    /** A decoded request with the record it came in. */
    private record Decoded(ConsumerRecord<byte[], byte[]> record, IncomingRequest request) {
    }

    /** An outcome ready to go out, with the record whose key and request it answers. */
    private record Answer(Decoded request, PublishableOutcome outcome) {
    }

    private final AvroContract contract;
    private final ApplyAssignmentRequests applyRequests;
    private final KafkaOutcomePublisher publisher;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final int poisonAttempts;
    // Failed attempts per batch, keyed by its first record; shared by the container's consumer threads.
    private final Map<String, Integer> failedAttempts = new ConcurrentHashMap<>();

    public AssignmentRequestListener(AvroContract contract, ApplyAssignmentRequests applyRequests,
            KafkaOutcomePublisher publisher, WorkerMetrics metrics, Clock clock, int poisonAttempts) {
        this.contract = contract;
        this.applyRequests = applyRequests;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
        this.poisonAttempts = poisonAttempts;
    }

    @KafkaListener(id = "${channel-assignment.listener-id:" + DEFAULT_LISTENER_ID + "}",
            topics = "${channel-assignment.topics.requests}", batch = "true")
    public void onBatch(List<ConsumerRecord<byte[], byte[]>> records) {
        long started = System.nanoTime();
        List<Decoded> decoded = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                decoded.add(new Decoded(record, new IncomingRequest(
                        new RecordPosition(record.topic(), record.partition(), record.offset()),
                        contract.decodeRequest(record.value()))));
            } catch (UndecodableRecordException e) {
                // Undecodable records never reach the database: retrying cannot fix them and they must not hold up
                // the rest of the partition.
                deadLetter(record, e);
            }
        }

        // The database commits inside apply(); everything published below is still uncommitted in Kafka.
        List<Answer> answers;
        String batchKey = records.isEmpty() ? "" : position(records.get(0));
        long databaseStarted = System.nanoTime();
        try {
            answers = answer(decoded, applyRequests.apply(decoded.stream().map(Decoded::request).toList()));
        } catch (RuntimeException failure) {
            if (TransientFailures.isTransient(failure)
                    || failedAttempts.merge(batchKey, 1, Integer::sum) < poisonAttempts) {
                throw failure;
            }
            log.warn("batch starting at {} failed {} times ({}); applying its records one by one to isolate the "
                    + "poison", batchKey, poisonAttempts, failure.toString());
            answers = applyIsolatingPoison(decoded);
        }
        failedAttempts.remove(batchKey);
        long databaseMillis = (System.nanoTime() - databaseStarted) / 1_000_000;

        Instant publishedAt = clock.instant();
        for (Answer answer : answers) {
            try (MDC.MDCCloseable requestId = MDC.putCloseable("request_id", answer.outcome().requestId())) {
                publisher.publish(answer.request().record(), answer.outcome());
                metrics.outcome(answer.outcome(), answer.request().request().request().requestedAt(), publishedAt);
            }
        }
        metrics.batch(records.size(), System.nanoTime() - started);
        log.info("batch of {} records: {} outcomes ({} replays), {} dead-lettered in {} ms ({} ms in the database)",
                records.size(), answers.size(), answers.stream().filter(answer -> answer.outcome().replay()).count(),
                records.size() - answers.size(), (System.nanoTime() - started) / 1_000_000, databaseMillis);
    }

    /**
     * Each request in its own database transaction, in offset order. One that still fails, and not on
     * infrastructure, is a poison record: dead-lettered with the exception, while the others are applied once.
     */
    private List<Answer> applyIsolatingPoison(List<Decoded> decoded) {
        List<Answer> answers = new ArrayList<>(decoded.size());
        for (Decoded one : decoded) {
            try (MDC.MDCCloseable requestId = MDC.putCloseable("request_id", one.request().request().requestId())) {
                answers.addAll(answer(List.of(one), applyRequests.apply(List.of(one.request()))));
            } catch (RuntimeException failure) {
                if (TransientFailures.isTransient(failure)) {
                    throw failure;
                }
                deadLetter(one.record(), failure);
            }
        }
        return answers;
    }

    private static List<Answer> answer(List<Decoded> decoded, AppliedBatch applied) {
        if (applied.alreadyCommittedRequests() > 0) {
            log.info("{} requests were already committed to the database (a redelivery, or a zombie's late batch); "
                    + "their stored outcomes are published again", applied.alreadyCommittedRequests());
        }
        List<Answer> answers = new ArrayList<>(decoded.size());
        for (int i = 0; i < decoded.size(); i++) {
            answers.add(new Answer(decoded.get(i), applied.outcomes().get(i)));
        }
        return answers;
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception reason) {
        log.warn("dead-lettering {}: {}", position(record), reason.toString());
        publisher.deadLetter(record, reason);
        metrics.deadLettered(reason);
    }

    private static String position(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
