package com.channelassignment.worker.testing.services;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;

/**
 * Terminates the worker's PostgreSQL connections again and again, as a failover, a pooler restart or an operator's
 * {@code pg_terminate_backend} would. Only the backends of one database AND one application_name are touched: the
 * server may be shared, and the test's own connections use other names.
 */
public final class ConnectionStorm {

    /** The application_name of the storm's own connection, never one a worker uses. */
    public static final String OWN_APPLICATION_NAME = "connection-storm";

    private static final String TERMINATE_WORKER_BACKENDS = """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = ? AND application_name = ? AND pid <> pg_backend_pid()
            """;

    private final String jdbcUrl;
    private final String username;
    private final String password;
    private final String databaseName;
    private final String applicationName;

    /**
     * @param jdbcUrl where to connect (the worker's database itself will do)
     * @param databaseName the only {@code datname} whose backends are terminated
     * @param applicationName the only {@code application_name} whose backends are terminated
     */
    public ConnectionStorm(String jdbcUrl, String username, String password, String databaseName,
            String applicationName) {
        if (applicationName == null || applicationName.isBlank() || applicationName.equals(OWN_APPLICATION_NAME)) {
            throw new IllegalArgumentException("a storm needs the workers' own application_name, got "
                    + applicationName);
        }
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
        this.databaseName = databaseName;
        this.applicationName = applicationName;
    }

    /**
     * Terminates matching backends every {@code pause} until at least {@code minimumTerminations} were terminated and
     * {@code minimumDuration} has passed; returns the count. Fails when {@code maximumDuration} passes first: a storm
     * that found nothing to terminate proves nothing.
     */
    public Result blow(int minimumTerminations, Duration minimumDuration, Duration maximumDuration, Duration pause) {
        long started = System.nanoTime();
        long minimumEnd = started + minimumDuration.toNanos();
        long deadline = started + maximumDuration.toNanos();
        int terminated = 0;
        int rounds = 0;
        try (Connection connection = connect();
                PreparedStatement terminate = connection.prepareStatement(TERMINATE_WORKER_BACKENDS)) {
            terminate.setString(1, databaseName);
            terminate.setString(2, applicationName);
            while (terminated < minimumTerminations || System.nanoTime() < minimumEnd) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(("connection storm: only %d terminations of %s backends in %s after %s"
                            + " (%d rounds)").formatted(terminated, applicationName, databaseName, maximumDuration,
                            rounds));
                }
                try (ResultSet results = terminate.executeQuery()) {
                    while (results.next()) {
                        if (results.getBoolean(1)) {
                            terminated++;
                        }
                    }
                }
                rounds++;
                LockSupport.parkNanos(pause.toNanos());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("connection storm cannot reach PostgreSQL at " + jdbcUrl, e);
        }
        return new Result(terminated, rounds, Duration.ofNanos(System.nanoTime() - started));
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", username);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", OWN_APPLICATION_NAME);
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    /** How many backends were terminated, in how many rounds, over how long. */
    public record Result(int terminated, int rounds, Duration elapsed) {
    }
}
