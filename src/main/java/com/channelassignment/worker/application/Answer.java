package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import java.time.Instant;
import java.util.Objects;

/**
 * A request's outcome as a caller waiting for it reads it: the status, the refusal if any with its HTTP status, and
 * the identity detail the API returns. Replays carry the stored outcome, so a retried call reads the same answer.
 */
public record Answer(String requestId, OutcomeStatus status, RejectionCode rejectionCode, int httpStatus,
        String message, IdentityView identity) {

    public Answer {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
    }

    /** The identity detail of the HTTP API. */
    public record IdentityView(String id, String organizationId, String agentHandle, String status,
            Instant createdAt, Instant updatedAt, MailboxView mailbox, PhoneNumberView phoneNumber) {
    }

    public record MailboxView(String id, String emailAddress, String displayName, Instant createdAt,
            Instant updatedAt) {
    }

    public record PhoneNumberView(String id, String number, String type, Instant createdAt, Instant updatedAt) {
    }
}
