package com.channelassignment.worker.domain;

import java.util.Objects;
import java.util.UUID;

/** An entry of the directory as a change names it: an identity, or a channel of one type, by id within its organization. */
public record EntryRef(String organizationId, Kind kind, UUID id) {

    /** What kind of entry: an identity, or the channel type it is. */
    public enum Kind {
        IDENTITY, MAILBOX, PHONE_NUMBER;

        static Kind of(ChannelType type) {
            if (type == ChannelType.MAILBOX) {
                return MAILBOX;
            }
            if (type == ChannelType.PHONE_NUMBER) {
                return PHONE_NUMBER;
            }
            throw new IllegalArgumentException("no entry kind for channel type " + type);
        }
    }

    public EntryRef {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
    }

    /** The channel type of a channel entry; fails for an identity. */
    public ChannelType channelType() {
        if (kind == Kind.MAILBOX) {
            return ChannelType.MAILBOX;
        }
        if (kind == Kind.PHONE_NUMBER) {
            return ChannelType.PHONE_NUMBER;
        }
        throw new IllegalStateException(kind + " is not a channel");
    }

    public static EntryRef of(Identity identity) {
        return new EntryRef(identity.organizationId(), Kind.IDENTITY, identity.id());
    }

    public static EntryRef of(Channel channel) {
        return new EntryRef(channel.organizationId(), Kind.of(channel.type()), channel.id());
    }
}
