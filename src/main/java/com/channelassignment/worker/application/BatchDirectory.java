package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Directory;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityDetail;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The directory as a batch sees it: loaded once, then changed in memory request by request so each request is decided
 * against the effects of the ones before it. At the end it knows which links to delete and insert.
 */
final class BatchDirectory implements Directory {

    private record ChannelKey(ChannelType type, UUID id) {}

    private record Slot(UUID identityId, ChannelType type) {}

    private final Map<IdentityKey, Identity> identitiesByKey = new HashMap<>();
    private final Map<UUID, Identity> identitiesById = new HashMap<>();
    private final Map<ChannelKey, Channel> channels = new HashMap<>();
    private final Map<ChannelKey, ChannelLink> linksByChannel = new HashMap<>();
    private final Map<Slot, ChannelLink> linksBySlot = new HashMap<>();
    private final Set<ChannelLink> initialLinks;
    private final Set<UUID> changedIdentities = new LinkedHashSet<>();

    BatchDirectory(DirectoryRows rows) {
        for (Identity identity : rows.identities()) {
            identitiesByKey.put(new IdentityKey(identity.organizationId(), identity.agentHandle()), identity);
            identitiesById.put(identity.id(), identity);
        }
        for (Channel channel : rows.channels()) {
            channels.put(new ChannelKey(channel.type(), channel.id()), channel);
        }
        rows.links().forEach(this::putLink);
        initialLinks = Set.copyOf(rows.links());
    }

    @Override
    public Optional<Identity> findIdentity(String organizationId, String agentHandle) {
        return Optional.ofNullable(identitiesByKey.get(new IdentityKey(organizationId, agentHandle)));
    }

    @Override
    public Optional<Channel> findChannel(ChannelType type, UUID channelId) {
        return Optional.ofNullable(channels.get(new ChannelKey(type, channelId)));
    }

    @Override
    public Optional<UUID> holderOf(ChannelType type, UUID channelId) {
        return Optional.ofNullable(linksByChannel.get(new ChannelKey(type, channelId))).map(ChannelLink::identityId);
    }

    @Override
    public Optional<UUID> channelHeldBy(UUID identityId, ChannelType type) {
        return Optional.ofNullable(linksBySlot.get(new Slot(identityId, type))).map(ChannelLink::channelId);
    }

    void link(Identity identity, Channel channel, Instant at) {
        putLink(new ChannelLink(identity.id(), identity.organizationId(), channel.type(), channel.id()));
        touch(identity, at);
    }

    void unlink(Identity identity, ChannelType type, Instant at) {
        ChannelLink removed = linksBySlot.remove(new Slot(identity.id(), type));
        if (removed != null) {
            linksByChannel.remove(new ChannelKey(type, removed.channelId()));
            touch(identity, at);
        }
    }

    IdentityDetail detailOf(UUID identityId) {
        Identity identity = identitiesById.get(identityId);
        return new IdentityDetail(identity,
                (Mailbox) heldChannel(identityId, ChannelType.MAILBOX),
                (PhoneNumber) heldChannel(identityId, ChannelType.PHONE_NUMBER));
    }

    /** Links present at load time and gone now. A link removed and re-added within the batch is in neither set. */
    Set<ChannelLink> removedLinks() {
        // Against a set, not the map's values() view: that answers contains() by scanning every value, which a profile
        // of 500-record batches caught making this quadratic (9% of the consumer threads' CPU).
        Set<ChannelLink> current = new HashSet<>(linksBySlot.values());
        Set<ChannelLink> removed = new HashSet<>(initialLinks);
        removed.removeAll(current);
        return removed;
    }

    Set<ChannelLink> addedLinks() {
        Set<ChannelLink> added = new HashSet<>(linksBySlot.values());
        added.removeAll(initialLinks);
        return added;
    }

    Set<UUID> changedIdentities() {
        return changedIdentities;
    }

    private Channel heldChannel(UUID identityId, ChannelType type) {
        ChannelLink link = linksBySlot.get(new Slot(identityId, type));
        if (link == null) {
            return null;
        }
        Channel channel = channels.get(new ChannelKey(type, link.channelId()));
        if (channel == null) {
            throw new IllegalStateException("the store did not load held " + type + " " + link.channelId());
        }
        return channel;
    }

    private void putLink(ChannelLink link) {
        linksBySlot.put(new Slot(link.identityId(), link.type()), link);
        linksByChannel.put(new ChannelKey(link.type(), link.channelId()), link);
    }

    private void touch(Identity identity, Instant at) {
        Identity touched = identity.withUpdatedAt(at);
        identitiesById.put(touched.id(), touched);
        identitiesByKey.put(new IdentityKey(touched.organizationId(), touched.agentHandle()), touched);
        changedIdentities.add(touched.id());
    }
}
