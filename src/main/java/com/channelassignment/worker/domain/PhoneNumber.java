package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A phone number of the directory. */
public record PhoneNumber(
        UUID id,
        String organizationId,
        String number,
        PhoneNumberType numberType,
        PhoneNumberStatus status,
        Instant createdAt,
        Instant updatedAt) implements Channel {

    public PhoneNumber {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(number, "number");
        Objects.requireNonNull(numberType, "numberType");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    @Override
    public ChannelType type() {
        return ChannelType.PHONE_NUMBER;
    }

    @Override
    public boolean isAssignable() {
        return status.isAssignable();
    }
}
