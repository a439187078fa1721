package com.channelassignment.worker.application;

import java.util.Objects;

/** How requests name an identity: a normalized handle within an organization. */
public record IdentityKey(String organizationId, String agentHandle) {

    public IdentityKey {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(agentHandle, "agentHandle");
    }
}
