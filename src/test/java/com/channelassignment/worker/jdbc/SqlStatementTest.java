package com.channelassignment.worker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlStatementTest {

    @Test
    void refusesAStatementWithAValueMissing() {
        assertThatThrownBy(() -> SqlStatement.of("""
                UPDATE identities SET updated_at = ?
                 WHERE organization_id = ? AND id = ?
                """, "2026-01-15T10:00:00Z", "org-acme"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 parameters for the 3 placeholders of: UPDATE identities SET updated_at = ?");
    }

    @Test
    void refusesAStatementWithAValueTooMany() {
        assertThatThrownBy(() -> SqlStatement.of("SELECT ?::int", 1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 parameters for the 1 placeholders");
    }

    @Test
    void keepsItsValuesInTheOrderOfItsPlaceholders() {
        SqlStatement statement = SqlStatement.of("SELECT ?::text, ?::int, ?::text[]", "a", null, new String[] {"b"});

        assertThat(statement.parameters()).containsExactly("a", null, new String[] {"b"});
    }

    @Test
    void countsNoPlaceholderInQuotesOrCommentsAndNoneForAnEscapedQuestionMark() {
        assertThat(SqlStatement.placeholders("""
                SELECT 'why?', 'it''s ?', "odd?name", ? -- the batch's id?
                  FROM t /* a ? here */ WHERE tags ?? 'x' AND id = ?
                """)).isEqualTo(2);
    }

    @Test
    void refusesAnUnclosedQuote() {
        assertThatThrownBy(() -> SqlStatement.placeholders("SELECT 'open ?"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
