package com.channelassignment.worker.application;

/**
 * A dependency failed under a batch: the database was unreachable, dropped the connection, or could not say whether a
 * commit happened. Says nothing about the requests, so the batch is retried without limit and nothing in it is ever
 * rejected or dead-lettered for it. A commit whose result is unknown needs no special handling: the retry locks the
 * same rows, finds the idempotency records of whatever did commit, and replays their stored outcomes.
 */
public class DependencyUnavailableException extends RuntimeException {

    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
