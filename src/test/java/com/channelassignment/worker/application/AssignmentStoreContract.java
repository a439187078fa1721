package com.channelassignment.worker.application;

import static com.channelassignment.worker.testing.data.DirectoryFixture.aMailbox;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aPhoneNumber;
import static com.channelassignment.worker.testing.data.DirectoryFixture.anIdentity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.domain.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AssignmentStore} does, observed through the port alone: each batch is one {@code lockAndLoad} and
 * one {@code save} in a transaction that commits, as {@link ApplyAssignmentRequests} runs it, and each look afterwards
 * is a {@code lockAndLoad} in a transaction that is rolled back. Locking (who waits for whom, in what order) is left
 * out: it needs concurrent transactions, which the store in memory does not have.
 */
public abstract class AssignmentStoreContract {

    private static final String ORGANIZATION = "org-contract";
    private static final String OTHER_ORGANIZATION = "org-contract-other";
    private static final String TOPIC = "requests";
    private static final PartitionRef PARTITION = new PartitionRef(TOPIC, 0);
    private static final Instant WRITTEN_AT = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant LATER = Instant.parse("2026-03-02T11:30:00Z");

    /** Runs one batch's calls in a transaction that commits; a call that fails rolls the transaction back. */
    protected abstract <T> T committed(Function<AssignmentStore, T> batch);

    /** Runs calls in a transaction that is rolled back, so the look changes nothing. */
    protected abstract <T> T rolledBack(Function<AssignmentStore, T> look);

    /** Writes directory rows straight into the store, at version 0, as the systems that own the directory do. */
    protected abstract void givenDirectory(List<Identity> identities, List<Channel> channels, List<ChannelLink> links);

    // Progress

    @Test
    void startsAPartitionNeverSeenBeforeAtOffsetZero() {
        assertThat(look(lookups().partition(PARTITION).topicId(TOPIC, "topic-a")).committedOffsets())
                .containsExactly(Map.entry(PARTITION, 0L));
    }

    @Test
    void advancesProgressToTheNextOffsetTheBatchSaved() {
        batch(lookups().partition(PARTITION), writes().nextOffset(PARTITION, 5));

        assertThat(look(lookups().partition(PARTITION)).committedOffsets()).containsEntry(PARTITION, 5L);
    }

    @Test
    void neverMovesProgressBack() {
        batch(lookups().partition(PARTITION), writes().nextOffset(PARTITION, 8));

        batch(lookups().partition(PARTITION), writes().nextOffset(PARTITION, 3));

        assertThat(look(lookups().partition(PARTITION)).committedOffsets()).containsEntry(PARTITION, 8L);
    }

    @Test
    void keepsTheProgressOfEachPartitionApart() {
        PartitionRef other = new PartitionRef(TOPIC, 1);
        batch(lookups().partition(PARTITION).partition(other), writes().nextOffset(PARTITION, 4));

        assertThat(look(lookups().partition(PARTITION).partition(other)).committedOffsets())
                .containsOnly(Map.entry(PARTITION, 4L), Map.entry(other, 0L));
    }

    @Test
    void restartsProgressFromZeroWhenThePartitionsTopicHasAnotherId() {
        batch(lookups().partition(PARTITION).topicId(TOPIC, "topic-a"), writes().nextOffset(PARTITION, 10));

        LoadedBatch loaded = batch(lookups().partition(PARTITION).topicId(TOPIC, "topic-b"),
                writes().nextOffset(PARTITION, 3));

        assertThat(loaded.committedOffsets()).containsEntry(PARTITION, 0L);
        assertThat(offsetUnder("topic-b")).as("counted from the reset, not from 10").isEqualTo(3L);
        assertThat(offsetUnder("topic-a")).as("the old topic's id is gone").isZero();
    }

    @Test
    void keepsProgressAndItsTopicIdWhenTheBatchDoesNotKnowTheId() {
        batch(lookups().partition(PARTITION).topicId(TOPIC, "topic-a"), writes().nextOffset(PARTITION, 10));

        LoadedBatch loaded = batch(lookups().partition(PARTITION), writes());

        assertThat(loaded.committedOffsets()).containsEntry(PARTITION, 10L);
        assertThat(offsetUnder("topic-a")).isEqualTo(10L);
        assertThat(offsetUnder("topic-b")).as("topic-a's id is still held against another").isZero();
    }

