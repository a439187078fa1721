package com.channelassignment.worker.domain;

import static com.channelassignment.worker.testing.data.DirectoryFixture.aMailbox;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aPhoneNumber;
import static com.channelassignment.worker.testing.data.DirectoryFixture.anIdentity;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DirectorySnapshotTest {

    private static final String ORG = "org-acme";
    private static final Instant LATER = Instant.parse("2025-03-01T12:00:00Z");

    private final Identity sales = anIdentity(ORG, "sales-agent");
    private final Identity support = anIdentity(ORG, "support-agent");
    private final Mailbox salesMailbox = aMailbox(ORG);
    private final Mailbox spareMailbox = aMailbox(ORG);
    private final PhoneNumber salesNumber = aPhoneNumber(ORG);

    @Test
    void knowsTheLinksItGainedAndLost() {
        DirectorySnapshot directory = new DirectorySnapshot(List.of(sales, support),
                List.of(salesMailbox, spareMailbox, salesNumber),
                List.of(link(sales, salesMailbox), link(sales, salesNumber)));

        directory.unlink(sales, ChannelType.MAILBOX, LATER);
        directory.link(support, salesMailbox, LATER);

        assertThat(directory.removedLinks()).containsExactly(link(sales, salesMailbox));
        assertThat(directory.addedLinks()).containsExactly(link(support, salesMailbox));
        assertThat(directory.links()).containsExactlyInAnyOrder(link(sales, salesNumber), link(support, salesMailbox));
    }

    @Test
    void aLinkRemovedAndAddedAgainIsInNeitherSet() {
        DirectorySnapshot directory = new DirectorySnapshot(List.of(sales), List.of(salesMailbox, spareMailbox),
                List.of(link(sales, salesMailbox)));

        directory.unlink(sales, ChannelType.MAILBOX, LATER);
        directory.link(sales, spareMailbox, LATER);
        directory.unlink(sales, ChannelType.MAILBOX, LATER);
        directory.link(sales, salesMailbox, LATER);

        assertThat(directory.removedLinks()).isEmpty();
        assertThat(directory.addedLinks()).isEmpty();
    }

    @Test
    void theLinkSetsAreTheDifferenceOfWhatItHeldAndHolds() {
        DirectorySnapshot directory = new DirectorySnapshot(List.of(sales, support),
                List.of(salesMailbox, spareMailbox, salesNumber),
                List.of(link(sales, salesMailbox), link(support, salesNumber)));
        Set<ChannelLink> initial = directory.links();

        directory.unlink(support, ChannelType.PHONE_NUMBER, LATER);
        directory.link(sales, salesNumber, LATER);
        directory.link(support, spareMailbox, LATER);

        Set<ChannelLink> removed = new HashSet<>(initial);
        removed.removeAll(directory.links());
        Set<ChannelLink> added = new HashSet<>(directory.links());
        added.removeAll(initial);
        assertThat(directory.removedLinks()).isEqualTo(removed).containsExactly(link(support, salesNumber));
        assertThat(directory.addedLinks()).isEqualTo(added)
                .containsExactlyInAnyOrder(link(sales, salesNumber), link(support, spareMailbox));
    }

    @Test
    void touchingAnIdentityKeepsItFoundByItsHandleWithItsNewTime() {
        DirectorySnapshot directory = new DirectorySnapshot(List.of(sales), List.of(salesMailbox), List.of());

        directory.link(sales, salesMailbox, LATER);

        assertThat(directory.findIdentity(ORG, "sales-agent")).contains(sales.withUpdatedAt(LATER));
        assertThat(directory.changedIdentities()).containsExactly(sales.withUpdatedAt(LATER));
        assertThat(directory.detailOf(sales)).isEqualTo(
                new IdentityDetail(sales.withUpdatedAt(LATER), List.of(salesMailbox)));
    }

    private static ChannelLink link(Identity identity, Channel channel) {
        return new ChannelLink(identity.id(), identity.organizationId(), channel.type(), channel.id());
    }
}
