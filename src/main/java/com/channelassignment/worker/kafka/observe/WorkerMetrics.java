package com.channelassignment.worker.kafka.observe;

import com.channelassignment.worker.application.PublishableOutcome;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker's own meters, exported by Micrometer (Prometheus names in README.md, "Metrics"). Consumer lag comes from
 * the Kafka client metrics that Spring Boot binds, not from here.
 */
public class WorkerMetrics {

    /** Far beyond any real request's wait, far below the 292 years a Duration in nanoseconds can hold. */
    static final Duration LONGEST_RECORDED_LATENCY = Duration.ofDays(365);
    /**
     * The end-to-end histogram's buckets span 1 ms to 5 minutes (a backlog's latency still lands in a bucket), a
     * fixed set whatever is recorded; longer waits count in the last, {@code +Inf}, bucket.
     */
    static final Duration SHORTEST_BUCKET = Duration.ofMillis(1);
    static final Duration LONGEST_BUCKET = Duration.ofMinutes(5);

    /** The outcome counter's tags: a status, and a rejection code or none. */
    private record OutcomeKind(OutcomeStatus status, RejectionCode code) {
    }

    private final MeterRegistry registry;
    // Each outcome counter is registered on first use, then kept: looking a counter up by name and tags builds, sorts
    // and hashes a meter id, too much once per outcome on the consume path. Not registered up front, so /metrics shows
    // only the combinations that occurred.
    private final Map<OutcomeKind, Counter> outcomes = new ConcurrentHashMap<>();
    private final Counter replays;
    private final DistributionSummary batchSize;
    private final Timer batchDuration;
    private final Timer endToEndLatency;
    private final Counter skippedRedeliveries;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        replays = Counter.builder("channel_assignment.replays")
                .description("Stored outcomes published again for re-sent or redelivered requests")
                .register(registry);
        batchSize = DistributionSummary.builder("channel_assignment.batch.size")
                .description("Records per polled batch").baseUnit("records")
                .publishPercentileHistogram().register(registry);
        batchDuration = Timer.builder("channel_assignment.batch.duration")
                .description("Decode, database transaction and publication of one batch")
                .publishPercentileHistogram().register(registry);
        endToEndLatency = Timer.builder("channel_assignment.end_to_end.latency")
                .description("From a request's requested_at to its outcome being handed to Kafka")
                .publishPercentileHistogram().minimumExpectedValue(SHORTEST_BUCKET)
                .maximumExpectedValue(LONGEST_BUCKET).register(registry);
        skippedRedeliveries = Counter.builder("channel_assignment.skipped_redeliveries")
                .description("Redelivered requests below their partition's committed progress whose idempotency "
                        + "record was purged: skipped without an outcome, never applied twice")
                .register(registry);
    }

    /**
     * Never throws on content: it runs after the database commit. A requested_at centuries away would overflow the
     * timer's nanoseconds, so latencies outside [0, {@link #LONGEST_RECORDED_LATENCY}] are not recorded.
     */
    public void outcome(PublishableOutcome outcome, Instant requestedAt, Instant publishedAt) {
        outcomes.computeIfAbsent(new OutcomeKind(outcome.status(), outcome.rejectionCode()), this::outcomeCounter)
                .increment();
        if (outcome.replay()) {
            replays.increment();
        }
        Duration latency = Duration.between(requestedAt, publishedAt);
        if (!latency.isNegative() && latency.compareTo(LONGEST_RECORDED_LATENCY) <= 0) {
            endToEndLatency.record(latency);
        }
    }

    private Counter outcomeCounter(OutcomeKind kind) {
        return registry.counter("channel_assignment.outcomes", "status", kind.status().name(),
                "code", kind.code() == null ? "none" : kind.code().name());
    }

    public void skippedRedeliveries(int count) {
        skippedRedeliveries.increment(count);
    }

    public void deadLettered(Exception reason) {
        registry.counter("channel_assignment.dead_letters", "exception", reason.getClass().getSimpleName())
                .increment();
    }

    public void batch(int records, long elapsedNanos) {
        batchSize.record(records);
        batchDuration.record(Duration.ofNanos(elapsedNanos));
    }
}
