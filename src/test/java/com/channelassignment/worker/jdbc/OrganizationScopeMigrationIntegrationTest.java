package com.channelassignment.worker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.testing.services.TestServices;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The migration that scopes rows to their organization, run on a database populated under the schema before it:
 * every idempotency record keeps its outcome and gets the organization its stored outcome names, and the directory
 * and its links come through unchanged.
 */
class OrganizationScopeMigrationIntegrationTest {

    private static final String BEFORE_ORGANIZATION_SCOPE = "2";

    private final AvroContract contract = new AvroContract();

    @Test
    void movesEveryIdempotencyRecordUnderTheOrganizationItsStoredOutcomeNames() {
        TestServices.Database database = TestServices.createDatabase();
        migrate(database, BEFORE_ORGANIZATION_SCOPE);
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password()));
        UUID identity = UUID.randomUUID();
        UUID mailbox = UUID.randomUUID();
        jdbc.update("""
                INSERT INTO identities (id, organization_id, agent_handle, status, created_at, updated_at)
                VALUES (?, 'org-acme', 'support-bot', 'active', now(), now())""", identity);
        jdbc.update("""
                INSERT INTO mailboxes (id, organization_id, email_address, created_at, updated_at)
                VALUES (?, 'org-acme', 'support@acme.test', now(), now())""", mailbox);
        jdbc.update("""
                INSERT INTO channel_assignments (identity_id, organization_id, channel_type, channel_id, assigned_at)
                VALUES (?, 'org-acme', 'MAILBOX', ?, now())""", identity, mailbox);
        // Organizations of every shape the outcome can carry: plain, multi-byte, long, with and without a
        // correlation id before it, and none at all (recorded before such requests stopped being recorded).
        Map<String, byte[]> outcomes = new LinkedHashMap<>();
        outcomes.put("org-acme", outcome("req-1", "org-acme", null));
        outcomes.put("org-ünïcødé-組織", outcome("req-2", "org-ünïcødé-組織", "corr-" + "x".repeat(200)));
        outcomes.put("org-" + "l".repeat(250), outcome("req-3", "org-" + "l".repeat(250), "c"));
        outcomes.put("", outcome("req-4", null, null));
        outcomes.forEach((organization, bytes) -> jdbc.update("""
                INSERT INTO processed_requests (request_id, fingerprint, event_id, status, rejection_code, outcome,
                                                source_topic, source_partition, source_offset, processed_at)
                VALUES (?, ?, ?, 'REJECTED', 'IDENTITY_NOT_FOUND', ?, 'requests', 0, 0, now())""",
                "key-of-" + organization.hashCode(), new byte[] {1}, UUID.randomUUID(), bytes));

        migrate(database, "latest");

        List<Map<String, Object>> records = jdbc.queryForList(
                "SELECT organization_id, request_id, outcome FROM processed_requests");
        assertThat(records).hasSize(outcomes.size());
        outcomes.forEach((organization, bytes) -> assertThat(records).as("record of %s", organization)
                .anySatisfy(record -> {
                    assertThat(record.get("organization_id")).isEqualTo(organization);
                    assertThat(record.get("request_id")).isEqualTo("key-of-" + organization.hashCode());
                    assertThat((byte[]) record.get("outcome")).isEqualTo(bytes);
                }));
        assertThat(jdbc.queryForList("SELECT channel_id FROM channel_assignments WHERE organization_id = 'org-acme' "
                + "AND identity_id = ?", UUID.class, identity)).containsExactly(mailbox);
    }

    private byte[] outcome(String requestId, String organizationId, String correlationId) {
        AssignmentRequest request = new AssignmentRequest(requestId, organizationId, "support-bot", Operation.ASSIGN,
                ChannelType.MAILBOX, UUID.randomUUID().toString(), Instant.now(), correlationId);
        return contract.encodeOutcome(Outcome.rejected(UUID.randomUUID(), request,
                new Decision.Rejected(RejectionCode.IDENTITY_NOT_FOUND, "no identity"), Instant.now()));
    }

    private static void migrate(TestServices.Database database, String target) {
        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).target(target)
                .load().migrate();
    }
}
