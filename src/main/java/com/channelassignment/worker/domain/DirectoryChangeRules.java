package com.channelassignment.worker.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Decides what a directory change does to the directory the worker holds, as a pure function of the change, the
 * version held for its entry and the directory. The rules, in order:
 *
 * <ol>
 *   <li>A change whose version is not above the held one is ignored: out of order or repeated, it is already
 *       superseded or applied.</li>
 *   <li>A live identity may not take a handle another live identity of its organization answers to: refused.</li>
 *   <li>Otherwise the change becomes the entry's state. A deleted identity loses its links; a deleted mailbox or a
 *       released phone number loses its link. The channels and the identity themselves stay, now free or gone.</li>
 * </ol>
 */
public final class DirectoryChangeRules {

    /** A change id is its producer's idempotency key, stored beside the entry it changed. */
    public static final int MAX_CHANGE_ID_LENGTH = 128;

    private DirectoryChangeRules() {
    }

    public static ChangeResult decide(DirectoryChange change, OptionalLong heldVersion, Directory directory) {
        if (heldVersion.isPresent() && change.version() <= heldVersion.getAsLong()) {
            return new ChangeResult.Ignored(heldVersion.getAsLong());
        }
        if (change instanceof IdentityChange identityChange) {
            return decide(identityChange, directory);
        }
        if (change instanceof ChannelChange channelChange) {
            return decide(channelChange, directory);
        }
        throw new IllegalStateException("unknown directory change " + change);
    }

    private static ChangeResult decide(IdentityChange change, Directory directory) {
        Identity identity = change.identity();
        if (identity.status() != IdentityStatus.DELETED) {
            Optional<Identity> holder = directory.findIdentity(identity.organizationId(), identity.agentHandle());
            if (holder.isPresent() && !holder.get().id().equals(identity.id())) {
                return new ChangeResult.Refused("handle %s already names live identity %s in %s, not %s"
                        .formatted(identity.agentHandle(), holder.get().id(), identity.organizationId(),
                                identity.id()));
            }
            return new ChangeResult.Applied(List.of());
        }
        List<ChannelLink> released = new ArrayList<>();
        for (ChannelType type : ChannelType.values()) {
            directory.channelHeldBy(identity, type).ifPresent(channelId -> released.add(
                    new ChannelLink(identity.id(), identity.organizationId(), type, channelId)));
        }
        return new ChangeResult.Applied(released);
    }

    private static ChangeResult decide(ChannelChange change, Directory directory) {
        Channel channel = change.channel();
        if (channel.isAssignable()) {
            return new ChangeResult.Applied(List.of());
        }
        Optional<UUID> holder = directory.holderOf(channel.organizationId(), channel.type(), channel.id());
        return new ChangeResult.Applied(holder.map(identityId -> List.of(
                new ChannelLink(identityId, channel.organizationId(), channel.type(), channel.id())))
                .orElse(List.of()));
    }
}
