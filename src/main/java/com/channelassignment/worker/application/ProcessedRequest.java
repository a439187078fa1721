package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The idempotency record of a request: its content fingerprint and the outcome exactly as it was published, so a
 * re-sent request gets the same bytes (same event_id) again.
 */
public record ProcessedRequest(
        RequestKey key,
        byte[] fingerprint,
        UUID eventId,
        OutcomeStatus status,
        RejectionCode rejectionCode,
        String correlationId,
        byte[] payload,
        RecordPosition position,
        Instant processedAt) {

    public ProcessedRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(processedAt, "processedAt");
    }

    public String requestId() {
        return key.requestId();
    }
}
