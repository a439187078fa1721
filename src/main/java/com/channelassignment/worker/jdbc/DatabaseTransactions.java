package com.channelassignment.worker.jdbc;

import com.channelassignment.worker.application.DependencyUnavailableException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Runs the use case's database transactions and translates what the database's absence looks like into
 * {@link DependencyUnavailableException}, so the layers above never inspect JDBC or Spring's data-access exceptions.
 *
 * <p>Anything else (a constraint the rules missed, a bug) passes through unchanged: it may be a poison record.
 */
public class DatabaseTransactions implements TransactionOperations {

    // SQLSTATE classes and codes that describe the connection or the server, never the statement's data:
    // 08 connection exception, 53 insufficient resources, 57P01-03 shutdown and crash recovery, 57014 query cancelled
    // (statement timeout), 40001 and 40P01 serialization failure and deadlock, 55P03 lock timeout, 58 system error
    // (I/O on the server), 25P03 idle-in-transaction timeout.
    private static final Set<String> DEPENDENCY_CLASSES = Set.of("08", "53", "58");
    private static final Set<String> DEPENDENCY_STATES = Set.of("57P01", "57P02", "57P03", "57014", "40001", "40P01",
            "55P03", "25P03");

    private final TransactionOperations transactions;

    public DatabaseTransactions(TransactionOperations transactions) {
        this.transactions = transactions;
    }

    @Override
    public <T> T execute(TransactionCallback<T> action) throws TransactionException {
        try {
            return transactions.execute(action);
        } catch (RuntimeException failure) {
            if (isDependencyFailure(failure)) {
                throw new DependencyUnavailableException("database unavailable: " + failure, failure);
            }
            throw failure;
        }
    }

    /**
     * A failed commit or rollback ({@link TransactionSystemException}) is always the connection: the statements had
     * all succeeded. Its result is unknown, and the retry resolves it through the idempotency records.
     */
    static boolean isDependencyFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TransactionSystemException
                    || cause instanceof CannotCreateTransactionException
                    || cause instanceof TransientDataAccessException
                    || cause instanceof RecoverableDataAccessException
                    || cause instanceof DataAccessResourceFailureException
                    || cause instanceof SQLTransientException
                    || cause instanceof SQLRecoverableException
                    || cause instanceof IOException
                    || cause instanceof SQLException sql && isDependencyState(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDependencyState(String sqlState) {
        return sqlState != null && sqlState.length() == 5
                && (DEPENDENCY_CLASSES.contains(sqlState.substring(0, 2)) || DEPENDENCY_STATES.contains(sqlState));
    }
}
