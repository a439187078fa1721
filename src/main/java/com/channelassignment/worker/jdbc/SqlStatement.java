package com.channelassignment.worker.jdbc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One SQL statement and the values of its {@code ?} placeholders, in their order. The count is checked here, so a
 * value missing from one statement fails at that statement instead of shifting the binds of every later one.
 */
record SqlStatement(String sql, List<Object> parameters) {

    SqlStatement {
        Objects.requireNonNull(sql, "sql");
        parameters = Collections.unmodifiableList(new ArrayList<>(parameters));
        int placeholders = placeholders(sql);
        if (parameters.size() != placeholders) {
            throw new IllegalArgumentException("%d parameters for the %d placeholders of: %s"
                    .formatted(parameters.size(), placeholders, sql.strip().lines().findFirst().orElse("")));
        }
    }

    static SqlStatement of(String sql, Object... parameters) {
        return new SqlStatement(sql, Arrays.asList(parameters));
    }

    /**
     * The placeholders pgjdbc binds in {@code sql}: a {@code ?} in a quoted literal or identifier or in a comment is
     * none, and {@code ??} is pgjdbc's escape for the operator character.
     */
    static int placeholders(String sql) {
        int count = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                // A doubled quote inside a literal closes it and opens the next one: the same count.
                i = closing(sql, String.valueOf(c), i + 1);
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end;
            } else if (sql.startsWith("/*", i)) {
                i = closing(sql, "*/", i + 2) + 1;
            } else if (sql.startsWith("??", i)) {
                i++;
            } else if (c == '?') {
                count++;
            }
        }
        return count;
    }

    private static int closing(String sql, String delimiter, int from) {
        int end = sql.indexOf(delimiter, from);
        if (end < 0) {
            throw new IllegalArgumentException("unclosed " + delimiter + " in: " + sql);
        }
        return end;
    }
}
