package com.channelassignment.worker.application;

import java.util.Objects;
import java.util.UUID;

/** A channel as a request names it: its id within the request's organization. */
public record ChannelRef(String organizationId, UUID id) {

    public ChannelRef {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(id, "id");
    }
}
