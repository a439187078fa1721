package com.channelassignment.worker.cli;

/** A command line that cannot be run as given; the message names the flag at fault. */
final class CliUsageException extends RuntimeException {

    CliUsageException(String message) {
        super(message);
    }
}
