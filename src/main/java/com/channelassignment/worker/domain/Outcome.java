package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The event that answers one request. {@code rejection} is set exactly when the status is REJECTED and
 * {@code identity} exactly when it is not.
 */
public record Outcome(
        UUID eventId,
        AssignmentRequest request,
        OutcomeStatus status,
        boolean changed,
        String channelId,
        Decision.Rejected rejection,
        IdentityDetail identity,
        Instant processedAt) {

    public Outcome {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(processedAt, "processedAt");
        request = request.echoed();
        if ((status == OutcomeStatus.REJECTED) != (rejection != null)) {
            throw new IllegalArgumentException("a rejection goes with status REJECTED and only with it");
        }
        if ((status == OutcomeStatus.REJECTED) == (identity != null)) {
            throw new IllegalArgumentException("the identity detail goes with ASSIGNED and UNASSIGNED only");
        }
    }

    public static Outcome rejected(UUID eventId, AssignmentRequest request, Decision.Rejected rejection,
            Instant processedAt) {
        String channelId = request.operation().channelIdOf(request.echoed().channelId());
        return new Outcome(eventId, request, OutcomeStatus.REJECTED, false, channelId, rejection, null, processedAt);
    }

    /**
     * What listeners see of a link a directory change ended (a deleted identity, a deleted mailbox, a released
     * number): an {@code UNASSIGNED} outcome that echoes the change's id as its request id, with the identity as it
     * stands after the change.
     */
    public static Outcome linkEnded(UUID eventId, DirectoryChange change, ChannelLink link, IdentityDetail identity,
            Instant processedAt) {
        AssignmentRequest echoed = new AssignmentRequest(change.changeId(), link.organizationId(),
                identity.identity().agentHandle(), Operation.UNASSIGN, link.type(), null, change.changedAt(), null);
        return new Outcome(eventId, echoed, OutcomeStatus.UNASSIGNED, true, link.channelId().toString(), null,
                identity, processedAt);
    }

    public RejectionCode rejectionCode() {
        return rejection == null ? null : rejection.code();
    }
}