    @Test
    void keepsProgressRecordedWithoutATopicIdAndAdoptsTheBatchsId() {
        batch(lookups().partition(PARTITION), writes().nextOffset(PARTITION, 10));

        LoadedBatch loaded = batch(lookups().partition(PARTITION).topicId(TOPIC, "topic-a"), writes());

        assertThat(loaded.committedOffsets()).containsEntry(PARTITION, 10L);
        assertThat(offsetUnder("topic-a")).isEqualTo(10L);
        assertThat(offsetUnder("topic-b")).as("topic-a's id was adopted").isZero();
    }

    // Idempotency records

    @Test
    void findsAnIdempotencyRecordByOrganizationAndRequestIdAsItWasSavedAtTheWriteTime() {
        ProcessedRequest saved = processed(ORGANIZATION, "req-1", "workflow-1");
        batch(lookups().partition(PARTITION).request(saved.key()), writes().processed(saved));

        LoadedBatch loaded = look(lookups().partition(PARTITION).request(saved.key())
                .request(new RequestKey(OTHER_ORGANIZATION, "req-1")).request(new RequestKey(ORGANIZATION, "req-2")));

        assertThat(loaded.processedRequests()).containsOnlyKeys(saved.key());
        assertThat(loaded.processedRequests().get(saved.key())).usingRecursiveComparison()
                .isEqualTo(new ProcessedRequest(saved.key(), saved.fingerprint(), saved.eventId(), saved.status(),
                        saved.rejectionCode(), saved.correlationId(), saved.payload(), saved.position(), WRITTEN_AT));
    }

    @Test
    void twoOrganizationsRecordTheSameRequestIdIndependently() {
        ProcessedRequest ours = processed(ORGANIZATION, "req-1", "ours");
        ProcessedRequest theirs = processed(OTHER_ORGANIZATION, "req-1", "theirs");
        batch(lookups().partition(PARTITION).request(ours.key()), writes().processed(ours));

        batch(lookups().partition(PARTITION).request(theirs.key()), writes().processed(theirs));

        Map<RequestKey, ProcessedRequest> found = look(lookups().request(ours.key()).request(theirs.key()))
                .processedRequests();
        assertThat(found.get(ours.key()).correlationId()).isEqualTo("ours");
        assertThat(found.get(theirs.key()).correlationId()).isEqualTo("theirs");
    }

    @Test
    void aRequestIdRecordedSinceTheBatchLookedFailsTheSaveAsConcurrentAndLeavesNoTrace() {
        Setup setup = linkedSetup();
        ProcessedRequest recorded = processed(ORGANIZATION, "req-1", "other-worker");
        batch(lookups().partition(PARTITION).topicId(TOPIC, "topic-a").request(recorded.key()),
                writes().processed(recorded).nextOffset(PARTITION, 10));

        ProcessedRequest fresh = processed(ORGANIZATION, "req-2", "this-batch");
        assertThatThrownBy(() -> batch(setup.lookups().topicId(TOPIC, "topic-b"),
                setup.writes().processed(processed(ORGANIZATION, "req-1", "this-batch")).processed(fresh)))
                .isInstanceOf(ConcurrentRequestException.class);

        assertNoTraceOf(setup, fresh);
        assertThat(look(lookups().request(recorded.key())).processedRequests().get(recorded.key()).correlationId())
                .isEqualTo("other-worker");
    }

    // Directory entries

    @Test
    void writesDirectoryEntriesNotYetStoredWithTheirVersions() {
        Identity agent = anIdentity(ORGANIZATION, "sales-bot");
        Mailbox mailbox = aMailbox(ORGANIZATION);
        PhoneNumber phone = aPhoneNumber(ORGANIZATION);

        batch(lookups().changedIdentity(agent).changedChannel(mailbox).changedChannel(phone),
                writes().entry(agent, 1).entry(mailbox, 2).entry(phone, 3));

        DirectoryRows loaded = look(lookups().identity(agent).channel(mailbox).channel(phone)).directory();
        assertThat(loaded.identities()).containsExactly(agent);
        assertThat(loaded.channels()).containsExactlyInAnyOrder(mailbox, phone);
        assertThat(loaded.versions()).containsOnly(Map.entry(EntryRef.of(agent), 1L),
                Map.entry(EntryRef.of(mailbox), 2L), Map.entry(EntryRef.of(phone), 3L));
    }

