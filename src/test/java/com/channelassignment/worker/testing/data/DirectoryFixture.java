package com.channelassignment.worker.testing.data;

import com.channelassignment.worker.testing.services.RunningWorker;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.PhoneNumberType;
import com.channelassignment.worker.jdbc.JdbcDirectoryLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Directory rows for one test, in an organization of its own: published to a running worker as directory changes
 * (its links as assignment requests), or written straight into the tables for tests of the store below Kafka. The
 * static factories make single entries with the same valid defaults, in any organization, for tests that hold their
 * directory themselves.
 */
public final class DirectoryFixture {

    public static final Instant CREATED_AT = Instant.parse("2024-06-01T08:00:00Z");
    public static final Instant UPDATED_AT = Instant.parse("2024-06-02T09:30:00Z");

    private final String organizationId = "org-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Identity> identities = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();
    private final List<ChannelLink> links = new ArrayList<>();

    public String organizationId() {
        return organizationId;
    }

    public Identity identity(String handle) {
        return identity(handle, IdentityStatus.ACTIVE);
    }

    public Identity identity(String handle, IdentityStatus status) {
        return identity(UUID.randomUUID(), handle, status);
    }

    /** An identity with a chosen id: ids name identities only within their organization, so another may share it. */
    public Identity identity(UUID id, String handle, IdentityStatus status) {
        Identity identity = new Identity(id, organizationId, handle, status, CREATED_AT, UPDATED_AT);
        identities.add(identity);
        return identity;
    }

    public static Identity anIdentity(String organizationId, String agentHandle) {
        return anIdentity(organizationId, agentHandle, IdentityStatus.ACTIVE);
    }

    public static Identity anIdentity(String organizationId, String agentHandle, IdentityStatus status) {
        return new Identity(UUID.randomUUID(), organizationId, agentHandle, status, CREATED_AT, UPDATED_AT);
    }

    public static Mailbox aMailbox(String organizationId) {
        return aMailbox(UUID.randomUUID(), organizationId, false);
    }

    public static Mailbox aDeletedMailbox(String organizationId) {
        return aMailbox(UUID.randomUUID(), organizationId, true);
    }

    public static PhoneNumber aPhoneNumber(String organizationId) {
        return aPhoneNumber(organizationId, PhoneNumberStatus.ACTIVE);
    }

    public static PhoneNumber aPhoneNumber(String organizationId, PhoneNumberStatus status) {
        return new PhoneNumber(UUID.randomUUID(), organizationId,
                "+1833" + (1_000_000 + (int) (Math.random() * 8_999_999)), PhoneNumberType.TOLL_FREE, status,
                CREATED_AT, UPDATED_AT);
    }

    private static Mailbox aMailbox(UUID id, String organizationId, boolean deleted) {
        // The address names the organization, so a test can tell whose mailbox an answer shows.
        String address = "agent-" + id.toString().substring(0, 8) + "@" + organizationId + ".test";
        return new Mailbox(id, organizationId, address, "Agent", deleted, CREATED_AT, UPDATED_AT);
    }

    public Mailbox mailbox() {
        return mailbox(organizationId, false);
    }

    public Mailbox mailbox(String inOrganization, boolean deleted) {
        return mailbox(UUID.randomUUID(), inOrganization, deleted);
    }

    /** A mailbox with a chosen id: ids name channels only within their organization, so another may share it. */
    public Mailbox mailbox(UUID id, String inOrganization, boolean deleted) {
        Mailbox mailbox = aMailbox(id, inOrganization, deleted);
        channels.add(mailbox);
        return mailbox;
    }

    public PhoneNumber phoneNumber() {
        return phoneNumber(PhoneNumberStatus.ACTIVE);
    }

    public PhoneNumber phoneNumber(PhoneNumberStatus status) {
        PhoneNumber phone = aPhoneNumber(organizationId, status);
        channels.add(phone);
        return phone;
    }

    public void linked(Identity identity, Channel channel) {
        links.add(new ChannelLink(identity.id(), identity.organizationId(), channel.type(), channel.id()));
    }

    /**
     * Publishes the rows on the worker's requests topic as changes of version 1, the links as ASSIGN requests after
     * them, and returns once the worker has applied them all.
     */
    public void publishTo(RunningWorker worker) {
        DirectoryPublisher.load(worker, rows(), 1, Duration.ofSeconds(60));
    }

    /** Writes the rows into the tables, for tests of the store and the use case without a broker. */
    public void loadWith(JdbcDirectoryLoader loader) {
        loader.load(rows());
    }

    private DirectoryRows rows() {
        return new DirectoryRows(identities, channels, links);
    }
}
