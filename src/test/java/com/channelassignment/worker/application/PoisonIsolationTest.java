package com.channelassignment.worker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PoisonIsolationTest {

    private static final DependencyProbe ALL_UP = Optional::empty;

    private final PoisonIsolation policy = new PoisonIsolation(3,
            failure -> failure instanceof DependencyUnavailableException, ALL_UP);

    @Test
    void retriesABatchWholeUntilItFailedPoisonAttemptsTimesInARow() {
        RuntimeException bug = new IllegalStateException("bad record");
        assertThat(policy.isolatesAfter(bug, () -> 2)).isFalse();
        assertThat(policy.isolatesAfter(bug, () -> 3)).isTrue();
    }

    @Test
    void neverIsolatesOnATransientFailureNorCountsIt() {
        AtomicInteger asked = new AtomicInteger();
        assertThat(policy.isolatesAfter(new DependencyUnavailableException("database away", null),
                () -> asked.incrementAndGet() + 10)).isFalse();
        assertThat(asked).hasValue(0);
    }

    @Test
    void appliesARecordThatSucceedsAlone() {
        assertThat(policy.applyAlone("requests-0@1", () -> "outcome"))
                .isEqualTo(new PoisonIsolation.Applied<>("outcome"));
    }

    @Test
    void appliesARecordThatFailsOnceThenSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        assertThat(policy.applyAlone("requests-0@1", () -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("once");
            }
            return "outcome";
        })).isEqualTo(new PoisonIsolation.Applied<>("outcome"));
    }

    @Test
    void callsARecordPoisonWhenItFailsAloneTwiceWithTheDependenciesUp() {
        RuntimeException failure = new IllegalStateException("bad record");
        AtomicInteger attempts = new AtomicInteger();
        assertThat(policy.applyAlone("requests-0@1", () -> {
            attempts.incrementAndGet();
            throw failure;
        })).isEqualTo(new PoisonIsolation.Poison<>(failure));
        assertThat(attempts).hasValue(2);
    }

    @Test
    void retriesTheBatchRatherThanBlameARecordWhileADependencyIsAway() {
        PoisonIsolation databaseAway = new PoisonIsolation(3, failure -> false, () -> Optional.of("PostgreSQL"));
        assertThatThrownBy(() -> databaseAway.applyAlone("requests-0@1", () -> {
            throw new IllegalStateException("bad record?");
        })).isInstanceOf(DependencyUnavailableException.class).hasMessageContaining("requests-0@1")
                .hasMessageContaining("PostgreSQL");
    }

    @Test
    void passesATransientFailureOnAsItCame() {
        RuntimeException away = new DependencyUnavailableException("broker away", null);
        assertThatThrownBy(() -> policy.applyAlone("requests-0@1", () -> {
            throw away;
        })).isSameAs(away);
    }
}
