package com.channelassignment.worker.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the role the worker runs as exactly the privileges its statements need, after every Flyway migrate, with the
 * migration role's connection (docs/database-roles.md). A role name that is empty grants nothing.
 */
public class RuntimeRoleGrants implements Callback {

    private static final Logger log = LoggerFactory.getLogger(RuntimeRoleGrants.class);

    private static final String PROPERTY = "channel-assignment.database.runtime-role";

    // Instances that start together run this callback together, and two concurrent GRANTs on one table fail with
    // "tuple concurrently updated": the first waits for the other's commit. The key is this worker's own constant.
    private static final String SERIALIZE_WITH_OTHER_INSTANCES = "SELECT pg_advisory_xact_lock(7358166031945022761)";

    // Identifiers quoted by the server, so any role and schema name is safe to put into the statements below.
    private static final String INSPECT = """
            SELECT quote_ident(?) AS role_name, quote_ident(coalesce(?, current_schema())) AS schema_name,
                   EXISTS (SELECT FROM pg_roles WHERE rolname = ?) AS role_exists,
                   EXISTS (SELECT FROM pg_roles WHERE rolname = ? AND pg_has_role(oid, current_user, 'MEMBER'))
                       AS holds_migration_role
            """;

    // Revoked first, so a privilege this list no longer holds is taken back from existing databases too; Flyway runs
    // the callback in one transaction, so no other session sees the role without its grants. What each grant is for:
    // - The directory tables: the batch reads identities and channels, and writes the state directory changes carry
    //   with INSERT ... ON CONFLICT DO UPDATE (every column but the key); identities' updated_at is also written when
    //   links change.
    // - directory_change_outcomes: like processed_requests, for the outcomes directory changes caused.
    // - channel_assignments: links are read, inserted and deleted, never updated.
    // - processed_requests: idempotency records are read and inserted; the retention purge deletes them, and its
    //   SELECT ... FOR UPDATE SKIP LOCKED needs UPDATE on one column: processed_at, the column it selects by.
    // - partition_progress: rows are inserted, and updated through INSERT ... ON CONFLICT DO UPDATE and the
    //   advance; the key columns are never updated.
    // No TRUNCATE, REFERENCES or TRIGGER, no DDL, nothing on flyway_schema_history. Foreign key checks run as the
    // referenced table's owner, so links need no privilege on the directory beyond these.
    private static final String GRANTS = """
            REVOKE ALL ON ALL TABLES IN SCHEMA %1$s FROM %2$s;
            GRANT USAGE ON SCHEMA %1$s TO %2$s;
            GRANT SELECT, INSERT, UPDATE (agent_handle, status, created_at, updated_at, version)
                ON %1$s.identities TO %2$s;
            GRANT SELECT, INSERT, UPDATE (email_address, display_name, deleted, created_at, updated_at, version)
                ON %1$s.mailboxes TO %2$s;
            GRANT SELECT, INSERT, UPDATE (number, type, status, created_at, updated_at, version)
                ON %1$s.phone_numbers TO %2$s;
            GRANT SELECT, INSERT, DELETE, UPDATE (processed_at) ON %1$s.directory_change_outcomes TO %2$s;
            GRANT SELECT, INSERT, DELETE ON %1$s.channel_assignments TO %2$s;
            GRANT SELECT, INSERT, DELETE, UPDATE (processed_at) ON %1$s.processed_requests TO %2$s;
            GRANT SELECT, INSERT, UPDATE (next_offset, topic_id, updated_at) ON %1$s.partition_progress TO %2$s
            """;

    private final String runtimeRole;

    public RuntimeRoleGrants(String runtimeRole) {
        this.runtimeRole = runtimeRole;
    }

    @Override
    public boolean supports(Event event, Context context) {
        // AFTER_MIGRATE, not AFTER_MIGRATE_APPLIED: a start with nothing to migrate still puts the grants right.
        return event == Event.AFTER_MIGRATE && !runtimeRole.isEmpty();
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        Connection connection = context.getConnection();
        try (Statement statement = connection.createStatement()) {
            statement.execute(SERIALIZE_WITH_OTHER_INSTANCES);
            Identifiers identifiers = inspect(connection, migratedSchema(context.getConfiguration()));
            statement.execute(GRANTS.formatted(identifiers.schema(), identifiers.role()));
            log.info("granted the worker's privileges on schema {} to runtime role {}", identifiers.schema(),
                    identifiers.role());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot grant the worker's privileges to " + PROPERTY + " "
                    + runtimeRole + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String getCallbackName() {
        return "grant runtime role";
    }

    private Identifiers inspect(Connection connection, String schema) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSPECT)) {
            statement.setString(1, runtimeRole);
            statement.setString(2, schema);
            statement.setString(3, runtimeRole);
            statement.setString(4, runtimeRole);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                if (!rs.getBoolean("role_exists")) {
                    throw new IllegalStateException(PROPERTY + " names role " + runtimeRole
                            + ", which does not exist: create it first (docs/database-roles.md)");
                }
                // The role that owns the tables, or a member of it, holds every privilege whatever is granted; and
                // revoking everything from the owner would strip its own privileges.
                if (rs.getBoolean("holds_migration_role")) {
                    throw new IllegalStateException(PROPERTY + " names " + runtimeRole + ", which is or belongs to"
                            + " the role Flyway migrates as: give the worker a role of its own, or leave it empty");
                }
                return new Identifiers(rs.getString("role_name"), rs.getString("schema_name"));
            }
        }
    }

    /** The schema Flyway created the tables in; null when Flyway uses the connection's current schema. */
    private static String migratedSchema(Configuration configuration) {
        if (configuration.getDefaultSchema() != null) {
            return configuration.getDefaultSchema();
        }
        String[] schemas = configuration.getSchemas();
        return schemas.length > 0 ? schemas[0] : null;
    }

    private record Identifiers(String role, String schema) {
    }
}