    @Test
    void replacesAnIdentityOnlyWithAHigherVersion() {
        Identity agent = anIdentity(ORGANIZATION, "sales-bot");
        givenDirectory(List.of(agent), List.of(), List.of());
        Identity paused = new Identity(agent.id(), ORGANIZATION, "sales-bot", IdentityStatus.PAUSED,
                agent.createdAt(), WRITTEN_AT);
        batch(lookups().changedIdentity(agent), writes().entry(paused, 2));

        Identity renamed = new Identity(agent.id(), ORGANIZATION, "support-bot", IdentityStatus.ACTIVE,
                agent.createdAt(), LATER);
        batch(lookups().changedIdentity(agent), writes().entry(renamed, 2));
        batch(lookups().changedIdentity(agent), writes().entry(renamed, 1));

        DirectoryRows loaded = look(lookups().changedIdentity(agent)).directory();
        assertThat(loaded.identities()).containsExactly(paused);
        assertThat(loaded.versions()).containsEntry(EntryRef.of(agent), 2L);
    }

    @Test
    void replacesAChannelOnlyWithAHigherVersion() {
        Mailbox mailbox = aMailbox(ORGANIZATION);
        PhoneNumber phone = aPhoneNumber(ORGANIZATION);
        givenDirectory(List.of(), List.of(mailbox, phone), List.of());
        Mailbox deleted = new Mailbox(mailbox.id(), ORGANIZATION, mailbox.emailAddress(), "Gone", true,
                mailbox.createdAt(), WRITTEN_AT);
        PhoneNumber released = new PhoneNumber(phone.id(), ORGANIZATION, phone.number(), phone.numberType(),
                PhoneNumberStatus.RELEASED, phone.createdAt(), WRITTEN_AT);
        batch(lookups().changedChannel(mailbox).changedChannel(phone), writes().entry(deleted, 4).entry(released, 4));

        Mailbox older = new Mailbox(mailbox.id(), ORGANIZATION, "older@acme.test", "Older", false,
                mailbox.createdAt(), LATER);
        PhoneNumber paused = new PhoneNumber(phone.id(), ORGANIZATION, phone.number(), phone.numberType(),
                PhoneNumberStatus.PAUSED, phone.createdAt(), LATER);
        batch(lookups().changedChannel(mailbox).changedChannel(phone), writes().entry(older, 4).entry(paused, 4));
        batch(lookups().changedChannel(mailbox).changedChannel(phone), writes().entry(older, 3).entry(paused, 3));

        DirectoryRows loaded = look(lookups().channel(mailbox).channel(phone)).directory();
        assertThat(loaded.channels()).containsExactlyInAnyOrder(deleted, released);
        assertThat(loaded.versions()).containsOnly(Map.entry(EntryRef.of(mailbox), 4L),
                Map.entry(EntryRef.of(phone), 4L));
    }

    @Test
    void findsADeletedIdentityByIdButNotByItsHandle() {
        Identity deleted = anIdentity(ORGANIZATION, "sales-bot", IdentityStatus.DELETED);
        givenDirectory(List.of(deleted), List.of(), List.of());

        assertThat(look(lookups().identity(deleted)).directory().identities()).isEmpty();
        assertThat(look(lookups().changedIdentity(deleted)).directory().identities()).containsExactly(deleted);
    }

    @Test
    void aDeletionFreesAHandleForAnotherIdentityInTheSameBatch() {
        Identity leaving = anIdentity(ORGANIZATION, "sales-bot");
        givenDirectory(List.of(leaving), List.of(), List.of());
        Identity deleted = new Identity(leaving.id(), ORGANIZATION, "sales-bot", IdentityStatus.DELETED,
                leaving.createdAt(), WRITTEN_AT);
        Identity successor = anIdentity(ORGANIZATION, "sales-bot");

        // The successor comes first in the batch's writes; the deletion is applied before it all the same.
        batch(lookups().changedIdentity(leaving).changedIdentity(successor),
                writes().entry(successor, 1).entry(deleted, 1));

        assertThat(look(lookups().identity(successor)).directory().identities()).containsExactly(successor);
    }

