package com.channelassignment.worker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.services.TestServices;
import java.util.List;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Reads the migrated schema from PostgreSQL's catalog and fails on anything that would keep one organization's rows
 * from living together on one node of a database distributed by organization_id (docs/scaling.md): a table without
 * the column, or a key, unique index or foreign key that leaves it out.
 */
class OrganizationKeysCatalogIntegrationTest {

    // Per Kafka partition, not per organization: a reference table on a distributed database (docs/scaling.md).
    // Flyway's history belongs to the migration tool.
    private static final Set<String> NOT_PER_ORGANIZATION = Set.of("partition_progress", "flyway_schema_history");

    private static JdbcTemplate jdbc;

    @BeforeAll
    static void migratedDatabase() {
        TestServices.Database database = TestServices.createDatabase();
        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load().migrate();
        jdbc = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password()));
    }

    @Test
    void everyTableCarriesTheOrganization() {
        List<String> tables = jdbc.queryForList("""
                SELECT c.relname FROM pg_class c
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                   AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid
                                      AND a.attname = 'organization_id' AND NOT a.attisdropped)
                """, String.class);

        assertThat(tables).as("tables without organization_id").isSubsetOf(NOT_PER_ORGANIZATION);
    }

    @Test
    void everyPrimaryKeyAndUniqueIndexIncludesTheOrganization() {
        String[] exempt = NOT_PER_ORGANIZATION.toArray(String[]::new);
        List<String> indexes = jdbc.queryForList("""
                SELECT format('%s on %s', i.indexrelid::regclass, c.relname)
                  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                 WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique AND c.relname <> ALL (?::text[])
                   AND NOT EXISTS (SELECT FROM pg_attribute a
                                    WHERE a.attrelid = c.oid AND a.attname = 'organization_id'
                                      AND a.attnum = ANY (i.indkey))
                """, String.class, (Object) exempt);
        int checked = jdbc.queryForObject("""
                SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                 WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique AND c.relname <> ALL (?::text[])
                """, Integer.class, (Object) exempt);

        assertThat(checked).as("unique indexes in the schema").isPositive();
        assertThat(indexes).as("primary keys and unique indexes without organization_id").isEmpty();
    }

    @Test
    void everyForeignKeyJoinsOnTheOrganization() {
        List<String> foreignKeys = jdbc.queryForList("""
                SELECT f.conname FROM pg_constraint f
                 WHERE f.connamespace = 'public'::regnamespace AND f.contype = 'f'
                   AND NOT EXISTS (
                       SELECT FROM unnest(f.conkey, f.confkey) AS k(local, referenced)
                         JOIN pg_attribute l ON l.attrelid = f.conrelid AND l.attnum = k.local
                         JOIN pg_attribute r ON r.attrelid = f.confrelid AND r.attnum = k.referenced
                        WHERE l.attname = 'organization_id' AND r.attname = 'organization_id')
                """, String.class);
        int checked = jdbc.queryForObject("""
                SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype = 'f'
                """, Integer.class);

        assertThat(checked).as("foreign keys in the schema").isPositive();
        assertThat(foreignKeys).as("foreign keys that do not match organization_id to organization_id").isEmpty();
    }
}
