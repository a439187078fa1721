package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.Objects;

/** A channel created, changed, deleted or released: its whole state afterwards. */
public record ChannelChange(String changeId, long version, Channel channel) implements DirectoryChange {

    public ChannelChange {
        Objects.requireNonNull(changeId, "changeId");
        Objects.requireNonNull(channel, "channel");
    }

    @Override
    public EntryRef entry() {
        return EntryRef.of(channel);
    }

    @Override
    public Instant changedAt() {
        return channel.updatedAt();
    }
}
