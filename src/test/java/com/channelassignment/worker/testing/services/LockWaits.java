package com.channelassignment.worker.testing.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.springframework.jdbc.core.JdbcOperations;

/** Waits until transactions of a test are queued behind a lock another one holds, so the test controls who goes first. */
public final class LockWaits {

    private LockWaits() {
    }

    public static void awaitSessionsWaitingForLocks(JdbcOperations jdbc, int sessions) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (jdbc.queryForObject("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """, Integer.class) < sessions) {
            assertThat(System.nanoTime()).as("%d sessions waiting for a lock", sessions).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
