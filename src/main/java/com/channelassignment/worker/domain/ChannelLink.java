package com.channelassignment.worker.domain;

import java.util.Objects;
import java.util.UUID;

/** One row of the assignment table: the channel of this type that the identity holds. */
public record ChannelLink(UUID identityId, String organizationId, ChannelType type, UUID channelId) {

    public ChannelLink {
        Objects.requireNonNull(identityId, "identityId");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(channelId, "channelId");
    }
}
