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

    private final AvroContract contract;
    private final ApplyAssignmentRequests applyRequests;
    private final KafkaOutcomePublisher publisher;
    private final WorkerMetrics metrics;
    private final Clock clock;

    public AssignmentRequestListener(AvroContract contract, ApplyAssignmentRequests applyRequests,
            KafkaOutcomePublisher publisher, WorkerMetrics metrics, Clock clock) {
        this.contract = contract;
        this.applyRequests = applyRequests;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
    }

    @KafkaListener(id = "${channel-assignment.listener-id:" + DEFAULT_LISTENER_ID + "}",
            topics = "${channel-assignment.topics.requests}", batch = "true")
    public void onBatch(List<ConsumerRecord<byte[], byte[]>> records) {
        long started = System.nanoTime();
        List<ConsumerRecord<byte[], byte[]>> decodedRecords = new ArrayList<>(records.size());
        List<IncomingRequest> requests = new ArrayList<>(records.size());
        int deadLettered = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                requests.add(new IncomingRequest(
                        new RecordPosition(record.topic(), record.partition(), record.offset()),
                        contract.decodeRequest(record.value())));
                decodedRecords.add(record);
            } catch (UndecodableRecordException e) {
                // Undecodable records never reach the database: retrying cannot fix them and they must not hold up
                // the rest of the partition.
                log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                        e.getMessage());
                publisher.deadLetter(record, e);
                metrics.deadLettered(e);
                deadLettered++;
            }
        }

        // The database commits inside apply(); everything published below is still uncommitted in Kafka.
        AppliedBatch applied = applyRequests.apply(requests);
        List<PublishableOutcome> outcomes = applied.outcomes();
        Instant publishedAt = clock.instant();
        for (int i = 0; i < outcomes.size(); i++) {
            PublishableOutcome outcome = outcomes.get(i);
            try (MDC.MDCCloseable requestId = MDC.putCloseable("request_id", outcome.requestId())) {
                publisher.publish(decodedRecords.get(i), outcome);
                metrics.outcome(outcome, requests.get(i).request().requestedAt(), publishedAt);
            }
        }
        metrics.batch(records.size(), System.nanoTime() - started);

        if (applied.alreadyCommittedRequests() > 0) {
            log.info("{} requests of this batch were already committed to the database; their stored outcomes are "
                    + "published again", applied.alreadyCommittedRequests());
        }
        log.info("batch of {} records: {} outcomes ({} replays), {} dead-lettered in {} ms", records.size(),
                outcomes.size(), outcomes.stream().filter(PublishableOutcome::replay).count(), deadLettered,
                (System.nanoTime() - started) / 1_000_000);
    }
}
