package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.AssignmentRequest;
import java.util.Objects;

/** A decoded request, where it was read from, and the trace it continues. */
public record IncomingRequest(RecordPosition position, AssignmentRequest request, RecordTrace trace)
        implements IncomingRecord {

    public IncomingRequest {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(trace, "trace");
    }

    /** A record that continues no trace. */
    public IncomingRequest(RecordPosition position, AssignmentRequest request) {
        this(position, request, RecordTrace.NONE);
    }
}
