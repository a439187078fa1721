package com.channelassignment.worker.domain;

import java.util.Objects;

/** A directory entry with the version its source gave it. */
public record Versioned<T>(T entry, long version) {

    public Versioned {
        Objects.requireNonNull(entry, "entry");
    }
}
