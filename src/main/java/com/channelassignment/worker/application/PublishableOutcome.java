package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import java.util.Objects;

/**
 * An encoded outcome ready to publish for the request at {@code position}; {@code replay} marks a stored one.
 * {@code requestId} goes out as the record's {@code request_id} header and must equal the request id inside
 * {@code payload}: the HTTP API's answer reader passes over outcomes by the header without decoding them.
 */
public record PublishableOutcome(
        RecordPosition position,
        String requestId,
        String correlationId,
        OutcomeStatus status,
        RejectionCode rejectionCode,
        byte[] payload,
        boolean replay) {

    public PublishableOutcome {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(payload, "payload");
    }

    static PublishableOutcome replayOf(ProcessedRequest stored, RecordPosition position) {
        return new PublishableOutcome(position, stored.requestId(), stored.correlationId(), stored.status(),
                stored.rejectionCode(), stored.payload(), true);
    }
}
