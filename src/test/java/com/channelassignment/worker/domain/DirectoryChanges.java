package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.UUID;

/** Directory changes for tests: each names only the entry's new state and its version. */
public final class DirectoryChanges {

    private DirectoryChanges() {
    }

    public static IdentityChange identityAt(long version, Identity identity) {
        return new IdentityChange(UUID.randomUUID().toString(), version, identity);
    }

    public static IdentityChange deletionAt(long version, Identity identity, Instant at) {
        return new IdentityChange(UUID.randomUUID().toString(), version, new Identity(identity.id(),
                identity.organizationId(), identity.agentHandle(), IdentityStatus.DELETED, identity.createdAt(), at));
    }

    public static ChannelChange channelAt(long version, Channel channel) {
        return new ChannelChange(UUID.randomUUID().toString(), version, channel);
    }

    public static ChannelChange mailboxDeletionAt(long version, Mailbox mailbox, Instant at) {
        return channelAt(version, new Mailbox(mailbox.id(), mailbox.organizationId(), mailbox.emailAddress(),
                mailbox.displayName(), true, mailbox.createdAt(), at));
    }

    public static ChannelChange releaseAt(long version, PhoneNumber number, Instant at) {
        return channelAt(version, new PhoneNumber(number.id(), number.organizationId(), number.number(),
                number.numberType(), PhoneNumberStatus.RELEASED, number.createdAt(), at));
    }
}