    @Test
    void aSecondLiveIdentityForAHandleFailsTheSaveAndLeavesNoTrace() {
        Setup setup = linkedSetup();
        Identity impostor = anIdentity(ORGANIZATION, setup.agent().agentHandle());
        ProcessedRequest fresh = processed(ORGANIZATION, "req-2", "this-batch");

        assertThatThrownBy(() -> batch(setup.lookups().changedIdentity(impostor),
                setup.writes().processed(fresh).entry(impostor, 1)))
                .as("the store names no exception for a broken constraint; any failure rolls back")
                .isInstanceOf(RuntimeException.class);

        assertNoTraceOf(setup, fresh);
        assertThat(look(lookups().changedIdentity(impostor)).directory().identities()).isEmpty();
    }

    @Test
    void touchesTheIdentitiesWhoseLinksChangedWithTheWriteTimeKeepingTheirVersion() {
        Identity agent = anIdentity(ORGANIZATION, "sales-bot");
        Identity untouched = anIdentity(ORGANIZATION, "support-bot");
        givenDirectory(List.of(agent, untouched), List.of(), List.of());

        batch(lookups().identity(agent), writes().touched(agent.withUpdatedAt(LATER)));

        DirectoryRows loaded = look(lookups().identity(agent).identity(untouched)).directory();
        assertThat(loaded.identities()).containsExactlyInAnyOrder(agent.withUpdatedAt(WRITTEN_AT), untouched);
        assertThat(loaded.versions()).containsEntry(EntryRef.of(agent), 0L);
    }

    // Links

    @Test
    void writesALinkThatLoadsWithItsIdentityAndWithItsChannel() {
        Identity agent = anIdentity(ORGANIZATION, "sales-bot");
        Mailbox mailbox = aMailbox(ORGANIZATION);
        givenDirectory(List.of(agent), List.of(mailbox), List.of());

        batch(lookups().identity(agent).channel(mailbox), writes().added(linkOf(agent, mailbox)));

        DirectoryRows byIdentity = look(lookups().identity(agent)).directory();
        assertThat(byIdentity.links()).containsExactly(linkOf(agent, mailbox));
        assertThat(byIdentity.channels()).as("the held channel comes with its link").containsExactly(mailbox);
        DirectoryRows byChannel = look(lookups().channel(mailbox)).directory();
        assertThat(byChannel.links()).containsExactly(linkOf(agent, mailbox));
        assertThat(byChannel.identities()).as("a request's channel does not load its holder").isEmpty();
    }

    @Test
    void loadsTheHolderOfAChannelADirectoryChangeNames() {
        Identity holder = anIdentity(ORGANIZATION, "sales-bot");
        PhoneNumber phone = aPhoneNumber(ORGANIZATION);
        givenDirectory(List.of(holder), List.of(phone), List.of(linkOf(holder, phone)));

        DirectoryRows loaded = look(lookups().changedChannel(phone)).directory();

        assertThat(loaded.identities()).containsExactly(holder);
        assertThat(loaded.links()).containsExactly(linkOf(holder, phone));
    }

    @Test
    void removesALinkAndKeepsTheOthers() {
        Identity agent = anIdentity(ORGANIZATION, "sales-bot");
        Mailbox mailbox = aMailbox(ORGANIZATION);
        PhoneNumber phone = aPhoneNumber(ORGANIZATION);
        givenDirectory(List.of(agent), List.of(mailbox, phone), List.of(linkOf(agent, mailbox),
                linkOf(agent, phone)));

        batch(lookups().identity(agent), writes().removed(linkOf(agent, mailbox)));

        assertThat(look(lookups().identity(agent).channel(mailbox)).directory().links())
                .containsExactly(linkOf(agent, phone));
    }

    @Test
    void removingALinkThatIsNotThereFailsTheSaveAndLeavesNoTrace() {
        Setup setup = linkedSetup();
        PhoneNumber phone = aPhoneNumber(ORGANIZATION);
        givenDirectory(List.of(), List.of(phone), List.of());
        ProcessedRequest fresh = processed(ORGANIZATION, "req-2", "this-batch");

        assertThatThrownBy(() -> batch(setup.lookups(),
                setup.writes().processed(fresh).removed(linkOf(setup.agent(), phone))))
                .isInstanceOf(IllegalStateException.class);

        assertNoTraceOf(setup, fresh);
    }

