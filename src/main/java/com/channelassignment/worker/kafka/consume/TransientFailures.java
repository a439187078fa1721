package com.channelassignment.worker.kafka.consume;

import com.channelassignment.worker.contract.registry.SchemaNotRegisteredException;
import com.channelassignment.worker.application.ConcurrentRequestException;
import com.channelassignment.worker.application.DependencyUnavailableException;
import com.channelassignment.worker.contract.registry.SchemaRegistryUnavailableException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Tells failures that say nothing about the records (a dependency away, a concurrent duplicate), which are retried
 * without limit, from everything else, which may be a poison record. The database adapter translates its own
 * failures into {@link DependencyUnavailableException}; this class reads only application and Kafka exceptions.
 */
public final class TransientFailures {

    private TransientFailures() {
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DependencyUnavailableException
                    || cause instanceof ConcurrentRequestException
                    || cause instanceof RetriableException
                    || cause instanceof SchemaRegistryUnavailableException
                    || cause instanceof SchemaNotRegisteredException) {
                return true;
            }
        }
        return false;
    }
}
