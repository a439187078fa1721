package com.channelassignment.worker.contract.registry;

/**
 * A schema the worker writes is not registered under its subject, and auto-registration is off: a dependency that is
 * not ready yet, retried like a registry that is away, never the fault of a record.
 */
public class SchemaNotRegisteredException extends RuntimeException {

    public SchemaNotRegisteredException(String message) {
        super(message);
    }
}
