package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A mailbox of the directory. */
public record Mailbox(
        UUID id,
        String organizationId,
        String emailAddress,
        String displayName,
        boolean deleted,
        Instant createdAt,
        Instant updatedAt) implements Channel {

    public Mailbox {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(emailAddress, "emailAddress");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    @Override
    public ChannelType type() {
        return ChannelType.MAILBOX;
    }

    @Override
    public boolean isAssignable() {
        return !deleted;
    }
}
