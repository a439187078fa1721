package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.ChannelType;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** An outcome a directory change caused (a link its deletion ended), stored to be published again on redelivery. */
public record ChangeOutcome(ChangeKey key, ChannelType channelType, UUID eventId, byte[] payload,
        RecordPosition position, Instant processedAt) {

    public ChangeOutcome {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(channelType, "channelType");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(processedAt, "processedAt");
    }
}
