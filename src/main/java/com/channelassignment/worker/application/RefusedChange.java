package com.channelassignment.worker.application;

import java.util.Objects;

/** A directory change the directory cannot hold, left unapplied: the caller dead-letters its record. */
public record RefusedChange(RecordPosition position, String reason) {

    public RefusedChange {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(reason, "reason");
    }
}
