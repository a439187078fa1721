package com.channelassignment.worker.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcOperations;

/**
 * Statements sent as one {@code ;}-separated query, each with its own parameters, so together they cost one round trip.
 *
 * <p>pgjdbc sends a multi-statement query as Parse, Bind and Execute for each statement and one Sync at the end, and
 * PostgreSQL runs the statements in order, each with a snapshot of its own. pgjdbc writes every statement before it
 * reads any result, so only a pipeline's last statement may return more than a few rows: rows that filled the socket
 * buffers while the driver was still writing the next statement's arrays would leave both sides waiting for the
 * other for good (pgjdbc issue 194).
 */
record Pipeline(List<SqlStatement> statements) {

    Pipeline {
        statements = List.copyOf(statements);
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("a pipeline needs a statement");
        }
    }

    static Pipeline of(SqlStatement... statements) {
        return new Pipeline(List.of(statements));
    }

    String sql() {
        return statements.stream().map(SqlStatement::sql).collect(Collectors.joining(";\n"));
    }

    /** Sends the pipeline and hands its results to {@code reader}, within the caller's transaction. */
    void run(JdbcOperations jdbc, ResultsReader reader) {
        jdbc.execute(sql(), (PreparedStatement prepared) -> {
            bind(prepared);
            reader.read(new Results(prepared));
            return null;
        });
    }

    private void bind(PreparedStatement prepared) throws SQLException {
        int index = 1;
        for (SqlStatement statement : statements) {
            for (Object parameter : statement.parameters()) {
                prepared.setObject(index++, parameter);
            }
        }
    }

    /** Reads a pipeline's results, statement by statement. */
    @FunctionalInterface
    interface ResultsReader {
        void read(Results results) throws SQLException;
    }

    /** The results of a pipeline's statements, taken one statement at a time in the pipeline's order. */
    static final class Results {

        private final PreparedStatement prepared;
        private boolean executed;

        private Results(PreparedStatement prepared) {
            this.prepared = prepared;
        }

        ResultSet nextRows() throws SQLException {
            if (!advance()) {
                throw new IllegalStateException("the pipeline's next statement returned no rows");
            }
            return prepared.getResultSet();
        }

        int nextUpdateCount() throws SQLException {
            if (advance() || prepared.getUpdateCount() < 0) {
                throw new IllegalStateException("the pipeline's next statement returned no update count");
            }
            return prepared.getUpdateCount();
        }

        private boolean advance() throws SQLException {
            if (!executed) {
                executed = true;
                return prepared.execute();
            }
            return prepared.getMoreResults();
        }
    }
}
