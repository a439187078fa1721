package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.domain.AgentHandles;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.util.RawValue;

/**
 * {@code directory show}: one handle of one organization as the worker's database holds it — every identity with that
 * handle (deleted ones too), the channels each holds, and the latest outcomes that name it — read in one read-only
 * snapshot through plain JDBC, to answer "why was this rejected?". Printed as lines for people, or with {@code --json}
 * as one JSON object for scripts.
 */
final class DirectoryShow {

    /** No identity of the organization has ever had the handle. */
    static final int NOT_FOUND = 3;

    // The outcomes hold the handle only inside their Avro bytes, and neither table is indexed by handle: the newest
    // rows of the organization are decoded and filtered here. A bound keeps the command cheap on a busy database.
    static final int OUTCOMES_SCANNED = 2000;

    private static final String IDENTITIES = """
            SELECT id, agent_handle, status, version, created_at, updated_at
            FROM identities
            WHERE organization_id = ? AND agent_handle = ?
            ORDER BY status = 'deleted', updated_at DESC, id
            """;

    private static final String REQUEST_OUTCOMES = """
            SELECT outcome
            FROM processed_requests
            WHERE organization_id = ?
            ORDER BY processed_at DESC
            LIMIT %d
            """.formatted(OUTCOMES_SCANNED);

    private static final String CHANGE_OUTCOMES = """
            SELECT outcome
            FROM directory_change_outcomes
            WHERE organization_id = ?
            ORDER BY processed_at DESC
            LIMIT %d
            """.formatted(OUTCOMES_SCANNED);

    /** What the command needs, checked before any connection is made. */
    record Query(String organizationId, String agentHandle, String jdbcUrl, String user, String password,
            int outcomes, boolean json) {
    }

