package com.channelassignment.worker.kafka.consume;

import com.channelassignment.worker.kafka.observe.RecordTracing;
import com.channelassignment.worker.kafka.observe.WorkerMetrics;
import com.channelassignment.worker.kafka.publish.KafkaOutcomePublisher;
import com.channelassignment.worker.contract.WireContract;
import com.channelassignment.worker.contract.UndecodableRecordException;
import com.channelassignment.worker.application.AppliedBatch;
import com.channelassignment.worker.application.ApplyAssignmentRequests;
import com.channelassignment.worker.application.PoisonIsolation;
import com.channelassignment.worker.application.IncomingChange;
import com.channelassignment.worker.application.IncomingRecord;
import com.channelassignment.worker.application.IncomingRequest;
import com.channelassignment.worker.application.PublishableOutcome;
import com.channelassignment.worker.application.RecordLogContext;
import com.channelassignment.worker.application.RecordPosition;
import com.channelassignment.worker.application.RecordTrace;
import com.channelassignment.worker.application.RefusedChange;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * Consumes a poll's worth of requests at a time inside the container's Kafka transaction: decode, apply in one
 * database transaction, then publish outcomes and dead letters. The container commits the offsets with the
 * published records when this method returns, and aborts them all if it throws.
 *
 * <p>Once the database has committed, nothing may fail because of what a request contains: a failure there would
 * roll the Kafka transaction back on every redelivery and stall the partition with the effects already applied. So
 * every record written after the commit is cut to fit the producer's limit, and metrics never throw.
 */
public class AssignmentRequestListener {

    public static final String DEFAULT_LISTENER_ID = "channel-assignment-worker";

    static final String REQUEST_ID_TAG = "channel_assignment.request_id";
    static final String CHANGE_ID_TAG = "channel_assignment.change_id";

    private static final Logger log = LoggerFactory.getLogger(AssignmentRequestListener.class);

    /** A decoded request or directory change with the record it came in. */
    private record Decoded(ConsumerRecord<byte[], byte[]> record, IncomingRecord request) {

        /** When the producer made the record: a request's requested_at, a change's changed_at. */
        Instant madeAt() {
            if (request instanceof IncomingRequest incoming) {
                return incoming.request().requestedAt();
            }
            if (request instanceof IncomingChange incoming) {
                return incoming.change().changedAt();
            }
            throw new IllegalStateException("unknown record " + request);
        }
    }

    /** A record that could not be decoded, why, and its span. */
    private record Undecodable(ConsumerRecord<byte[], byte[]> record, RecordTrace trace,
            UndecodableRecordException reason) {
    }

    /** What became of a batch's decoded records: outcomes to publish, poison to dead-letter, skipped redeliveries. */
    private record Answers(List<Answer> outcomes, List<Poison> poison, int skipped) {
    }

    /** An outcome ready to go out, with the record whose key and request it answers. */
    private record Answer(Decoded request, PublishableOutcome outcome) {
    }

    /** A record that failed alone, with the dependencies up: dead-lettered with its failure. */
    private record Poison(Decoded decoded, RuntimeException failure) {
    }

    private final WireContract contract;
    private final ApplyAssignmentRequests applyRequests;
    private final KafkaOutcomePublisher publisher;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final PoisonIsolation poisonIsolation;
    private final PartitionStalls stalls;
    private final TopicIds topicIds;
    private final String requestsTopic;
    private final RecordTracing tracing;

    public AssignmentRequestListener(WireContract contract, ApplyAssignmentRequests applyRequests,
            KafkaOutcomePublisher publisher, WorkerMetrics metrics, Clock clock, PoisonIsolation poisonIsolation,
            PartitionStalls stalls, TopicIds topicIds, String requestsTopic, RecordTracing tracing) {
        this.contract = contract;
        this.applyRequests = applyRequests;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
        this.poisonIsolation = poisonIsolation;
        this.stalls = stalls;
        this.topicIds = topicIds;
        this.requestsTopic = requestsTopic;
        this.tracing = tracing;
    }

    /**
     * The topic the container subscribes to. The annotation reads it from this bean (spring-kafka's {@code __listener})
     * rather than from a placeholder, so the configuration record stays the only place its default is written.
     */
    public String requestsTopic() {
        return requestsTopic;
    }

