package com.channelassignment.worker.jdbc;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcOperations;

/** Whether the database answers a trivial query right now: evidence asked for before a record is called poison. */
public class JdbcReachability {

    private final JdbcOperations jdbc;

    public JdbcReachability(JdbcOperations jdbc) {
        this.jdbc = jdbc;
    }

    public boolean isReachable() {
        try {
            jdbc.queryForObject("SELECT 1", Integer.class);
            return true;
        } catch (DataAccessException unreachable) {
            return false;
        }
    }
}
