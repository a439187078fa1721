package com.channelassignment.worker.benchmark;

import com.channelassignment.worker.testing.services.ProcessCpu;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU time of the benchmark's four parties at one moment: the worker, the broker, the benchmark's own JVM (its
 * readers and callers) and the PostgreSQL backends of the benchmark's database. Subtract two readings for what a
 * phase cost.
 */
record PartyCpu(Duration worker, Duration broker, Duration benchmark, Duration postgres) {

    /** Reads the four parties now. */
    static Supplier<PartyCpu> reader(Supplier<Duration> worker, long brokerPid, String database) {
        long self = ProcessHandle.current().pid();
        return () -> new PartyCpu(worker.get(), ProcessCpu.of(brokerPid), ProcessCpu.of(self),
                ProcessCpu.ofDatabaseBackends(database));
    }

    PartyCpu since(PartyCpu earlier) {
        return new PartyCpu(worker.minus(earlier.worker), broker.minus(earlier.broker),
                benchmark.minus(earlier.benchmark), postgres.minus(earlier.postgres));
    }

    /** This CPU less what the parties burn at rest ({@code resting}, measured over {@code restingFor}) in as long. */
    PartyCpu lessResting(PartyCpu resting, Duration restingFor, Duration elapsed) {
        double scale = (double) elapsed.toNanos() / restingFor.toNanos();
        return new PartyCpu(less(worker, resting.worker, scale), less(broker, resting.broker, scale),
                less(benchmark, resting.benchmark, scale), less(postgres, resting.postgres, scale));
    }

    private static Duration less(Duration busy, Duration resting, double scale) {
        return busy.minus(Duration.ofNanos(Math.round(resting.toNanos() * scale)));
    }

    /** Microseconds of each party per unit of work, as figures named {@code prefix + party}. */
    void putPerUnit(Map<String, Object> figures, String prefix, long units, String benchmarkParty) {
        figures.put(prefix + "worker", micros(worker, units));
        figures.put(prefix + "broker", micros(broker, units));
        figures.put(prefix + benchmarkParty, micros(benchmark, units));
        figures.put(prefix + "postgres", micros(postgres, units));
    }

    /** Cores each party kept busy over {@code elapsed}, as figures named {@code prefix + party}. */
    void putCores(Map<String, Object> figures, String prefix, Duration elapsed, String benchmarkParty) {
        figures.put(prefix + "worker", cores(worker, elapsed));
        figures.put(prefix + "broker", cores(broker, elapsed));
        figures.put(prefix + benchmarkParty, cores(benchmark, elapsed));
        figures.put(prefix + "postgres", cores(postgres, elapsed));
    }

    private static long micros(Duration cpu, long units) {
        return Math.round(cpu.toNanos() / 1e3 / Math.max(1, units));
    }

    private static double cores(Duration cpu, Duration elapsed) {
        return Math.round(100.0 * cpu.toNanos() / elapsed.toNanos()) / 100.0;
    }
}
