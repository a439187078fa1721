package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import java.time.Instant;
import java.util.Objects;

/**
 * A request's outcome as a caller waiting for it reads it: the status, the refusal if any, and the identity detail
 * the outcome carries. Replays carry the stored outcome, so a retried call reads the same answer. How a door shows
 * it (a status code, a JSON body) is the door's business.
 */
public record Answer(String requestId, OutcomeStatus status, RejectionCode rejectionCode, String message,
        IdentityDetail identity) {

    public Answer {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
    }

    /** The identity an assignment leaves, with its channels, as the outcome carries it. */
    public record IdentityDetail(String id, String organizationId, String agentHandle, String status,
            Instant createdAt, Instant updatedAt, MailboxDetail mailbox, PhoneNumberDetail phoneNumber) {
    }

    public record MailboxDetail(String id, String emailAddress, String displayName, Instant createdAt,
            Instant updatedAt) {
    }

    public record PhoneNumberDetail(String id, String number, String type, Instant createdAt, Instant updatedAt) {
    }
}
