package com.channelassignment.worker.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link Directory} held in maps, for deciding requests without a database. Like the real one it hides deleted
 * identities, and it refuses links the database's constraints would refuse, so a test cannot set up an impossible
 * state.
 */
public final class InMemoryDirectory implements Directory {

    private record IdentityKey(String organizationId, String agentHandle) {}

    private record ChannelKey(ChannelType type, UUID id) {}

    private record Slot(UUID identityId, ChannelType type) {}

    private final Map<IdentityKey, Identity> identities = new HashMap<>();
    private final Map<ChannelKey, Channel> channels = new HashMap<>();
    private final Map<ChannelKey, UUID> holders = new HashMap<>();
    private final Map<Slot, UUID> heldChannels = new HashMap<>();

    public InMemoryDirectory with(Identity identity) {
        identities.put(new IdentityKey(identity.organizationId(), identity.agentHandle()), identity);
        return this;
    }

    public InMemoryDirectory with(Channel channel) {
        channels.put(new ChannelKey(channel.type(), channel.id()), channel);
        return this;
    }

    /** Adds both, if not there yet, and links the channel to the identity. */
    public InMemoryDirectory withLink(Identity identity, Channel channel) {
        with(identity).with(channel);
        ChannelKey key = new ChannelKey(channel.type(), channel.id());
        Slot slot = new Slot(identity.id(), channel.type());
        if (holders.containsKey(key) || heldChannels.containsKey(slot)) {
            throw new IllegalStateException("a channel has one holder and an identity one channel of each type");
        }
        holders.put(key, identity.id());
        heldChannels.put(slot, channel.id());
        return this;
    }

    @Override
    public Optional<Identity> findIdentity(String organizationId, String agentHandle) {
        return Optional.ofNullable(identities.get(new IdentityKey(organizationId, agentHandle)))
                .filter(identity -> identity.status() != IdentityStatus.DELETED);
    }

    @Override
    public Optional<Channel> findChannel(ChannelType type, UUID channelId) {
        return Optional.ofNullable(channels.get(new ChannelKey(type, channelId)));
    }

    @Override
    public Optional<UUID> holderOf(ChannelType type, UUID channelId) {
        return Optional.ofNullable(holders.get(new ChannelKey(type, channelId)));
    }

    @Override
    public Optional<UUID> channelHeldBy(UUID identityId, ChannelType type) {
        return Optional.ofNullable(heldChannels.get(new Slot(identityId, type)));
    }
}
