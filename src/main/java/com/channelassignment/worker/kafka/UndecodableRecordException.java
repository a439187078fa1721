package com.channelassignment.worker.kafka;

/**
 * A record whose value is not a request this worker can read: not single-object encoded, written by an unknown
 * schema, or cut short. Deterministic, so it is dead-lettered rather than retried.
 */
public class UndecodableRecordException extends RuntimeException {

    public UndecodableRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
