package com.channelassignment.worker.application;

import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * When a failing batch is applied record by record to find its poison, and when a record that fails alone is
 * called poison. A transient failure (a dependency away, a concurrent duplicate) says nothing about the records and
 * is retried without limit; any other failure is retried {@code poisonAttempts} times as a batch, then the batch is
 * split. A record is poison only on evidence: it fails alone twice, not transiently, with every dependency answering
 * right after each failure. Anything short of that fails the batch, which is retried.
 */
public final class PoisonIsolation {

    /** How many times a record is applied alone before it is called poison. */
    static final int ATTEMPTS_ALONE = 2;

    /** What became of a record applied alone. */
    public sealed interface Alone<T> permits Applied, Poison {
    }

    /** It was applied; its result. */
    public record Applied<T>(T result) implements Alone<T> {
    }

    /** It failed alone on every attempt, with the dependencies up: to be dead-lettered with its own failure. */
    public record Poison<T>(RuntimeException failure) implements Alone<T> {
    }

    private final int poisonAttempts;
    private final Predicate<Throwable> transientFailure;
    private final DependencyProbe dependencies;

    /** {@code transientFailure} tells failures that say nothing about the records; the adapter knows their types. */
    public PoisonIsolation(int poisonAttempts, Predicate<Throwable> transientFailure, DependencyProbe dependencies) {
        if (poisonAttempts < 1) {
            throw new IllegalArgumentException("poisonAttempts must be at least 1, was " + poisonAttempts);
        }
        this.poisonAttempts = poisonAttempts;
        this.transientFailure = Objects.requireNonNull(transientFailure, "transientFailure");
        this.dependencies = Objects.requireNonNull(dependencies, "dependencies");
    }

    public int poisonAttempts() {
        return poisonAttempts;
    }

    /**
     * Whether a batch that failed should now be applied record by record; otherwise it is retried whole.
     * {@code failuresInARow} counts this failure too, and is asked only for a failure that is not transient.
     */
    public boolean isolatesAfter(RuntimeException failure, IntSupplier failuresInARow) {
        return !transientFailure.test(failure) && failuresInARow.getAsInt() >= poisonAttempts;
    }

    /**
     * Applies one record alone until it succeeds or proves poison. Throws a transient failure as it came, and a
     * {@link DependencyUnavailableException} when a dependency does not answer after the record failed: the batch is
     * then retried rather than the record blamed.
     */
    public <T> Alone<T> applyAlone(String record, Supplier<T> apply) {
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS_ALONE; attempt++) {
            try {
                return new Applied<>(apply.get());
            } catch (RuntimeException e) {
                if (transientFailure.test(e)) {
                    throw e;
                }
                failure = e;
            }
            var unreachable = dependencies.firstUnreachable();
            if (unreachable.isPresent()) {
                throw new DependencyUnavailableException("record " + record + " failed alone while "
                        + unreachable.get() + " does not answer; not calling it poison", failure);
            }
        }
        return new Poison<>(failure);
    }
}
