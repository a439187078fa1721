package com.channelassignment.worker.kafka.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A stall is one batch failing again and again; it ends when the partition moves on or goes elsewhere. */
class PartitionStallsTest {

    private static final TopicPartition PARTITION = new TopicPartition("requests", 4);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final PartitionStalls stalls = new PartitionStalls(registry, clock);

    @Test
    void countsTheFailuresOfOneBatchFromTheFirstOne() {
        stalls.failed(Map.of(PARTITION, 100L), new IllegalStateException("database away"));
        clock.advance(Duration.ofSeconds(90));
        stalls.failed(Map.of(PARTITION, 100L), new IllegalStateException("still away"));

        assertThat(stalls.olderThan(Duration.ofSeconds(60))).singleElement().satisfies(stall -> {
            assertThat(stall.failures()).isEqualTo(2);
            assertThat(stall.since()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
            assertThat(stall.lastCause()).contains("still away");
        });
        assertThat(gauge("channel_assignment.partition.consecutive_failures")).isEqualTo(2.0);
        assertThat(gauge("channel_assignment.partition.stalled")).isEqualTo(90.0);
    }

    @Test
    void endsWhenTheNextBatchStartsFurtherOn() {
        stalls.failed(Map.of(PARTITION, 100L), new IllegalStateException("away"));

        stalls.starting(Map.of(PARTITION, 160L));

        assertThat(stalls.current()).isEmpty();
        assertThat(gauge("channel_assignment.partition.consecutive_failures")).isZero();
    }

    @Test
    void stopsCountingAsAStallOnceTheListenerGotThroughAndKeepsItsStartIfTheCommitThenFails() {
        stalls.failed(Map.of(PARTITION, 100L), new IllegalStateException("away"));
        stalls.answered(Map.of(PARTITION, 100L));
        assertThat(stalls.current()).isEmpty();

        clock.advance(Duration.ofSeconds(5));
        stalls.failed(Map.of(PARTITION, 100L), new IllegalStateException("commit failed"));

        assertThat(stalls.current()).singleElement().satisfies(stall -> {
            assertThat(stall.failures()).isEqualTo(2);
            assertThat(stall.since()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
        });
    }

    @Test
    void countsSuspectFailuresPerBatchForPoisonIsolation() {
        assertThat(stalls.suspected(Map.of(PARTITION, 100L))).isEqualTo(1);
        assertThat(stalls.suspected(Map.of(PARTITION, 100L))).isEqualTo(2);
        assertThat(stalls.suspected(Map.of(PARTITION, 130L))).as("a different batch starts over").isEqualTo(1);
    }

    @Test
    void forgetsPartitionsThatWentToAnotherConsumer() {
        stalls.failed(Map.of(PARTITION, 100L), new IllegalStateException("away"));

        stalls.forget(List.of(PARTITION));

        assertThat(stalls.current()).isEmpty();
    }

    private double gauge(String name) {
        return registry.get(name).tag("partition", "4").gauge().value();
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {

        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
