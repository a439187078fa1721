package com.channelassignment.worker.testing.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The fault suite's commit-dropping proxy must recognize pgjdbc's COMMITs, both the first one (a Parse carrying the
 * text) and later ones on the same connection (a Bind of the server-prepared COMMIT), and a dropped COMMIT must have
 * committed although the client saw its connection die.
 */
class CommitDroppingProxyIntegrationTest {

    private final TestServices.Database database = TestServices.createDatabase();

    @Test
    void dropsTheAnswerToAChosenCommitAfterTheServerCommittedIt() throws Exception {
        execute(database.jdbcUrl(), "CREATE TABLE committed (n integer PRIMARY KEY)");
        URI server = URI.create(database.jdbcUrl().substring("jdbc:".length()));
        try (CommitDroppingProxy proxy = CommitDroppingProxy.start(server.getHost(), server.getPort(),
                Duration.ofMillis(200));
                Connection connection = DriverManager.getConnection(throughProxy(proxy, server),
                        database.username(), database.password())) {
            connection.setAutoCommit(false);
            proxy.dropEvery(10, 1);
            for (int n = 1; n <= 9; n++) {
                insert(connection, n);
                connection.commit();
            }
            insert(connection, 10);

            assertThatThrownBy(connection::commit).isInstanceOf(SQLException.class);

            assertThat(proxy.commitsSeen()).as(proxy.describe()).isEqualTo(10);
            assertThat(proxy.commitsDropped()).isEqualTo(1);
            assertThat(proxy.describe()).contains("1 as Parse", "9 as Bind of a prepared COMMIT");
        }
        assertThat(count(database.jdbcUrl())).as("the dropped COMMIT committed all the same").isEqualTo(10);
    }

    private String throughProxy(CommitDroppingProxy proxy, URI server) {
        return "jdbc:postgresql://127.0.0.1:%d%s?sslmode=disable&gssEncMode=disable".formatted(proxy.port(),
                server.getPath());
    }

    private void insert(Connection connection, int n) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO committed (n) VALUES (" + n + ")");
        }
    }

    private void execute(String url, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, database.username(), database.password());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private int count(String url) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, database.username(), database.password());
                Statement statement = connection.createStatement();
                var results = statement.executeQuery("SELECT count(*) FROM committed")) {
            results.next();
            return results.getInt(1);
        }
    }
}
