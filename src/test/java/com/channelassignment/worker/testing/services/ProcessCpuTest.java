package com.channelassignment.worker.testing.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    private static boolean serves(String title, String database) {
        return ProcessCpu.servesDatabase((title + "\0").getBytes(StandardCharsets.UTF_8), database);
    }

    @Test
    void tellsABackendOfTheDatabaseByItsProcessTitle() {
        assertThat(serves("postgres: 15/main: postgres caw_bench 127.0.0.1(43106) idle", "caw_bench")).isTrue();
        assertThat(serves("postgres: root caw_bench 127.0.0.1(43106) idle in transaction", "caw_bench")).isTrue();
    }

    @Test
    void leavesOutOtherDatabasesAndSharedProcesses() {
        assertThat(serves("postgres: 15/main: postgres caw_test_1 127.0.0.1(43106) idle", "caw_bench")).isFalse();
        assertThat(serves("postgres: 15/main: walwriter ", "caw_bench")).isFalse();
        assertThat(serves("postgres: checkpointer ", "checkpointer")).isFalse();
        assertThat(serves("/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main", "main")).isFalse();
    }
}
