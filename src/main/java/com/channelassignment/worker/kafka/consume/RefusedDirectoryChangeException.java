package com.channelassignment.worker.kafka.consume;

/** Names, on its dead letter, why a directory change was left unapplied: the directory cannot hold it. */
public class RefusedDirectoryChangeException extends RuntimeException {

    public RefusedDirectoryChangeException(String reason) {
        super("directory change refused: " + reason, null, false, false);
    }
}