    // idIsGroup = false: the consumer group is spring.kafka.consumer.group-id, not the listener id, so two deployments
    // on one cluster can each have their own group (and the ACLs granted on it).
    @KafkaListener(id = "${channel-assignment.listener-id:" + DEFAULT_LISTENER_ID + "}", idIsGroup = false,
            topics = "#{__listener.requestsTopic()}", batch = "true",
            autoStartup = "${channel-assignment.consumer.enabled:true}")
    public void onBatch(List<ConsumerRecord<byte[], byte[]>> records) {
        // One span per traced record, though the batch is applied as one: each ends when the batch is handed to the
        // container's Kafka transaction, or fails. A failed batch comes again, and each attempt has its own spans.
        List<RecordTracing.RecordSpan> spans = new ArrayList<>();
        try {
            handle(records, spans);
        } catch (RuntimeException | Error failure) {
            spans.forEach(span -> span.failed(failure));
            throw failure;
        } finally {
            spans.forEach(RecordTracing.RecordSpan::end);
        }
    }

    private void handle(List<ConsumerRecord<byte[], byte[]>> records, List<RecordTracing.RecordSpan> spans) {
        long started = System.nanoTime();
        Map<TopicPartition, Long> firstOffsets = StallReportingAfterRollbackProcessor.firstOffsets(records);
        stalls.starting(firstOffsets);
        // Nothing is applied that could not then be published: with the registry format, the outcome schema's id must
        // be known first. Until it is, the batch fails as on any dependency that is away, and is retried.
        contract.requireWriterSchemas();
        List<Decoded> decoded = new ArrayList<>(records.size());
        List<Undecodable> undecodable = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            RecordPosition position = new RecordPosition(record.topic(), record.partition(), record.offset());
            RecordTracing.RecordSpan span = tracing.start(record);
            if (span.isTraced()) {
                spans.add(span);
            }
            try {
                // Directory changes and requests share the topic, so an organization's changes and requests keep the
                // order they were produced in; the writer schema (by fingerprint or registry id) tells them apart. A
                // registry that cannot be reached fails the batch before anything is applied, to be retried.
                IncomingRecord incoming = contract.isDirectoryChange(record.value())
                        ? new IncomingChange(position, contract.decodeChange(record.value()), span)
                        : new IncomingRequest(position, contract.decodeRequest(record.value()), span);
                decoded.add(new Decoded(record, incoming));
                if (span.isTraced()) {
                    tagWithId(span, incoming);
                }
            } catch (UndecodableRecordException e) {
                // Retrying cannot fix them, and they never reach the database: dead-lettered on every delivery.
                undecodable.add(new Undecodable(record, span, e));
            }
        }

        long databaseStarted = System.nanoTime();
        Answers answers;
        try {
            answers = answersOf(decoded, applyRequests.apply(requestsOf(decoded), topicIdsOf(decoded)));
        } catch (RuntimeException failure) {
            if (!poisonIsolation.isolatesAfter(failure, () -> stalls.suspected(firstOffsets))) {
                throw failure;
            }
            log.warn("batch {} failed {} times in a row, not on a dependency ({}); applying its records one by one "
                    + "to isolate the poison", firstOffsets, poisonIsolation.poisonAttempts(),
                    PartitionStalls.describe(failure));
            answers = applyIsolatingPoison(decoded);
        }
        long databaseMillis = (System.nanoTime() - databaseStarted) / 1_000_000;

