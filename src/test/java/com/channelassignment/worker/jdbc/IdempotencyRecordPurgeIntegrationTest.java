package com.channelassignment.worker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.services.TestServices;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The retention purge on a real PostgreSQL: old idempotency records go, in small batches; recent ones stay. */
class IdempotencyRecordPurgeIntegrationTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void deletesRecordsOlderThanTheRetentionInBatchesAndKeepsTheRest() {
        TestServices.Database database = TestServices.createDatabase();
        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password()));
        for (int i = 0; i < 7; i++) {
            insertProcessed(jdbc, "old-" + i, NOW.minus(Duration.ofDays(8)).minusSeconds(i));
        }
        for (int i = 0; i < 3; i++) {
            insertProcessed(jdbc, "recent-" + i, NOW.minus(Duration.ofDays(6)));
        }

        IdempotencyRecordPurge purge = new IdempotencyRecordPurge(jdbc, Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofDays(7), 3);

        assertThat(purge.purgeExpired()).isEqualTo(7);
        assertThat(jdbc.queryForList("SELECT request_id FROM processed_requests ORDER BY request_id", String.class))
                .containsExactly("recent-0", "recent-1", "recent-2");
        assertThat(purge.purgeExpired()).isZero();
    }

    private static void insertProcessed(JdbcTemplate jdbc, String requestId, Instant processedAt) {
        jdbc.update("""
                INSERT INTO processed_requests (organization_id, request_id, fingerprint, event_id, status, outcome,
                                                source_topic, source_partition, source_offset, processed_at)
                VALUES ('org-purge', ?, ?, ?, 'ASSIGNED', ?, 'requests', 0, 0, ?)
                """, requestId, new byte[] {1}, UUID.randomUUID(), new byte[] {2}, Timestamp.from(processedAt));
    }
}
