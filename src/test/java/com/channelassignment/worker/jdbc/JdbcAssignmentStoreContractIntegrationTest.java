package com.channelassignment.worker.jdbc;

import com.channelassignment.worker.application.AssignmentStore;
import com.channelassignment.worker.application.AssignmentStoreContract;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.testing.services.TestServices;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The PostgreSQL store holds to the contract the store in memory is held to, each batch in a transaction of its own. */
class JdbcAssignmentStoreContractIntegrationTest extends AssignmentStoreContract {

    private static JdbcTemplate jdbc;
    private static TransactionTemplate transactions;
    private static JdbcAssignmentStore store;

    @BeforeAll
    static void migratedDatabase() {
        TestServices.Database database = TestServices.createDatabase();
        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load().migrate();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password());
        jdbc = new JdbcTemplate(dataSource);
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        store = new JdbcAssignmentStore(jdbc, Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(15));
    }

    @BeforeEach
    void emptyTables() {
        jdbc.execute("""
                TRUNCATE channel_assignments, identities, mailboxes, phone_numbers, processed_requests,
                         directory_change_outcomes, partition_progress
                """);
    }

    @Override
    protected <T> T committed(Function<AssignmentStore, T> batch) {
        return transactions.execute(status -> batch.apply(store));
    }

    @Override
    protected <T> T rolledBack(Function<AssignmentStore, T> look) {
        return transactions.execute(status -> {
            status.setRollbackOnly();
            return look.apply(store);
        });
    }

    @Override
    protected void givenDirectory(List<Identity> identities, List<Channel> channels, List<ChannelLink> links) {
        new JdbcDirectoryLoader(jdbc).load(new DirectoryRows(identities, channels, links));
    }
}
