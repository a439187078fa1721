package com.channelassignment.worker.contract.registry;

/**
 * The schema registry could not answer: unreachable, failing (5xx) or refusing the credentials. Says nothing about the
 * record or schema asked about, so whoever asked retries rather than refusing anything for it.
 */
public class SchemaRegistryUnavailableException extends RuntimeException {

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
