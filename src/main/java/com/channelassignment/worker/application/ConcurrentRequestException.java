package com.channelassignment.worker.application;

/**
 * Another worker recorded the same request id while this batch was deciding it. Transient: the batch rolls back and,
 * retried, replays the other worker's stored outcome.
 */
public class ConcurrentRequestException extends RuntimeException {

    public ConcurrentRequestException(String message) {
        super(message);
    }

    public ConcurrentRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
