package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** An agent identity of the directory: one handle within one organization. */
public record Identity(
        UUID id,
        String organizationId,
        String agentHandle,
        IdentityStatus status,
        Instant createdAt,
        Instant updatedAt) {

    public Identity {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(agentHandle, "agentHandle");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public Identity withUpdatedAt(Instant instant) {
        return new Identity(id, organizationId, agentHandle, status, createdAt, instant);
    }
}
