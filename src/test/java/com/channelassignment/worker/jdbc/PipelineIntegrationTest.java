package com.channelassignment.worker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.services.TestServices;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class PipelineIntegrationTest {

    @Test
    void bindsEachStatementsValuesToItsOwnPlaceholdersAndReadsTheResultsInOrder() {
        TestServices.Database database = TestServices.createDatabase();
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password()));
        jdbc.execute("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)");
        List<String> read = new ArrayList<>();

        Pipeline.of(
                SqlStatement.of("INSERT INTO notes (id, body) SELECT * FROM unnest(?::int[], ?::text[])",
                        new Integer[] {1, 2, 3}, new String[] {"one", "two", "three"}),
                SqlStatement.of("UPDATE notes SET body = upper(body) WHERE id = ?", 2),
                SqlStatement.of("SELECT body FROM notes WHERE id >= ? AND body <> ? ORDER BY id", 2, "one"))
                .run(jdbc, results -> {
                    assertThat(results.nextUpdateCount()).isEqualTo(3);
                    assertThat(results.nextUpdateCount()).isEqualTo(1);
                    for (ResultSet rs = results.nextRows(); rs.next(); ) {
                        read.add(rs.getString("body"));
                    }
                });

        assertThat(read).containsExactly("TWO", "three");
    }
}
