package com.channelassignment.worker.application;

import java.util.Optional;

/**
 * Asked before a record is dead-lettered as poison: a record that fails alone is poison only while every dependency
 * answers. Otherwise the failure may be the dependency's, and the batch is retried instead.
 */
@FunctionalInterface
public interface DependencyProbe {

    /** The name of a dependency that does not answer right now, or empty when all do. */
    Optional<String> firstUnreachable();
}
