package com.channelassignment.worker.kafka.health;

import com.channelassignment.worker.kafka.consume.PartitionStalls;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * DOWN while a partition's batches have kept failing for longer than the threshold: the worker holds partitions it does
 * not move. Part of readiness, never of liveness: a worker waiting for a dependency recovers by itself, and a restart
 * would only move the stall to another instance.
 */
public class PartitionStallsHealthIndicator extends AbstractHealthIndicator {

    private final PartitionStalls stalls;
    private final Duration threshold;

    public PartitionStallsHealthIndicator(PartitionStalls stalls, Duration threshold) {
        super("Partition stall check failed");
        this.stalls = stalls;
        this.threshold = threshold;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        List<PartitionStalls.Stall> stalled = stalls.olderThan(threshold);
        Map<String, Object> details = new LinkedHashMap<>();
        for (PartitionStalls.Stall stall : stalled) {
            details.put(stall.partition().toString(), Map.of("offset", stall.offset(),
                    "consecutiveFailures", stall.failures(), "stuckSince", stall.since().toString(),
                    "lastCause", stall.lastCause()));
        }
        (stalled.isEmpty() ? builder.up() : builder.down()).withDetail("stalledAfter", threshold.toString())
                .withDetails(details);
    }
}
