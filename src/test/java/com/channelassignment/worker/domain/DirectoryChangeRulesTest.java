package com.channelassignment.worker.domain;

import static com.channelassignment.worker.domain.DirectoryChanges.channelAt;
import static com.channelassignment.worker.domain.DirectoryChanges.deletionAt;
import static com.channelassignment.worker.domain.DirectoryChanges.identityAt;
import static com.channelassignment.worker.domain.DirectoryChanges.mailboxDeletionAt;
import static com.channelassignment.worker.domain.DirectoryChanges.releaseAt;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aMailbox;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aPhoneNumber;
import static com.channelassignment.worker.testing.data.DirectoryFixture.anIdentity;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DirectoryChangeRulesTest {

    private static final String ORG = "org-acme";
    private static final Instant LATER = Instant.parse("2025-03-01T12:00:00Z");

    private final DirectorySnapshot directory = new DirectorySnapshot();

    @Test
    void createsAnIdentityThatRequestsThenFindByHandle() {
        Identity identity = anIdentity(ORG, "sales-agent");

        assertThat(directory.apply(identityAt(1, identity))).isEqualTo(new ChangeResult.Applied(java.util.List.of()));

        assertThat(directory.findIdentity(ORG, "sales-agent")).contains(identity);
        assertThat(directory.versionOf(EntryRef.of(identity))).hasValue(1);
    }

    @Test
    void ignoresAChangeOlderThanTheHeldVersion() {
        Identity identity = anIdentity(ORG, "sales-agent");
        directory.apply(identityAt(5, identity));

        ChangeResult older = directory.apply(identityAt(4, renamed(identity, "old-name")));

        assertThat(older).isEqualTo(new ChangeResult.Ignored(5));
        assertThat(directory.findIdentity(ORG, "sales-agent")).contains(identity);
        assertThat(directory.findIdentity(ORG, "old-name")).isEmpty();
    }

    @Test
    void appliesTheSameChangeTwiceAsOneChange() {
        Identity identity = anIdentity(ORG, "sales-agent");
        IdentityChange change = identityAt(3, identity);
        directory.apply(change);

        assertThat(directory.apply(change)).isEqualTo(new ChangeResult.Ignored(3));
        assertThat(directory.changedIdentityEntries()).containsExactly(new Versioned<>(identity, 3));
    }

    @Test
    void aDeletionThatArrivesBeforeTheCreationLeavesTheIdentityDeleted() {
        Identity identity = anIdentity(ORG, "sales-agent");
        directory.apply(deletionAt(2, identity, LATER));

        assertThat(directory.apply(identityAt(1, identity))).isInstanceOf(ChangeResult.Ignored.class);
        assertThat(directory.findIdentity(ORG, "sales-agent")).isEmpty();
    }

    @Test
    void aRenamedIdentityNoLongerAnswersToItsOldHandle() {
        Identity identity = anIdentity(ORG, "sales-agent");
        directory.apply(identityAt(1, identity));

        directory.apply(identityAt(2, renamed(identity, "support-agent")));

        assertThat(directory.findIdentity(ORG, "sales-agent")).isEmpty();
        assertThat(directory.findIdentity(ORG, "support-agent")).map(Identity::id).contains(identity.id());
    }

    @Test
    void refusesAHandleThatAnotherLiveIdentityAnswersTo() {
        Identity holder = anIdentity(ORG, "sales-agent");
        directory.apply(identityAt(1, holder));
        Identity newcomer = anIdentity(ORG, "sales-agent");

        ChangeResult result = directory.apply(identityAt(1, newcomer));

        assertThat(result).isInstanceOf(ChangeResult.Refused.class);
        assertThat(directory.findIdentity(ORG, "sales-agent")).contains(holder);
        assertThat(directory.versionOf(EntryRef.of(newcomer))).isEmpty();
    }

    @Test
    void aHandleFreedByADeletionCanBeTakenByAnotherIdentity() {
        Identity first = anIdentity(ORG, "sales-agent");
        directory.apply(identityAt(1, first));
        directory.apply(deletionAt(2, first, LATER));
        Identity second = anIdentity(ORG, "sales-agent");

        assertThat(directory.apply(identityAt(1, second))).isInstanceOf(ChangeResult.Applied.class);
        assertThat(directory.findIdentity(ORG, "sales-agent")).contains(second);
    }

    @Test
    void deletingAnAssignedIdentityReleasesEveryChannelItHolds() {
        Identity identity = anIdentity(ORG, "sales-agent");
        Mailbox mailbox = aMailbox(ORG);
        PhoneNumber number = aPhoneNumber(ORG);
        directory.withLink(identity, mailbox).withLink(identity, number);

        ChangeResult result = directory.apply(deletionAt(7, identity, LATER));

        assertThat(result).isInstanceOf(ChangeResult.Applied.class);
        assertThat(((ChangeResult.Applied) result).releasedLinks()).containsExactlyInAnyOrder(
                new ChannelLink(identity.id(), ORG, ChannelType.MAILBOX, mailbox.id()),
                new ChannelLink(identity.id(), ORG, ChannelType.PHONE_NUMBER, number.id()));
        assertThat(directory.links()).isEmpty();
        assertThat(directory.holderOf(ORG, ChannelType.MAILBOX, mailbox.id())).isEmpty();
        assertThat(directory.findChannel(ORG, ChannelType.MAILBOX, mailbox.id())).contains(mailbox);
    }

    @Test
    void deletingAnAssignedMailboxReleasesItsLinkAndTouchesItsHolder() {
        Identity identity = anIdentity(ORG, "sales-agent");
        Mailbox mailbox = aMailbox(ORG);
        PhoneNumber number = aPhoneNumber(ORG);
        directory.withLink(identity, mailbox).withLink(identity, number);

        ChangeResult result = directory.apply(mailboxDeletionAt(2, mailbox, LATER));

        assertThat(((ChangeResult.Applied) result).releasedLinks())
                .containsExactly(new ChannelLink(identity.id(), ORG, ChannelType.MAILBOX, mailbox.id()));
        assertThat(directory.links()).containsExactly(
                new ChannelLink(identity.id(), ORG, ChannelType.PHONE_NUMBER, number.id()));
        assertThat(directory.detailOf(identity).identity().updatedAt()).isEqualTo(LATER);
        assertThat(directory.changedIdentities()).extracting(Identity::id).containsExactly(identity.id());
    }

    @Test
    void releasingAnAssignedNumberReleasesItsLink() {
        Identity identity = anIdentity(ORG, "sales-agent");
        PhoneNumber number = aPhoneNumber(ORG);
        directory.withLink(identity, number);

        ChangeResult result = directory.apply(releaseAt(2, number, LATER));

        assertThat(((ChangeResult.Applied) result).releasedLinks())
                .containsExactly(new ChannelLink(identity.id(), ORG, ChannelType.PHONE_NUMBER, number.id()));
        assertThat(directory.removedLinks()).containsExactly(
                new ChannelLink(identity.id(), ORG, ChannelType.PHONE_NUMBER, number.id()));
    }

    @Test
    void pausingAnAssignedNumberOrIdentityKeepsTheLinks() {
        Identity identity = anIdentity(ORG, "sales-agent");
        PhoneNumber number = aPhoneNumber(ORG);
        directory.withLink(identity, number);

        directory.apply(channelAt(2, aPausedCopyOf(number)));
        directory.apply(identityAt(2, new Identity(identity.id(), ORG, "sales-agent", IdentityStatus.PAUSED,
                identity.createdAt(), LATER)));

        assertThat(directory.links()).containsExactly(
                new ChannelLink(identity.id(), ORG, ChannelType.PHONE_NUMBER, number.id()));
    }

    @Test
    void aChangeOfAnotherOrganizationsEntryWithTheSameIdLeavesThisOneAlone() {
        Identity identity = anIdentity(ORG, "sales-agent");
        Mailbox mailbox = aMailbox(ORG);
        directory.withLink(identity, mailbox);
        Mailbox sameIdElsewhere = new Mailbox(mailbox.id(), "org-globex", "x@globex.example", null, true,
                mailbox.createdAt(), LATER);

        directory.apply(channelAt(9, sameIdElsewhere));

        assertThat(directory.holderOf(ORG, ChannelType.MAILBOX, mailbox.id())).contains(identity.id());
        assertThat(directory.changedChannelEntries()).containsExactly(new Versioned<>(sameIdElsewhere, 9));
    }

    private static Identity renamed(Identity identity, String handle) {
        return new Identity(identity.id(), identity.organizationId(), handle, identity.status(),
                identity.createdAt(), LATER);
    }

    private static PhoneNumber aPausedCopyOf(PhoneNumber number) {
        return new PhoneNumber(number.id(), number.organizationId(), number.number(), number.numberType(),
                PhoneNumberStatus.PAUSED, number.createdAt(), LATER);
    }

    @Test
    void everyChannelTypeHasAnEntryKind() {
        for (ChannelType type : ChannelType.values()) {
            assertThat(EntryRef.Kind.of(type).name()).isEqualTo(type.name());
        }
        assertThat(Set.of(EntryRef.Kind.values())).hasSize(ChannelType.values().length + 1);
    }
}
