package com.channelassignment.worker.application;

import java.util.Objects;
import java.util.UUID;

/** An identity as a directory change names it: its id within its organization. */
public record IdentityRef(String organizationId, UUID id) {

    public IdentityRef {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(id, "id");
    }
}
