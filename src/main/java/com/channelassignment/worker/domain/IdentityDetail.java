package com.channelassignment.worker.domain;

import java.util.Objects;

/** An identity with the channels linked to it, as the HTTP API returns it after a change; either channel may be null. */
public record IdentityDetail(Identity identity, Mailbox mailbox, PhoneNumber phoneNumber) {

    public IdentityDetail {
        Objects.requireNonNull(identity, "identity");
    }
}
