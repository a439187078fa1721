package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.UUID;

/** A mailbox or a phone number: something that can be linked to at most one identity of its organization. */
public sealed interface Channel permits Mailbox, PhoneNumber {

    UUID id();

    String organizationId();

    ChannelType type();

    Instant updatedAt();

    /** False for a deleted mailbox or a released phone number: to requests it no longer exists. */
    boolean isAssignable();
}
