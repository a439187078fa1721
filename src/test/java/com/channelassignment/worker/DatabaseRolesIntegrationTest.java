package com.channelassignment.worker;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.AssignmentRequests.anUnassignment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.jdbc.IdempotencyRecordPurge;
import com.channelassignment.worker.jdbc.RuntimeRoleGrants;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.RunningWorker;
import com.channelassignment.worker.testing.services.TestServices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The least-privilege setup of docs/database-roles.md on a real PostgreSQL: Flyway migrates as a migration role that
 * owns the database, the worker runs as a runtime role holding only the grants it needs, and still does its whole job.
 * The roles and the database are this class's own, uniquely named, and dropped at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseRolesIntegrationTest {

    private static final String PERMISSION_DENIED = "42501";

    private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String migrator = "caw_migrator_" + suffix;
    private final String runtime = "caw_runtime_" + suffix;
    private final String databaseName = "caw_roles_" + suffix;
    private final String migratorPassword = "m" + UUID.randomUUID().toString().replace("-", "");
    private final String runtimePassword = "r" + UUID.randomUUID().toString().replace("-", "");
    private final String requestsTopic = "requests-roles-" + suffix;
    private final String outcomesTopic = "outcomes-roles-" + suffix;

    private TestServices.Database server;
    private String jdbcUrl;
    private JdbcTemplate asMigrator;
    private JdbcTemplate asRuntime;
    private ConfigurableApplicationContext worker;
    private KafkaTestClient kafka;
    private final AvroContract contract = new AvroContract();

    @BeforeAll
    void createRolesMigrateAndStartTheWorker() throws SQLException {
        // The shared server's superuser creates the two roles and a database the migration role owns; on
        // PostgreSQL 15 and later that ownership is what lets it create tables in the public schema.
        server = TestServices.createDatabase();
        jdbcUrl = server.jdbcUrl().substring(0, server.jdbcUrl().lastIndexOf('/') + 1) + databaseName;
        asServerAdmin("CREATE ROLE " + migrator + " LOGIN PASSWORD '" + migratorPassword + "'",
                "CREATE ROLE " + runtime + " LOGIN PASSWORD '" + runtimePassword + "'",
                "CREATE DATABASE " + databaseName + " OWNER " + migrator);
        asMigrator = new JdbcTemplate(new DriverManagerDataSource(jdbcUrl, migrator, migratorPassword));
        asRuntime = new JdbcTemplate(new DriverManagerDataSource(jdbcUrl, runtime, runtimePassword));

        // A database migrated by an earlier version, where someone granted the runtime role more than it needs:
        // the worker's migrate must apply the rest with the migration role and leave exactly the worker's grants.
        Flyway.configure().dataSource(jdbcUrl, migrator, migratorPassword).target("1").load().migrate();
        asMigrator.execute("GRANT INSERT, TRUNCATE ON identities, processed_requests TO " + runtime);
        asMigrator.execute("GRANT UPDATE (status) ON identities TO " + runtime);

        worker = new SpringApplicationBuilder(ChannelAssignmentWorkerApplication.class).run(
                "--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.username=" + runtime,
                "--spring.datasource.password=" + runtimePassword,
                "--spring.flyway.user=" + migrator,
                "--spring.flyway.password=" + migratorPassword,
                "--channel-assignment.database.runtime-role=" + runtime,
                "--spring.kafka.bootstrap-servers=" + TestServices.kafkaBootstrapServers(),
                "--spring.kafka.consumer.group-id=roles-" + suffix,
                "--spring.kafka.producer.transaction-id-prefix=roles-" + suffix + "-tx-",
                "--channel-assignment.topics.requests=" + requestsTopic,
                "--channel-assignment.topics.outcomes=" + outcomesTopic,
                "--channel-assignment.topics.dead-letter=" + requestsTopic + ".dlt",
                "--channel-assignment.topics.partitions=1",
                "--server.port=0", "--management.server.port=0");
        kafka = new KafkaTestClient(TestServices.kafkaBootstrapServers());
    }

    @AfterAll
    void stopTheWorkerAndDropTheRolesAndTheirDatabase() throws SQLException {
        if (server == null) {
            return;
        }
        try {
            if (kafka != null) {
                kafka.close();
            }
            if (worker != null) {
                worker.close();
            }
        } finally {
            // Only sessions of this class's roles in this class's database: the server is shared with other runs.
            try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.username(),
                    server.password());
                    PreparedStatement terminate = connection.prepareStatement("""
                            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                             WHERE datname = ? AND usename IN (?, ?)
                            """)) {
                terminate.setString(1, databaseName);
                terminate.setString(2, migrator);
                terminate.setString(3, runtime);
                terminate.execute();
            }
            // FORCE waits out sessions still ending after the terminate above; it can only reach this database's.
            asServerAdmin("DROP DATABASE IF EXISTS " + databaseName + " WITH (FORCE)",
                    "DROP ROLE IF EXISTS " + runtime, "DROP ROLE IF EXISTS " + migrator);
        }
    }

    @Test
    void appliesDirectoryChangesAnAssignmentAndAnUnassignmentConnectedAsTheRuntimeRole() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("roles-agent");
        Mailbox mailbox = directory.mailbox();
        // The worker applies the directory's changes from its topic as the runtime role, like every other write.
        directory.publishTo(RunningWorker.of(worker.getEnvironment()));

        ChannelAssignmentRequest assign = anAssignment().inOrganization(directory.organizationId())
                .forHandle("roles-agent").ofMailbox(mailbox.id()).buildWire();
        ChannelAssignmentRequest unassign = anUnassignment().inOrganization(directory.organizationId())
                .forHandle("roles-agent").buildWire();
        send(assign);
        send(unassign);

        assertThat(asMigrator.queryForObject("SELECT version FROM identities WHERE organization_id = ? AND id = ?",
                Long.class, directory.organizationId(), agent.id())).as("the identity's change, applied").isOne();
        Map<String, OutcomeStatus> statuses = outcomesFor(assign.getRequestId(), unassign.getRequestId()).stream()
                .collect(Collectors.toMap(ChannelAssignmentOutcome::getRequestId, ChannelAssignmentOutcome::getStatus));
        assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(
                assign.getRequestId(), OutcomeStatus.ASSIGNED, unassign.getRequestId(), OutcomeStatus.UNASSIGNED));
        assertThat(asMigrator.queryForObject("SELECT count(*) FROM channel_assignments WHERE identity_id = ?",
                Integer.class, agent.id())).isZero();
        // Proof that the worker's own sessions are the runtime role's, not a leftover superuser default.
        assertThat(new JdbcTemplate(new DriverManagerDataSource(server.jdbcUrl(), server.username(),
                server.password())).queryForList("""
                SELECT DISTINCT usename FROM pg_stat_activity
                 WHERE datname = ? AND application_name = 'channel-assignment-worker'
                """, String.class, databaseName)).containsExactly(runtime);
    }

    @Test
    void migratesWithTheFlywayCredentialsNotTheRuntimeOnes() {
        assertThat(asMigrator.queryForObject("SELECT installed_by FROM flyway_schema_history WHERE version = '2'",
                String.class)).isEqualTo(migrator);
        assertThat(asMigrator.queryForObject("SELECT tableowner FROM pg_tables WHERE tablename = 'identities'",
                String.class)).isEqualTo(migrator);
    }

    @Test
    void leavesTheRuntimeRoleExactlyTheWorkersPrivilegesOnEveryTable() {
        List<String> tablePrivileges = asMigrator.queryForList("""
                SELECT c.relname || ' ' || a.privilege_type
                  FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
                 WHERE a.grantee = ?::regrole AND c.relnamespace = 'public'::regnamespace
                """, String.class, runtime);
        List<String> columnPrivileges = asMigrator.queryForList("""
                SELECT c.relname || '.' || att.attname || ' ' || a.privilege_type
                  FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
                 CROSS JOIN LATERAL aclexplode(att.attacl) a
                 WHERE a.grantee = ?::regrole AND c.relnamespace = 'public'::regnamespace
                """, String.class, runtime);

        assertThat(tablePrivileges).containsExactlyInAnyOrder(
                "identities SELECT", "mailboxes SELECT", "phone_numbers SELECT",
                "identities INSERT", "mailboxes INSERT", "phone_numbers INSERT",
                "directory_change_outcomes SELECT", "directory_change_outcomes INSERT",
                "directory_change_outcomes DELETE",
                "channel_assignments SELECT", "channel_assignments INSERT", "channel_assignments DELETE",
                "processed_requests SELECT", "processed_requests INSERT", "processed_requests DELETE",
                "partition_progress SELECT", "partition_progress INSERT");
        assertThat(columnPrivileges).containsExactlyInAnyOrder(
                "identities.agent_handle UPDATE", "identities.status UPDATE", "identities.created_at UPDATE",
                "identities.updated_at UPDATE", "identities.version UPDATE",
                "mailboxes.email_address UPDATE", "mailboxes.display_name UPDATE", "mailboxes.deleted UPDATE",
                "mailboxes.created_at UPDATE", "mailboxes.updated_at UPDATE", "mailboxes.version UPDATE",
                "phone_numbers.number UPDATE", "phone_numbers.type UPDATE", "phone_numbers.status UPDATE",
                "phone_numbers.created_at UPDATE", "phone_numbers.updated_at UPDATE", "phone_numbers.version UPDATE",
                "directory_change_outcomes.processed_at UPDATE",
                "processed_requests.processed_at UPDATE", "partition_progress.next_offset UPDATE",
                "partition_progress.topic_id UPDATE", "partition_progress.updated_at UPDATE");
        // A table a future migration adds and RuntimeRoleGrants does not name fails here, not in production.
        assertThat(asMigrator.queryForList("""
                SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'flyway_schema_history'
                """, String.class)).allSatisfy(table -> assertThat(tablePrivileges).anyMatch(
                        privilege -> privilege.startsWith(table + " ")));
    }

    @Test
    void refusesTheRuntimeRoleDdlDeletesOfTheDirectoryAndWritesOfItsKeys() {
        assertThat(sqlStateOf(() -> asRuntime.execute("CREATE TABLE intruder (id int)")))
                .as("CREATE TABLE").isEqualTo(PERMISSION_DENIED);
        assertThat(sqlStateOf(() -> asRuntime.execute("ALTER TABLE identities ADD COLUMN intruder int")))
                .as("ALTER TABLE").isEqualTo(PERMISSION_DENIED);
        assertThat(sqlStateOf(() -> asRuntime.execute("TRUNCATE processed_requests")))
                .as("TRUNCATE, granted by hand before the migrate").isEqualTo(PERMISSION_DENIED);
        assertThat(sqlStateOf(() -> asRuntime.update("UPDATE identities SET organization_id = 'org-intruder'")))
                .as("UPDATE of an identity's key").isEqualTo(PERMISSION_DENIED);
        assertThat(sqlStateOf(() -> asRuntime.update("UPDATE mailboxes SET id = gen_random_uuid()")))
                .as("UPDATE of a mailbox's key").isEqualTo(PERMISSION_DENIED);
        assertThat(sqlStateOf(() -> asRuntime.update("DELETE FROM phone_numbers")))
                .as("DELETE FROM phone_numbers").isEqualTo(PERMISSION_DENIED);
        assertThat(sqlStateOf(() -> asRuntime.update("UPDATE partition_progress SET topic = 'elsewhere'")))
                .as("UPDATE of partition_progress's key").isEqualTo(PERMISSION_DENIED);

        // The directory writes the worker makes still go through: the refusals above are privileges, not a connection
        // that cannot write at all.
        assertThat(asRuntime.update("UPDATE identities SET status = status, version = version WHERE false")).isZero();
    }

    @Test
    void purgesExpiredIdempotencyRecordsAsTheRuntimeRole() {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("purged-agent");
        Mailbox mailbox = directory.mailbox();
        directory.publishTo(RunningWorker.of(worker.getEnvironment()));
        ChannelAssignmentRequest request = anAssignment().inOrganization(directory.organizationId())
                .forHandle("purged-agent").ofMailbox(mailbox.id()).buildWire();
        send(request);
        outcomesFor(request.getRequestId());
        assertThat(recordCount(request.getRequestId())).isOne();

        // Retention zero: every record is expired. The purge locks with FOR UPDATE SKIP LOCKED, which needs an
        // UPDATE privilege on the table besides DELETE.
        int purged = new IdempotencyRecordPurge(asRuntime, Clock.systemUTC(), Duration.ZERO, 1000).purgeExpired();

        assertThat(purged).isPositive();
        assertThat(recordCount(request.getRequestId())).isZero();
    }

    @Test
    void refusesToGrantToTheRoleFlywayMigratesAs() {
        // Revoking everything from the tables' owner before granting would strip the owner's own privileges.
        Throwable failure = catchThrowable(() -> Flyway.configure().dataSource(jdbcUrl, migrator, migratorPassword)
                .callbacks(new RuntimeRoleGrants(migrator)).load().migrate());

        assertThat(failure).hasStackTraceContaining("channel-assignment.database.runtime-role names " + migrator);
        assertThat(asMigrator.queryForObject(
                "SELECT has_table_privilege(current_user, 'processed_requests', 'SELECT, INSERT, UPDATE, DELETE')",
                Boolean.class)).isTrue();
    }

    private void send(ChannelAssignmentRequest request) {
        kafka.send(requestsTopic, request.getOrganizationId(), contract.encodeRequest(request));
    }

    private List<ChannelAssignmentOutcome> outcomesFor(String... requestIds) {
        return kafka.readOutcomes(outcomesTopic, List.of(requestIds)).stream()
                .map(record -> contract.decodeOutcome(record.value())).toList();
    }

    private int recordCount(String requestId) {
        return asMigrator.queryForObject("SELECT count(*) FROM processed_requests WHERE request_id = ?",
                Integer.class, requestId);
    }

    private void asServerAdmin(String... statements) throws SQLException {
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.username(),
                server.password());
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** The SQLSTATE of the database error the action fails with; the test fails if it succeeds. */
    private static String sqlStateOf(ThrowingCallable action) {
        Throwable failure = catchThrowable(action);
        assertThat(failure).as("refused").isNotNull();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql.getSQLState();
            }
        }
        throw new AssertionError("no SQLException in " + failure, failure);
    }
}