    /** {@code directory show}: its flags, with the worker's datasource settings from the environment as defaults. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print every identity with this handle in the organization (deleted ones too), its status, "
                    + "version and last change, the mailbox and phone number it holds, and its latest outcomes, as "
                    + "the worker's PostgreSQL database holds them.",
                    "Reads in one read-only transaction; changes nothing."},
            footer = {"", "Exit status: 0 shown, 1 database error, 3 no identity has this handle, 64 bad usage."})
    static final class ShowCommand implements Callable<Integer> {

        private final CliContext context;

        @Option(names = "--organization-id", required = true, paramLabel = "ID", description = "the tenant")
        String organizationId;

        @Option(names = "--agent-handle", required = true, paramLabel = "HANDLE",
                description = "a leading @ is ignored, as the worker ignores it")
        String agentHandle;

        @Option(names = "--jdbc-url", paramLabel = "URL", description = "e.g. "
                + "jdbc:postgresql://db:5432/channel_assignment (default: $SPRING_DATASOURCE_URL)")
        String jdbcUrl;

        @Option(names = "--jdbc-user", paramLabel = "NAME", description = "(default: $SPRING_DATASOURCE_USERNAME)")
        String jdbcUser;

        @Option(names = "--jdbc-password-file", paramLabel = "FILE",
                description = "the password, first line (default: $SPRING_DATASOURCE_PASSWORD)")
        Path jdbcPasswordFile;

        @Option(names = "--outcomes", paramLabel = "N", defaultValue = "5", converter = CliConverters.NonNegative.class,
                description = "how many of the latest outcomes to print (default: 5; 0 for none)")
        int outcomes;

        @Option(names = "--json", description = "one JSON object: the identities, their channels and the outcomes")
        boolean json;

        ShowCommand(CliContext context) {
            this.context = context;
        }

        Query query() {
            WorkerEnvironment environment = context.environment();
            String url = jdbcUrl != null ? jdbcUrl : environment.datasourceUrl();
            if (url == null) {
                throw new CliUsageException("directory show needs --jdbc-url (or SPRING_DATASOURCE_URL)");
            }
            String password = environment.datasourcePassword();
            if (jdbcPasswordFile != null) {
                try {
                    password = Files.readAllLines(jdbcPasswordFile).stream().findFirst().orElse("");
                } catch (IOException e) {
                    throw new CliUsageException("--jdbc-password-file " + jdbcPasswordFile + " cannot be read: " + e);
                }
            }
            // The worker stores handles without the leading @ it ignores on requests.
            String stored = AgentHandles.stored(agentHandle);
            return new Query(organizationId, stored, url, jdbcUser != null ? jdbcUser : environment.datasourceUser(),
                    password, outcomes, json);
        }

        @Override
        public Integer call() {
            return DirectoryShow.run(query(), context.out(), context.err());
        }
    }

    private record IdentityRow(UUID id, String handle, String status, long version, Instant createdAt,
            Instant updatedAt) {

        String line() {
            return "identity %s  handle=%s  status=%s  version=%d  updated_at=%s  created_at=%s".formatted(id, handle,
                    status, version, updatedAt, createdAt);
        }

        /** The identity's fields, named as in the directory-change schema, then the channel of each type it holds. */
        Map<String, Object> json(List<HeldChannel> held) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", id.toString());
            json.put("agent_handle", handle);
            json.put("status", status);
            json.put("version", version);
            json.put("created_at", createdAt.toString());
            json.put("updated_at", updatedAt.toString());
            for (ChannelType type : ChannelType.values()) {
                json.put(type.fieldName(), held.stream().filter(channel -> channel.type() == type)
                        .map(HeldChannel::json).findFirst().orElse(null));
            }
            return json;
        }
    }

    /** A channel an identity holds, as a line for people and as its JSON object. */
    private record HeldChannel(UUID identityId, ChannelType type, String line, Map<String, Object> json) {
    }

    /** What {@code --json} prints: the question, then the answer; the outcomes as {@code send --json} prints them. */
    private record ShowJson(String organizationId, String agentHandle, List<Map<String, Object>> identities,
            List<RawValue> outcomes) {
    }

    private final AvroContract contract = new AvroContract();
    private final PrintStream out;

    private DirectoryShow(PrintStream out) {
        this.out = out;
    }

    /** Shows the handle and returns the exit status; a database failure is reported on {@code err}. */
    static int run(Query query, PrintStream out, PrintStream err) {
        try {
            return new DirectoryShow(out).show(query);
        } catch (SQLException e) {
            // The SQLSTATE tells an operator whether it was the address, the credentials or the schema.
            err.printf("database error (SQLSTATE %s): %s%n", e.getSQLState(), e.getMessage());
            return ChannelAssignmentCli.FAILED;
        }
    }

    private int show(Query query) throws SQLException {
        Properties credentials = new Properties();
        if (query.user() != null) {
            credentials.setProperty("user", query.user());
        }
        if (query.password() != null) {
            credentials.setProperty("password", query.password());
        }
        credentials.setProperty("ApplicationName", "channel-assignment-cli");
        // The driver's own limits, per connection: DriverManager's login timeout would be the whole JVM's.
        credentials.setProperty("connectTimeout", "10");
        credentials.setProperty("loginTimeout", "10");
        try (Connection connection = DriverManager.getConnection(query.jdbcUrl(), credentials)) {
            // One read-only snapshot: the identities, their channels and their outcomes agree with each other, and an
            // operator's look can never write.
            connection.setReadOnly(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setAutoCommit(false);
            try (Statement timeout = connection.createStatement()) {
                timeout.execute("SET LOCAL statement_timeout = '10s'");
            }
            try {
                return show(connection, query);
            } finally {
                connection.rollback();
            }
        }
    }

    private int show(Connection connection, Query query) throws SQLException {
        List<IdentityRow> identities = identities(connection, query);
        UUID[] ids = identities.stream().map(IdentityRow::id).toArray(UUID[]::new);
        List<HeldChannel> held = new ArrayList<>();
        if (ids.length > 0) {
            for (CliChannel channel : CliChannel.ofEveryType()) {
                held.addAll(held(connection, channel, query.organizationId(), ids));
            }
        }
        List<ChannelAssignmentOutcome> outcomes = query.outcomes() > 0
                ? outcomes(connection, query, Set.of(ids)) : List.of();
        if (query.json()) {
            printJson(query, identities, held, outcomes);
        } else {
            printLines(query, identities, held, outcomes);
        }
        out.flush();
        return identities.isEmpty() ? NOT_FOUND : ChannelAssignmentCli.DONE;
    }

    private void printLines(Query query, List<IdentityRow> identities, List<HeldChannel> held,
            List<ChannelAssignmentOutcome> outcomes) {
        if (identities.isEmpty()) {
            out.printf("no identity with handle %s in organization %s%n", query.agentHandle(),
                    query.organizationId());
        }
        for (IdentityRow identity : identities) {
            out.println(identity.line());
            List<String> lines = heldBy(identity, held).stream().map(HeldChannel::line).sorted().toList();
            if (lines.isEmpty()) {
                out.println("  no channels");
            }
            lines.forEach(line -> out.println("  " + line));
        }
        if (query.outcomes() > 0) {
            out.printf("latest outcomes naming it (of the organization's latest %d requests and %d directory change "
                    + "outcomes):%n", OUTCOMES_SCANNED, OUTCOMES_SCANNED);
            if (outcomes.isEmpty()) {
                out.println("  none");
            }
            outcomes.forEach(outcome -> out.println("  " + OutcomeText.readable(outcome)));
        }
    }

    /**
     * One object on one line: the organization and handle asked for, every identity with the handle (the live one
     * first; none when not found) with its channels, and the outcomes as {@code send --json} prints them.
     */
    private void printJson(Query query, List<IdentityRow> identities, List<HeldChannel> held,
            List<ChannelAssignmentOutcome> outcomes) {
        out.println(CliJson.line(new ShowJson(query.organizationId(), query.agentHandle(),
                identities.stream().map(identity -> identity.json(heldBy(identity, held))).toList(),
                outcomes.stream().map(outcome -> new RawValue(OutcomeText.json(outcome))).toList())));
    }

    private static List<HeldChannel> heldBy(IdentityRow identity, List<HeldChannel> held) {
        return held.stream().filter(channel -> channel.identityId().equals(identity.id())).toList();
    }

    private static List<IdentityRow> identities(Connection connection, Query query) throws SQLException {
        List<IdentityRow> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(IDENTITIES)) {
            statement.setString(1, query.organizationId());
            statement.setString(2, query.agentHandle());
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(new IdentityRow(rs.getObject("id", UUID.class), rs.getString("agent_handle"),
                            rs.getString("status"), rs.getLong("version"), instant(rs, "created_at"),
                            instant(rs, "updated_at")));
                }
            }
        }
        return rows;
    }

    /** The channels of one type that {@code identities} hold, one row each. */
    private static List<HeldChannel> held(Connection connection, CliChannel channel, String organizationId,
            UUID[] identities) throws SQLException {
        List<HeldChannel> held = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(channel.heldQuery())) {
            statement.setString(1, organizationId);
            statement.setArray(2, connection.createArrayOf("uuid", identities));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    held.add(heldChannel(channel, rs));
                }
            }
        }
        return held;
    }

    /** A held channel's line ({@code MAILBOX  id  own columns  version  updated_at  assigned_at}) and JSON object. */
    private static HeldChannel heldChannel(CliChannel channel, ResultSet rs) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        Map<String, Object> own = new LinkedHashMap<>();
        for (String column : channel.shownColumns()) {
            own.put(column, rs.getObject(column));
        }
        long version = rs.getLong("version");
        Instant updatedAt = instant(rs, "updated_at");
        Instant assignedAt = instant(rs, "assigned_at");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id.toString());
        json.putAll(own);
        json.put("version", version);
        json.put("updated_at", updatedAt.toString());
        json.put("assigned_at", assignedAt.toString());
        String columns = channel.lineColumns(own).stream().map(String::valueOf).collect(Collectors.joining("  "));
        return new HeldChannel(rs.getObject("identity_id", UUID.class), channel.type(),
                "%-12s  %s  %s  version=%d  updated_at=%s  assigned_at=%s".formatted(channel.type().name(), id,
                        columns, version, updatedAt, assignedAt),
                json);
    }

    /**
     * The newest outcomes that name the handle (requests, whatever identity they found) or one of its identities
     * (the unlinks a directory change caused), newest first.
     */
    private List<ChannelAssignmentOutcome> outcomes(Connection connection, Query query, Set<UUID> identities)
            throws SQLException {
        Set<String> identityIds = new HashSet<>();
        identities.forEach(id -> identityIds.add(id.toString()));
        Map<String, ChannelAssignmentOutcome> byEvent = new LinkedHashMap<>();
        for (String sql : List.of(REQUEST_OUTCOMES, CHANGE_OUTCOMES)) {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, query.organizationId());
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        ChannelAssignmentOutcome outcome = contract.decodeOutcome(rs.getBytes("outcome"));
                        if (names(outcome, query.agentHandle(), identityIds)) {
                            byEvent.put(outcome.getEventId(), outcome);
                        }
                    }
                }
            }
        }
        return byEvent.values().stream()
                .sorted(Comparator.comparing(ChannelAssignmentOutcome::getProcessedAt).reversed())
                .limit(query.outcomes())
                .toList();
    }

    private static boolean names(ChannelAssignmentOutcome outcome, String handle, Set<String> identityIds) {
        String sent = outcome.getAgentHandle();
        String stored = AgentHandles.stored(sent);
        return stored.equals(handle)
                || (outcome.getIdentity() != null && identityIds.contains(outcome.getIdentity().getId()));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getTimestamp(column).toInstant().truncatedTo(ChronoUnit.MILLIS);
    }
}
