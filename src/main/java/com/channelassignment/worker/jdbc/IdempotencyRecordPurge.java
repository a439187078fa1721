package com.channelassignment.worker.jdbc;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcOperations;

/**
 * Deletes idempotency records older than the retention, a small batch per statement so no transaction holds many
 * locks or runs long beside the worker's batches. After the purge, a re-send of that old request would be applied as
 * new: the retention must exceed the longest time producers may re-send.
 */
public class IdempotencyRecordPurge {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyRecordPurge.class);

    // SKIP LOCKED: rows a batch is looking at right now are left for the next round instead of waited for.
    private static final String DELETE_EXPIRED = """
            DELETE FROM processed_requests
             WHERE (organization_id, request_id) IN (SELECT organization_id, request_id FROM processed_requests
                                                      WHERE processed_at < ?
                                                      ORDER BY processed_at
                                                      LIMIT ?
                                                        FOR UPDATE SKIP LOCKED)
            """;

    private static final String DELETE_EXPIRED_CHANGE_OUTCOMES = """
            DELETE FROM directory_change_outcomes
             WHERE (organization_id, change_id, channel_type) IN (SELECT organization_id, change_id, channel_type
                                                                    FROM directory_change_outcomes
                                                                   WHERE processed_at < ?
                                                                   ORDER BY processed_at
                                                                   LIMIT ?
                                                                     FOR UPDATE SKIP LOCKED)
            """;

    private final JdbcOperations jdbc;
    private final Clock clock;
    private final Duration retention;
    private final int batchSize;

    public IdempotencyRecordPurge(JdbcOperations jdbc, Clock clock, Duration retention, int batchSize) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.retention = retention;
        this.batchSize = batchSize;
    }

    /** Purges until no expired record is left; returns how many were deleted. */
    public int purgeExpired() {
        Timestamp cutoff = Timestamp.from(clock.instant().minus(retention));
        int total = 0;
        int deleted;
        do {
            deleted = jdbc.update(DELETE_EXPIRED, cutoff, batchSize);
            total += deleted;
        } while (deleted == batchSize);
        // The outcomes directory changes caused are kept as long as the idempotency records of requests.
        do {
            deleted = jdbc.update(DELETE_EXPIRED_CHANGE_OUTCOMES, cutoff, batchSize);
            total += deleted;
        } while (deleted == batchSize);
        if (total > 0) {
            log.info("purged {} idempotency records processed before {}", total, cutoff.toInstant());
        }
        return total;
    }
}
