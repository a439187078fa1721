package com.channelassignment.worker.kafka.consume;

import com.channelassignment.worker.kafka.publish.BoundedDeadLetterPublishingRecoverer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The partitions whose batches keep failing, per partition since its last committed batch: consecutive failures, since
 * when, and the last cause. Lag alone hides a stall (the container seeks back to the failed batch, so the fetch
 * position barely moves); this is what the health endpoint and the gauges show instead. Shared by the container's
 * consumer threads.
 */
public class PartitionStalls {

    /**
     * A partition whose batch starting at {@code offset} failed {@code failures} times in a row since {@code since};
     * {@code suspectFailures} of those may have been the records' fault. {@code answered}: the listener got through
     * the batch on its latest attempt, and only the Kafka commit is still to come.
     */
    public record Stall(TopicPartition partition, long offset, int failures, int suspectFailures, Instant since,
            String lastCause, boolean answered) {

        Stall failedAgain(String cause) {
            return new Stall(partition, offset, failures + 1, suspectFailures, since, cause, false);
        }
    }

    private final Map<TopicPartition, Stall> stalls = new ConcurrentHashMap<>();
    private final Set<TopicPartition> metered = ConcurrentHashMap.newKeySet();
    private final MeterRegistry registry;
    private final Clock clock;

    public PartitionStalls(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** A batch begins: a partition whose batch now starts past its stalled offset has moved on. */
    void starting(Map<TopicPartition, Long> firstOffsets) {
        // Metered from its first batch, so a partition's gauges read 0 while it flows rather than being absent until
        // it first fails: a dashboard or an alert can tell "flowing" from "not reporting".
        firstOffsets.keySet().forEach(this::meter);
        if (!stalls.isEmpty()) {
            firstOffsets.forEach((partition, offset) -> stalls.computeIfPresent(partition,
                    (key, stall) -> stall.offset() < offset ? null : stall));
        }
    }

    /**
     * The batch failed in a way that may be its records' fault. Returns how often in a row that happened to it: the
     * highest count among its partitions.
     */
    int suspected(Map<TopicPartition, Long> firstOffsets) {
        int suspectFailures = 0;
        for (Map.Entry<TopicPartition, Long> first : firstOffsets.entrySet()) {
            Stall stall = stalls.compute(first.getKey(), (partition, earlier) -> sameBatch(earlier, first.getValue())
                    ? new Stall(partition, earlier.offset(), earlier.failures(), earlier.suspectFailures() + 1,
                            earlier.since(), earlier.lastCause(), false)
                    : new Stall(partition, first.getValue(), 0, 1, clock.instant(), "", false));
            suspectFailures = Math.max(suspectFailures, stall.suspectFailures());
        }
        return suspectFailures;
    }

    /** The batch's attempt was rolled back, whatever failed: the listener, the publication or the Kafka commit. */
    void failed(Map<TopicPartition, Long> firstOffsets, Throwable cause) {
        String description = describe(cause);
        for (Map.Entry<TopicPartition, Long> first : firstOffsets.entrySet()) {
            stalls.compute(first.getKey(), (partition, earlier) -> sameBatch(earlier, first.getValue())
                    ? earlier.failedAgain(description)
                    : new Stall(partition, first.getValue(), 1, 0, clock.instant(), description, false));
            meter(first.getKey());
        }
    }

    /** The listener got through the batch; it stays a stall only if the Kafka commit fails now. */
    void answered(Map<TopicPartition, Long> firstOffsets) {
        if (!stalls.isEmpty()) {
            firstOffsets.forEach((partition, offset) -> stalls.computeIfPresent(partition, (key, stall) ->
                    new Stall(key, stall.offset(), stall.failures(), stall.suspectFailures(), stall.since(),
                            stall.lastCause(), true)));
        }
    }

    /** The partitions went to another consumer: their stalls, if any, are no longer this instance's. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(stalls::remove);
    }

    Stall of(TopicPartition partition) {
        return stalls.get(partition);
    }

    private static boolean sameBatch(Stall earlier, long offset) {
        return earlier != null && earlier.offset() == offset;
    }

    /** Partitions whose current batch keeps failing, longest first. */
    public List<Stall> current() {
        return stalls.values().stream().filter(stall -> !stall.answered() && stall.failures() > 0)
                .sorted(Comparator.comparing(Stall::since)).toList();
    }

    /** Stalls that have lasted at least {@code threshold}. */
    public List<Stall> olderThan(Duration threshold) {
        Instant cutoff = clock.instant().minus(threshold);
        return current().stream().filter(stall -> !stall.since().isAfter(cutoff)).toList();
    }

    private void meter(TopicPartition partition) {
        if (!metered.add(partition)) {
            return;
        }
        Gauge.builder("channel_assignment.partition.consecutive_failures", this,
                        self -> failuresOf(partition))
                .description("Failed attempts in a row of the partition's current batch; 0 while it flows")
                .tag("topic", partition.topic()).tag("partition", Integer.toString(partition.partition()))
                .register(registry);
        Gauge.builder("channel_assignment.partition.stalled", this, self -> stalledSecondsOf(partition))
                .description("Seconds since the partition's current batch first failed; 0 while it flows")
                .baseUnit("seconds")
                .tag("topic", partition.topic()).tag("partition", Integer.toString(partition.partition()))
                .register(registry);
    }

    private double failuresOf(TopicPartition partition) {
        Stall stall = stalls.get(partition);
        return stall == null || stall.answered() ? 0 : stall.failures();
    }

    private double stalledSecondsOf(TopicPartition partition) {
        Stall stall = stalls.get(partition);
        return stall == null || stall.answered() || stall.failures() == 0 ? 0 : Duration.between(stall.since(), clock.instant()).toMillis() / 1000.0;
    }

    static String describe(Throwable cause) {
        return cause.getClass().getName() + ": " + BoundedDeadLetterPublishingRecoverer.boundedMessage(cause);
    }
}