    @Test
    void linkingAChannelAnotherIdentityHoldsFailsTheSaveAndLeavesNoTrace() {
        Setup setup = linkedSetup();
        Identity holder = anIdentity(ORGANIZATION, "support-bot");
        PhoneNumber held = aPhoneNumber(ORGANIZATION);
        givenDirectory(List.of(holder), List.of(held), List.of(linkOf(holder, held)));
        ProcessedRequest fresh = processed(ORGANIZATION, "req-2", "this-batch");

        assertThatThrownBy(() -> batch(setup.lookups().channel(held),
                setup.writes().processed(fresh).added(linkOf(setup.agent(), held))))
                .as("the store names no exception for a broken constraint; any failure rolls back")
                .isInstanceOf(RuntimeException.class);

        assertNoTraceOf(setup, fresh);
        assertThat(look(lookups().channel(held)).directory().links()).containsExactly(linkOf(holder, held));
    }

    // Outcomes of directory changes

    @Test
    void findsTheOutcomesADirectoryChangeCausedByOrganizationAndChangeId() {
        Identity holder = anIdentity(ORGANIZATION, "sales-bot");
        Mailbox mailbox = aMailbox(ORGANIZATION);
        PhoneNumber phone = aPhoneNumber(ORGANIZATION);
        givenDirectory(List.of(holder), List.of(mailbox, phone), List.of(linkOf(holder, mailbox),
                linkOf(holder, phone)));
        ChangeKey key = new ChangeKey(ORGANIZATION, "change-1");
        ChangeOutcome mailboxEnded = changeOutcome(key, ChannelType.MAILBOX);
        ChangeOutcome phoneEnded = changeOutcome(key, ChannelType.PHONE_NUMBER);
        Identity deleted = new Identity(holder.id(), ORGANIZATION, "sales-bot", IdentityStatus.DELETED,
                holder.createdAt(), WRITTEN_AT);

        batch(lookups().changedIdentity(holder).change(key), writes().entry(deleted, 1)
                .removed(linkOf(holder, mailbox)).removed(linkOf(holder, phone))
                .outcome(mailboxEnded).outcome(phoneEnded));

        LoadedBatch loaded = look(lookups().change(key).change(new ChangeKey(OTHER_ORGANIZATION, "change-1"))
                .change(new ChangeKey(ORGANIZATION, "change-2")));
        assertThat(loaded.changeOutcomes()).containsOnlyKeys(key);
        assertThat(loaded.changeOutcomes().get(key)).usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrder(atWriteTime(mailboxEnded), atWriteTime(phoneEnded));
    }

    @Test
    void aChangeIdRecordedSinceTheBatchLookedFailsTheSaveAsConcurrentAndLeavesNoTrace() {
        Setup setup = linkedSetup();
        Mailbox other = aMailbox(ORGANIZATION);
        givenDirectory(List.of(), List.of(other), List.of());
        ChangeKey key = new ChangeKey(ORGANIZATION, "change-1");
        Mailbox deleted = new Mailbox(other.id(), ORGANIZATION, other.emailAddress(), null, true,
                other.createdAt(), WRITTEN_AT);
        batch(lookups().changedChannel(other).change(key), writes().entry(deleted, 1)
                .outcome(changeOutcome(key, ChannelType.MAILBOX)));

        ProcessedRequest fresh = processed(ORGANIZATION, "req-2", "this-batch");
        Mailbox restored = new Mailbox(other.id(), ORGANIZATION, other.emailAddress(), null, false,
                other.createdAt(), LATER);
        assertThatThrownBy(() -> batch(setup.lookups().changedChannel(other).change(key), setup.writes()
                .processed(fresh).entry(restored, 2).outcome(changeOutcome(key, ChannelType.MAILBOX))))
                .isInstanceOf(ConcurrentRequestException.class);

        assertNoTraceOf(setup, fresh);
        DirectoryRows loaded = look(lookups().channel(other)).directory();
        assertThat(loaded.channels()).containsExactly(deleted);
        assertThat(loaded.versions()).containsEntry(EntryRef.of(other), 1L);
        assertThat(look(lookups().change(key)).changeOutcomes().get(key)).hasSize(1);
    }

    // A batch that fails, and what it must not leave behind

