package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.DirectoryChange;
import java.util.Objects;

/** A decoded directory change, where it was read from, and the trace it continues. */
public record IncomingChange(RecordPosition position, DirectoryChange change, RecordTrace trace)
        implements IncomingRecord {

    public IncomingChange {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(trace, "trace");
    }

    /** A record that continues no trace. */
    public IncomingChange(RecordPosition position, DirectoryChange change) {
        this(position, change, RecordTrace.NONE);
    }
}