        // The database has committed. What follows is bounded by construction and must not throw on content.
        for (Undecodable record : undecodable) {
            deadLetter(record.record(), record.trace(), record.reason());
        }
        for (Poison poison : answers.poison()) {
            deadLetter(poison.decoded().record(), poison.decoded().request().trace(), poison.failure());
        }
        Instant publishedAt = clock.instant();
        for (Answer answer : answers.outcomes()) {
            try (RecordLogContext context = RecordLogContext.of(answer.request().request())) {
                publisher.publish(answer.request().record(), answer.outcome());
                metrics.outcome(answer.outcome(), answer.request().madeAt(), publishedAt);
            }
        }
        stalls.answered(firstOffsets);
        metrics.batch(records.size(), System.nanoTime() - started);
        if (answers.skipped() > 0) {
            metrics.skippedRedeliveries(answers.skipped());
        }
        // DEBUG: at a line per batch, INFO would log hundreds of lines a second under load; the batch meters say
        // the same to dashboards. Guarded, as counting the replays goes over every outcome.
        if (log.isDebugEnabled()) {
            log.debug("batch of {} records: {} outcomes ({} replays), {} dead-lettered, {} skipped in {} ms ({} ms in "
                    + "the database)", records.size(), answers.outcomes().size(), replays(answers.outcomes()),
                    undecodable.size() + answers.poison().size(), answers.skipped(),
                    (System.nanoTime() - started) / 1_000_000, databaseMillis);
        }
    }

    private static int replays(List<Answer> outcomes) {
        int replays = 0;
        for (Answer answer : outcomes) {
            if (answer.outcome().replay()) {
                replays++;
            }
        }
        return replays;
    }

    /** Each request in its own database transaction, in offset order; {@link PoisonIsolation} says which is poison. */
    private Answers applyIsolatingPoison(List<Decoded> decoded) {
        List<Answer> outcomes = new ArrayList<>(decoded.size());
        List<Poison> poison = new ArrayList<>();
        int skipped = 0;
        for (Decoded one : decoded) {
            try (RecordLogContext context = RecordLogContext.of(one.request())) {
                PoisonIsolation.Alone<Answers> alone = poisonIsolation.applyAlone(position(one.record()),
                        () -> answersOf(List.of(one),
                                applyRequests.applyIsolated(one.request(), topicIdsOf(List.of(one)))));
                if (alone instanceof PoisonIsolation.Applied<Answers> applied) {
                    outcomes.addAll(applied.result().outcomes());
                    poison.addAll(applied.result().poison());
                    skipped += applied.result().skipped();
                } else if (alone instanceof PoisonIsolation.Poison<Answers> found) {
                    poison.add(new Poison(one, found.failure()));
                } else {
                    throw new IllegalStateException("unknown verdict " + alone);
                }
            }
        }
        return new Answers(outcomes, poison, skipped);
    }

    private Map<String, String> topicIdsOf(List<Decoded> decoded) {
        if (decoded.isEmpty()) {
            return Map.of();
        }
        // A loop, not a stream: it runs over every record of every batch.
        Set<String> topics = new LinkedHashSet<>();
        for (Decoded one : decoded) {
            topics.add(one.record().topic());
        }
        return topicIds.of(topics);
    }

    private static List<IncomingRecord> requestsOf(List<Decoded> decoded) {
        List<IncomingRecord> requests = new ArrayList<>(decoded.size());
        for (Decoded one : decoded) {
            requests.add(one.request());
        }
        return requests;
    }

    private static Answers answersOf(List<Decoded> decoded, AppliedBatch applied) {
        if (applied.alreadyCommittedRequests() > 0) {
            log.info("{} requests of this batch were already committed to the database (a redelivery, or a zombie's "
                    + "late batch); their stored outcomes are published again", applied.alreadyCommittedRequests());
        }
        if (!applied.skipped().isEmpty()) {
            log.warn("{} requests of this batch were applied by an earlier committed batch and their idempotency "
                    + "records have been purged; skipped without an outcome: {}", applied.skipped().size(),
                    applied.skipped());
        }
        Map<RecordPosition, Decoded> byPosition = new HashMap<>(decoded.size() * 4 / 3 + 1);
        decoded.forEach(one -> byPosition.put(one.request().position(), one));
        List<Answer> answers = new ArrayList<>(applied.outcomes().size());
        for (PublishableOutcome outcome : applied.outcomes()) {
            answers.add(new Answer(byPosition.get(outcome.position()), outcome));
        }
        List<Poison> refused = new ArrayList<>();
        for (RefusedChange change : applied.refusedChanges()) {
            // Not applied and not recorded: a redelivery is refused again, so its dead letter is never lost.
            refused.add(new Poison(byPosition.get(change.position()),
                    new RefusedDirectoryChangeException(change.reason())));
        }
        return new Answers(answers, refused, applied.skipped().size());
    }

    /** The record's span is current meanwhile, so the dead letter carries its trace context on. */
    private void deadLetter(ConsumerRecord<byte[], byte[]> record, RecordTrace trace, Exception reason) {
        try (RecordLogContext context = RecordLogContext.at(
                new RecordPosition(record.topic(), record.partition(), record.offset()), trace)) {
            log.warn("dead-lettering {}: {}", position(record), PartitionStalls.describe(reason));
            publisher.deadLetter(record, reason);
            metrics.deadLettered(reason);
        }
    }

    /** Tags the record's span with the id its outcomes carry, once the record is decoded. */
    private static void tagWithId(RecordTracing.RecordSpan span, IncomingRecord record) {
        if (record instanceof IncomingRequest incoming) {
            span.tag(REQUEST_ID_TAG, incoming.request().echoedRequestId());
        } else if (record instanceof IncomingChange change) {
            span.tag(CHANGE_ID_TAG, change.change().changeId());
        } else {
            throw new IllegalStateException("unknown record " + record);
        }
    }

    private static String position(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
