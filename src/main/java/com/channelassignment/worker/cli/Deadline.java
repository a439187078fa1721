package com.channelassignment.worker.cli;

import java.time.Duration;

/** A point in time to give up at; {@link #NEVER} for commands that run until stopped. */
record Deadline(long nanos) {

    static final Deadline NEVER = new Deadline(Long.MAX_VALUE);

    static Deadline after(Duration timeout) {
        return new Deadline(System.nanoTime() + timeout.toNanos());
    }

    boolean passed() {
        return !unbounded() && System.nanoTime() - nanos >= 0;
    }

    Duration remaining() {
        return unbounded() ? Duration.ofMillis(Long.MAX_VALUE)
                : Duration.ofNanos(Math.max(0, nanos - System.nanoTime()));
    }

    Duration atMost(Duration limit) {
        Duration remaining = remaining();
        return remaining.compareTo(limit) < 0 ? remaining : limit;
    }

    /** {@code 30s}, or {@code 500ms} when it is not whole seconds: as the user wrote it. */
    static String readable(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    private boolean unbounded() {
        return nanos == Long.MAX_VALUE;
    }
}
