package com.channelassignment.worker.faults;

import java.time.Duration;

/**
 * How much stream and how many faults each scenario gets. The short form runs in every {@code ./mvnw verify}; the long
 * form with {@code -Dfaults.long=true} (or {@code ./mvnw -Pfaults-long verify}).
 *
 * @param minimumRequests requests each scenario produces at least; it keeps producing until its faults are done
 * @param requestsPerSecond the pace of the stream, so faults land while it flows
 * @param garbageEvery one undecodable record after this many requests
 * @param kills kill -9 and restart cycles of the single-instance scenario
 * @param groupRounds rounds of SIGSTOP, add, SIGCONT and kill -9 in the consumer-group scenario (2, 3, 2 instances)
 * @param postgresStops PostgreSQL stop/start cycles
 * @param brokerRestarts broker restarts (alternately kill -9 and SIGTERM)
 * @param instances worker instances in the PostgreSQL and broker scenarios
 * @param drainTimeout how long the end of a scenario may wait for every outcome
 */
record FaultSuiteSize(String name, int minimumRequests, int requestsPerSecond, int garbageEvery, int kills,
        int groupRounds, int postgresStops, int brokerRestarts, int instances, Duration drainTimeout) {

    static final FaultSuiteSize SHORT = new FaultSuiteSize("short", 1_000, 100, 200, 2, 1, 1, 1, 1,
            Duration.ofMinutes(2));

    static final FaultSuiteSize LONG = new FaultSuiteSize("long", 20_000, 150, 250, 20, 6, 4, 4, 2,
            Duration.ofMinutes(5));

    /** The same size with a shorter (or longer) drain: for scenarios where waiting long shows nothing more. */
    FaultSuiteSize withDrainTimeout(Duration timeout) {
        return new FaultSuiteSize(name, minimumRequests, requestsPerSecond, garbageEvery, kills, groupRounds,
                postgresStops, brokerRestarts, instances, timeout);
    }

    static FaultSuiteSize current() {
        return Boolean.getBoolean("faults.long") ? LONG : SHORT;
    }
}
