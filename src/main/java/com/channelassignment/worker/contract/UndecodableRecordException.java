package com.channelassignment.worker.contract;

/**
 * A record whose value is not a request this worker can read: not single-object encoded, written by an unknown
 * schema, or cut short. Deterministic, so it is dead-lettered rather than retried.
 */
public class UndecodableRecordException extends RuntimeException {

    public UndecodableRecordException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure as a dead letter's reason names it: its type and message. */
    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
