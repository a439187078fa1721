package com.channelassignment.worker.domain;

import java.util.Optional;
import java.util.UUID;

/** The part of the directory and its channel links that the rules look at. */
public interface Directory {

    /** The live (not deleted) identity with this handle in this organization. */
    Optional<Identity> findIdentity(String organizationId, String agentHandle);

    /** The channel of this type with this id in this organization, whatever its state. */
    Optional<Channel> findChannel(String organizationId, ChannelType type, UUID channelId);

    /** The identity the organization's channel is linked to, if any. */
    Optional<UUID> holderOf(String organizationId, ChannelType type, UUID channelId);

    /** The channel of that type linked to the identity, if any. */
    Optional<UUID> channelHeldBy(Identity identity, ChannelType type);
}
