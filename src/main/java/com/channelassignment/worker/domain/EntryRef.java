package com.channelassignment.worker.domain;

import java.util.Objects;
import java.util.UUID;

/** An entry of the directory as a change names it: an identity, or a channel of one type, by id within its organization. */
public record EntryRef(String organizationId, Kind kind, UUID id) {

    /** What kind of entry: an identity, or the channel type it is. */
    public enum Kind {
        IDENTITY(null), MAILBOX(ChannelType.MAILBOX), PHONE_NUMBER(ChannelType.PHONE_NUMBER);

        private final ChannelType channelType;

        Kind(ChannelType channelType) {
            this.channelType = channelType;
        }

        /** The kind of a channel of this type; fails for a type that has none. */
        public static Kind of(ChannelType type) {
            for (Kind kind : values()) {
                if (kind.channelType == type) {
                    return kind;
                }
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
        if (kind.channelType == null) {
            throw new IllegalStateException(kind + " is not a channel");
        }
        return kind.channelType;
    }

    public static EntryRef of(Identity identity) {
        return new EntryRef(identity.organizationId(), Kind.IDENTITY, identity.id());
    }

    public static EntryRef of(Channel channel) {
        return new EntryRef(channel.organizationId(), Kind.of(channel.type()), channel.id());
    }
}
