package com.channelassignment.worker.domain;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** An identity with the channels linked to it, at most one of each type, as the HTTP API returns it after a change. */
public record IdentityDetail(Identity identity, List<Channel> channels) {

    public IdentityDetail {
        Objects.requireNonNull(identity, "identity");
        channels = List.copyOf(channels);
        Set<ChannelType> types = EnumSet.noneOf(ChannelType.class);
        for (Channel channel : channels) {
            if (!types.add(channel.type())) {
                throw new IllegalArgumentException("an identity holds one channel of each type: " + channels);
            }
        }
    }

    /** The channel of this type the identity holds, if any. */
    public Optional<Channel> held(ChannelType type) {
        return channels.stream().filter(channel -> channel.type() == type).findFirst();
    }
}
