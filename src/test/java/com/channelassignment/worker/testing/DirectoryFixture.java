package com.channelassignment.worker.testing;

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
 * (its links as assignment requests), or written straight into the tables for tests of the store below Kafka.
 */
public final class DirectoryFixture {

    private static final Instant CREATED = Instant.parse("2026-01-15T10:00:00Z");

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
        Identity identity = new Identity(id, organizationId, handle, status, CREATED, CREATED);
        identities.add(identity);
        return identity;
    }

    public Mailbox mailbox() {
        return mailbox(organizationId, false);
    }

    public Mailbox mailbox(String inOrganization, boolean deleted) {
        return mailbox(UUID.randomUUID(), inOrganization, deleted);
    }

    /** A mailbox with a chosen id: ids name channels only within their organization, so another may share it. */
    public Mailbox mailbox(UUID id, String inOrganization, boolean deleted) {
        // The address names the organization, so a test can tell whose mailbox an answer shows.
        String address = "agent-" + id.toString().substring(0, 8) + "@" + inOrganization + ".test";
        Mailbox mailbox = new Mailbox(id, inOrganization, address,
                "Agent", deleted, CREATED, CREATED);
        channels.add(mailbox);
        return mailbox;
    }

    public PhoneNumber phoneNumber() {
        return phoneNumber(PhoneNumberStatus.ACTIVE);
    }

    public PhoneNumber phoneNumber(PhoneNumberStatus status) {
        PhoneNumber phone = new PhoneNumber(UUID.randomUUID(), organizationId,
                "+1833" + (1_000_000 + (int) (Math.random() * 8_999_999)), PhoneNumberType.TOLL_FREE, status,
                CREATED, CREATED);
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