    /** An agent holding a mailbox, progress at 10 under topic-a, and writes that would change all of it. */
    private record Setup(Identity agent, Mailbox mailbox, Mailbox unheld, Lookups lookupsTemplate,
            Writes writesTemplate) {

        Lookups lookups() {
            return lookupsTemplate.copy();
        }

        Writes writes() {
            return writesTemplate.copy();
        }
    }

    private Setup linkedSetup() {
        Identity agent = anIdentity(ORGANIZATION, "sales-bot");
        Mailbox mailbox = aMailbox(ORGANIZATION);
        Mailbox unheld = aMailbox(ORGANIZATION);
        givenDirectory(List.of(agent), List.of(mailbox, unheld), List.of(linkOf(agent, mailbox)));
        batch(lookups().partition(PARTITION).topicId(TOPIC, "topic-a"), writes().nextOffset(PARTITION, 10));
        // The batch moves the agent from its mailbox to another, touches it and advances the progress.
        Lookups lookups = lookups().partition(PARTITION).topicId(TOPIC, "topic-a").identity(agent)
                .channel(unheld);
        Writes writes = writes().removed(linkOf(agent, mailbox)).added(linkOf(agent, unheld)).touched(agent)
                .nextOffset(PARTITION, 20);
        return new Setup(agent, mailbox, unheld, lookups, writes);
    }

    private void assertNoTraceOf(Setup setup, ProcessedRequest recorded) {
        LoadedBatch after = look(lookups().partition(PARTITION).topicId(TOPIC, "topic-a").identity(setup.agent())
                .channel(setup.unheld()).request(recorded.key()));
        assertThat(after.committedOffsets()).as("progress neither advanced nor reset").containsEntry(PARTITION, 10L);
        assertThat(after.processedRequests()).as("the batch's idempotency records").isEmpty();
        assertThat(after.directory().links()).as("links as before the batch")
                .containsExactly(linkOf(setup.agent(), setup.mailbox()));
        assertThat(after.directory().identities()).as("not touched").containsExactly(setup.agent());
    }

    // Running batches

    private LoadedBatch batch(Lookups lookups, Writes writes) {
        return committed(store -> {
            LoadedBatch loaded = store.lockAndLoad(lookups.build());
            store.save(writes.build());
            return loaded;
        });
    }

    private LoadedBatch look(Lookups lookups) {
        return rolledBack(store -> store.lockAndLoad(lookups.build()));
    }

    private long offsetUnder(String topicId) {
        return look(lookups().partition(PARTITION).topicId(TOPIC, topicId)).committedOffsets().get(PARTITION);
    }

    private static ChannelLink linkOf(Identity identity, Channel channel) {
        return new ChannelLink(identity.id(), identity.organizationId(), channel.type(), channel.id());
    }

    private static ProcessedRequest processed(String organizationId, String requestId, String correlationId) {
        return new ProcessedRequest(new RequestKey(organizationId, requestId), new byte[] {1, 2, 3},
                UUID.randomUUID(), OutcomeStatus.REJECTED, RejectionCode.IDENTITY_NOT_FOUND, correlationId,
                new byte[] {4, 5, 6, 7}, new RecordPosition(TOPIC, 0, 42), LATER);
    }

    private static ChangeOutcome changeOutcome(ChangeKey key, ChannelType type) {
        return new ChangeOutcome(key, type, UUID.randomUUID(), new byte[] {9, 8, (byte) type.ordinal()},
                new RecordPosition(TOPIC, 0, 17), LATER);
    }

    private static ChangeOutcome atWriteTime(ChangeOutcome outcome) {
        return new ChangeOutcome(outcome.key(), outcome.channelType(), outcome.eventId(), outcome.payload(),
                outcome.position(), WRITTEN_AT);
    }

    private static Lookups lookups() {
        return new Lookups();
    }

    private static Writes writes() {
        return new Writes();
    }

    /** What a batch asks for, naming only what a test needs. */
    private static final class Lookups {
        private final Set<PartitionRef> partitions = new HashSet<>();
        private final Map<String, String> topicIds = new HashMap<>();
        private final Set<IdentityKey> identities = new HashSet<>();
        private final Map<ChannelType, Set<ChannelRef>> channels = new EnumMap<>(ChannelType.class);
        private final Set<RequestKey> requestKeys = new HashSet<>();
        private final Set<IdentityRef> changedIdentities = new HashSet<>();
        private final Map<ChannelType, Set<ChannelRef>> changedChannels = new EnumMap<>(ChannelType.class);
        private final Set<ChangeKey> changeKeys = new HashSet<>();

