package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.AssignmentRequest;
import java.util.Objects;

/** A decoded request and where it was read from. */
public record IncomingRequest(RecordPosition position, AssignmentRequest request) implements IncomingRecord {

    public IncomingRequest {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(request, "request");
    }
}
