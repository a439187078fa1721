package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.UUID;

/** Identities, mailboxes and phone numbers with valid defaults, to fill an {@link DirectorySnapshot}. */
public final class DirectoryEntries {

    public static final Instant CREATED_AT = Instant.parse("2024-06-01T08:00:00Z");
    public static final Instant UPDATED_AT = Instant.parse("2024-06-02T09:30:00Z");

    private DirectoryEntries() {
    }

    public static Identity anIdentity(String organizationId, String agentHandle) {
        return anIdentity(organizationId, agentHandle, IdentityStatus.ACTIVE);
    }

    public static Identity anIdentity(String organizationId, String agentHandle, IdentityStatus status) {
        return new Identity(UUID.randomUUID(), organizationId, agentHandle, status, CREATED_AT, UPDATED_AT);
    }

    public static Mailbox aMailbox(String organizationId) {
        return mailbox(organizationId, false);
    }

    public static Mailbox aDeletedMailbox(String organizationId) {
        return mailbox(organizationId, true);
    }

    public static PhoneNumber aPhoneNumber(String organizationId) {
        return aPhoneNumber(organizationId, PhoneNumberStatus.ACTIVE);
    }

    public static PhoneNumber aPhoneNumber(String organizationId, PhoneNumberStatus status) {
        return new PhoneNumber(UUID.randomUUID(), organizationId, "+18335794607", PhoneNumberType.TOLL_FREE, status,
                CREATED_AT, UPDATED_AT);
    }

    private static Mailbox mailbox(String organizationId, boolean deleted) {
        UUID id = UUID.randomUUID();
        return new Mailbox(id, organizationId, "box-" + id + "@example.com", "Sales", deleted, CREATED_AT, UPDATED_AT);
    }
}