        Lookups partition(PartitionRef partition) {
            partitions.add(partition);
            return this;
        }

        Lookups topicId(String topic, String id) {
            topicIds.put(topic, id);
            return this;
        }

        Lookups identity(Identity identity) {
            identities.add(new IdentityKey(identity.organizationId(), identity.agentHandle()));
            return this;
        }

        Lookups channel(Channel channel) {
            channels.computeIfAbsent(channel.type(), type -> new HashSet<>())
                    .add(new ChannelRef(channel.organizationId(), channel.id()));
            return this;
        }

        Lookups request(RequestKey key) {
            requestKeys.add(key);
            return this;
        }

        Lookups changedIdentity(Identity identity) {
            changedIdentities.add(new IdentityRef(identity.organizationId(), identity.id()));
            return this;
        }

        /** As ApplyAssignmentRequests asks: a changed channel is also one of the batch's named channels. */
        Lookups changedChannel(Channel channel) {
            changedChannels.computeIfAbsent(channel.type(), type -> new HashSet<>())
                    .add(new ChannelRef(channel.organizationId(), channel.id()));
            return channel(channel);
        }

        Lookups change(ChangeKey key) {
            changeKeys.add(key);
            return this;
        }

        Lookups copy() {
            Lookups copy = new Lookups();
            copy.partitions.addAll(partitions);
            copy.topicIds.putAll(topicIds);
            copy.identities.addAll(identities);
            channels.forEach((type, refs) -> copy.channels.put(type, new HashSet<>(refs)));
            copy.requestKeys.addAll(requestKeys);
            copy.changedIdentities.addAll(changedIdentities);
            changedChannels.forEach((type, refs) -> copy.changedChannels.put(type, new HashSet<>(refs)));
            copy.changeKeys.addAll(changeKeys);
            return copy;
        }

        BatchLookups build() {
            return new BatchLookups(new TreeSet<>(partitions), topicIds, identities, channels, requestKeys,
                    changedIdentities, changedChannels, changeKeys);
        }
    }

    /** What a batch writes, naming only what a test needs; written at {@link #WRITTEN_AT}. */
    private static final class Writes {
        private final List<ProcessedRequest> processed = new ArrayList<>();
        private final Set<ChannelLink> removed = new HashSet<>();
        private final Set<ChannelLink> added = new HashSet<>();
        private final List<Identity> touched = new ArrayList<>();
        private final Map<PartitionRef, Long> nextOffsets = new HashMap<>();
        private final List<Versioned<Identity>> identityEntries = new ArrayList<>();
        private final List<Versioned<Channel>> channelEntries = new ArrayList<>();
        private final List<ChangeOutcome> outcomes = new ArrayList<>();

        Writes processed(ProcessedRequest request) {
            processed.add(request);
            return this;
        }

        Writes removed(ChannelLink link) {
            removed.add(link);
            return this;
        }

        Writes added(ChannelLink link) {
            added.add(link);
            return this;
        }

        Writes touched(Identity identity) {
            touched.add(identity);
            return this;
        }

        Writes nextOffset(PartitionRef partition, long offset) {
            nextOffsets.put(partition, offset);
            return this;
        }

        Writes entry(Identity identity, long version) {
            identityEntries.add(new Versioned<>(identity, version));
            return this;
        }

        Writes entry(Channel channel, long version) {
            channelEntries.add(new Versioned<>(channel, version));
            return this;
        }

        Writes outcome(ChangeOutcome outcome) {
            outcomes.add(outcome);
            return this;
        }

        Writes copy() {
            Writes copy = new Writes();
            copy.processed.addAll(processed);
            copy.removed.addAll(removed);
            copy.added.addAll(added);
            copy.touched.addAll(touched);
            copy.nextOffsets.putAll(nextOffsets);
            copy.identityEntries.addAll(identityEntries);
            copy.channelEntries.addAll(channelEntries);
            copy.outcomes.addAll(outcomes);
            return copy;
        }

        BatchWrites build() {
            return new BatchWrites(processed, removed, added, touched, nextOffsets, WRITTEN_AT, identityEntries,
                    channelEntries, outcomes);
        }
    }
}
