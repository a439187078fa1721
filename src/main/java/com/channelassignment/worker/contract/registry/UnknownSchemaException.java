package com.channelassignment.worker.contract.registry;

/**
 * The registry answered, and does not hold the schema a record names (its id, or a schema it references): the
 * record's fault, unlike {@link SchemaRegistryUnavailableException}.
 */
public class UnknownSchemaException extends RuntimeException {

    public UnknownSchemaException(String message) {
        super(message);
    }
}
