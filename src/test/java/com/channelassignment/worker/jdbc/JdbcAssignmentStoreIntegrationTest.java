package com.channelassignment.worker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.application.BatchWrites;
import com.channelassignment.worker.application.ConcurrentRequestException;
import com.channelassignment.worker.application.ProcessedRequest;
import com.channelassignment.worker.application.RecordPosition;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.testing.TestServices;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The store's writes on a real PostgreSQL, where the use case's tests cannot force the timing. */
class JdbcAssignmentStoreIntegrationTest {

    @Test
    void savingARequestIdRecordedSinceTheBatchLookedFailsAsConcurrentAndWritesNothing() {
        TestServices.Database database = TestServices.createDatabase();
        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load().migrate();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password());
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        JdbcAssignmentStore store = new JdbcAssignmentStore(jdbc, Duration.ofSeconds(5), Duration.ofSeconds(15));
        String requestId = "req-" + UUID.randomUUID();
        ProcessedRequest recordedByOtherWorker = rejected(requestId, "other-request",
                new RecordPosition("requests", 1, 7));
        transactions.executeWithoutResult(status -> store.save(writes(recordedByOtherWorker)));

        // This batch found nothing for the id before the other worker committed; it also records a second request.
        ProcessedRequest sameId = rejected(requestId, "this-request", new RecordPosition("requests", 0, 3));
        ProcessedRequest fresh = rejected("req-" + UUID.randomUUID(), "this-request",
                new RecordPosition("requests", 0, 4));
        assertThatThrownBy(() -> transactions.executeWithoutResult(status -> store.save(writes(sameId, fresh))))
                .isInstanceOf(ConcurrentRequestException.class)
                .hasMessageContaining(requestId);

        assertThat(jdbc.queryForList("SELECT correlation_id FROM processed_requests", String.class))
                .as("the other worker's record stays, and nothing of the failed batch is left")
                .containsExactly("other-request");
    }

    private static ProcessedRequest rejected(String requestId, String correlationId, RecordPosition position) {
        return new ProcessedRequest(requestId, new byte[] {1}, UUID.randomUUID(), OutcomeStatus.REJECTED,
                RejectionCode.IDENTITY_NOT_FOUND, correlationId, new byte[] {2}, position, Instant.now());
    }

    private static BatchWrites writes(ProcessedRequest... requests) {
        return new BatchWrites(List.of(requests), Set.of(), Set.of(), List.of(), Map.of(), Instant.now());
    }
}
