package com.channelassignment.worker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.application.DependencyUnavailableException;
import com.channelassignment.worker.testing.services.TestServices;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the database's absence looks like from inside a transaction, on a real PostgreSQL: a connection ended by the
 * server mid-transaction or just before the commit, and a lock wait cut off, all become
 * {@link DependencyUnavailableException}; a refused row stays what it is. Every termination is scoped to this test's
 * database, its application_name and the one backend it means.
 */
class DatabaseTransactionsIntegrationTest {

    private static final String APPLICATION_NAME = "caw-transactions-test-" + UUID.randomUUID();

    private static JdbcTemplate jdbc;
    private static JdbcTemplate terminator;
    private static DatabaseTransactions transactions;

    @BeforeAll
    static void database() {
        TestServices.Database database = TestServices.createDatabase();
        String url = database.jdbcUrl() + (database.jdbcUrl().contains("?") ? "&" : "?")
                + "ApplicationName=" + APPLICATION_NAME;
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, database.username(),
                database.password());
        jdbc = new JdbcTemplate(dataSource);
        terminator = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password()));
        jdbc.execute("CREATE TABLE guarded (id int PRIMARY KEY, amount int CHECK (amount >= 0))");
        jdbc.execute("INSERT INTO guarded VALUES (1, 0)");
        transactions = new DatabaseTransactions(new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
    }

    @Test
    void aConnectionEndedByTheServerMidTransactionIsADependencyFailure() {
        assertThatThrownBy(() -> transactions.execute(status -> {
            terminate(jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class));
            return jdbc.update("UPDATE guarded SET amount = amount + 1 WHERE id = 1");
        })).isInstanceOf(DependencyUnavailableException.class);
    }

    @Test
    void aCommitOnAConnectionThatDiedAfterTheLastStatementIsADependencyFailure() {
        // The statements all succeeded; the commit cannot reach the server. From here the worker cannot tell a lost
        // commit from a committed one, and the retry resolves it through the idempotency records.
        assertThatThrownBy(() -> transactions.execute(status -> {
            jdbc.update("UPDATE guarded SET amount = amount + 1 WHERE id = 1");
            terminate(jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class));
            return null;
        })).isInstanceOf(DependencyUnavailableException.class);
    }

    @Test
    void aLockWaitCutOffByTheLockTimeoutIsADependencyFailure() {
        TransactionTemplate blocker = new TransactionTemplate(new DataSourceTransactionManager(
                terminator.getDataSource()));
        blocker.executeWithoutResult(held -> {
            terminator.update("UPDATE guarded SET amount = amount WHERE id = 1");
            assertThatThrownBy(() -> transactions.execute(status -> {
                jdbc.execute("SET LOCAL lock_timeout = '100ms'");
                return jdbc.update("UPDATE guarded SET amount = amount + 1 WHERE id = 1");
            })).isInstanceOf(DependencyUnavailableException.class);
        });
    }

    @Test
    void aRowTheDatabaseRefusesIsNotADependencyFailure() {
        assertThatThrownBy(() -> transactions.execute(status ->
                jdbc.update("UPDATE guarded SET amount = -1 WHERE id = 1")))
                .isInstanceOf(DataIntegrityViolationException.class)
                .isNotInstanceOf(DependencyUnavailableException.class);
        Integer amount = transactions.execute(status -> jdbc.queryForObject(
                "SELECT amount FROM guarded WHERE id = 1", Integer.class));
        assertThat(amount).as("the database is still there").isNotNull();
    }

    /** Ends one backend of this test's own database and application_name, and waits until it is gone. */
    private static void terminate(int pid) {
        Boolean ended = terminator.queryForObject("""
                SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
                 WHERE pid = ? AND datname = current_database() AND application_name = ?
                """, Boolean.class, pid, APPLICATION_NAME);
        assertThat(ended).as("backend %d of %s ended", pid, APPLICATION_NAME).isTrue();
    }
}
