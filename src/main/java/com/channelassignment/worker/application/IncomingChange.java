package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.DirectoryChange;
import java.util.Objects;

/** A decoded directory change and where it was read from. */
public record IncomingChange(RecordPosition position, DirectoryChange change) implements IncomingRecord {

    public IncomingChange {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(change, "change");
    }
}
