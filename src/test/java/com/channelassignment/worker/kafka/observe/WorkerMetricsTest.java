package com.channelassignment.worker.kafka.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.channelassignment.worker.application.PublishableOutcome;
import com.channelassignment.worker.application.RecordPosition;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The worker's own meters: the end-to-end histogram's bounded buckets, and no failure on any requested_at. */
class WorkerMetricsTest {

    private static final Instant PUBLISHED = Instant.parse("2026-01-01T00:00:00Z");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final WorkerMetrics metrics = new WorkerMetrics(registry);

    @Test
    void recordsTheEndToEndLatencyInAHistogram() {
        metrics.outcome(assigned(), PUBLISHED.minusMillis(40), PUBLISHED);

        assertThat(endToEnd().count()).isEqualTo(1);
        assertThat(registry.scrape()).contains("channel_assignment_end_to_end_latency_seconds_count 1",
                "channel_assignment_end_to_end_latency_seconds_bucket{le=\"+Inf\"} 1");
    }

    @Test
    void neverFailsOnARequestedAtInTheFutureOrFarPastAndLeavesItOut() {
        for (Instant requestedAt : new Instant[] {PUBLISHED.plusSeconds(3600), Instant.MAX, Instant.MIN,
                Instant.EPOCH, PUBLISHED.minus(WorkerMetrics.LONGEST_RECORDED_LATENCY).minusSeconds(1)}) {
            assertThatCode(() -> metrics.outcome(assigned(), requestedAt, PUBLISHED)).as("requested_at %s", requestedAt)
                    .doesNotThrowAnyException();
        }

        assertThat(endToEnd().count()).isZero();
        assertThat(registry.get("channel_assignment.outcomes").counter().count()).isEqualTo(5);
    }

    @Test
    void countsOutcomesByStatusAndRejectionCodeShowingOnlyThoseThatOccurred() {
        metrics.outcome(assigned(), PUBLISHED, PUBLISHED);
        metrics.outcome(assigned(), PUBLISHED, PUBLISHED);
        metrics.outcome(rejected(RejectionCode.IDENTITY_NOT_FOUND), PUBLISHED, PUBLISHED);
        metrics.outcome(rejected(RejectionCode.CHANNEL_NOT_FOUND), PUBLISHED, PUBLISHED);
        metrics.outcome(rejected(RejectionCode.IDENTITY_NOT_FOUND), PUBLISHED, PUBLISHED);

        assertThat(outcomes("ASSIGNED", "none")).isEqualTo(2);
        assertThat(outcomes("REJECTED", "IDENTITY_NOT_FOUND")).isEqualTo(2);
        assertThat(outcomes("REJECTED", "CHANNEL_NOT_FOUND")).isEqualTo(1);
        assertThat(registry.find("channel_assignment.outcomes").counters()).hasSize(3);
    }

    @Test
    void keepsAFixedBoundedSetOfBucketsWhateverIsRecorded() {
        int before = buckets().length;
        metrics.outcome(assigned(), PUBLISHED.minus(Duration.ofDays(300)), PUBLISHED);
        metrics.outcome(assigned(), PUBLISHED.minusNanos(1), PUBLISHED);

        CountAtBucket[] buckets = buckets();
        assertThat(buckets).hasSize(before).hasSizeLessThan(100);
        assertThat(buckets[buckets.length - 1].bucket(TimeUnit.NANOSECONDS))
                .isEqualTo(WorkerMetrics.LONGEST_BUCKET.toNanos());
        // The 300-day wait lies beyond the last bucket: it counts in +Inf alone.
        assertThat(registry.scrape()).contains("channel_assignment_end_to_end_latency_seconds_bucket{le=\"300.0\"} 1",
                "channel_assignment_end_to_end_latency_seconds_bucket{le=\"+Inf\"} 2");
    }

    private double outcomes(String status, String code) {
        return registry.get("channel_assignment.outcomes").tags("status", status, "code", code).counter().count();
    }

    private Timer endToEnd() {
        return registry.get("channel_assignment.end_to_end.latency").timer();
    }

    private CountAtBucket[] buckets() {
        return endToEnd().takeSnapshot().histogramCounts();
    }

    private static PublishableOutcome rejected(RejectionCode code) {
        return new PublishableOutcome(new RecordPosition("requests", 0, 1), "request-1", null, OutcomeStatus.REJECTED,
                code, new byte[0], false);
    }

    private static PublishableOutcome assigned() {
        return new PublishableOutcome(new RecordPosition("requests", 0, 1), "request-1", null, OutcomeStatus.ASSIGNED,
                null, new byte[0], false);
    }
}
