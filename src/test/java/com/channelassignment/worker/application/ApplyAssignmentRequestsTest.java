package com.channelassignment.worker.application;

import static com.channelassignment.worker.domain.AssignmentRequests.ORGANIZATION;
import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.AssignmentRequests.anUnassignment;
import static com.channelassignment.worker.domain.DirectoryChanges.channelAt;
import static com.channelassignment.worker.domain.DirectoryChanges.deletionAt;
import static com.channelassignment.worker.domain.DirectoryChanges.identityAt;
import static com.channelassignment.worker.domain.DirectoryChanges.mailboxDeletionAt;
import static com.channelassignment.worker.domain.DirectoryChanges.releaseAt;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aMailbox;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aPhoneNumber;
import static com.channelassignment.worker.testing.data.DirectoryFixture.anIdentity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.RejectionCode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The batch use case against the store in memory: idempotency, offset order, progress and directory changes, each
 * decided as against PostgreSQL ({@code ApplyAssignmentRequestsIntegrationTest} holds the concurrent cases there).
 */
class ApplyAssignmentRequestsTest {

    private static final String TOPIC = "requests";
    private static final Instant NOW = Instant.parse("2026-02-01T12:00:00Z");
    private static final Instant LATER = Instant.parse("2026-01-20T08:00:00Z");

    private final InMemoryAssignmentStore store = new InMemoryAssignmentStore();
    private final RecordingOutcomeEncoder encoder = new RecordingOutcomeEncoder();
    private final ApplyAssignmentRequests applyRequests = new ApplyAssignmentRequests(store, encoder,
            TransactionOperations.withoutTransaction(), Clock.fixed(NOW, ZoneOffset.UTC));

    private final Identity agent = anIdentity(ORGANIZATION, "sales-bot");
    private final Mailbox mailbox = aMailbox(ORGANIZATION);

    @Test
    void assignsAFreeChannelAndAnswersWithTheIdentityHoldingIt() {
        directory(agent, mailbox);
        AssignmentRequest request = anAssignment().ofChannel(mailbox).withCorrelationId("workflow-1").build();

        AppliedBatch batch = apply(at(0, request));

        PublishableOutcome published = batch.outcomes().get(0);
        assertThat(published.status()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(published.replay()).isFalse();
        assertThat(published.requestId()).isEqualTo(request.requestId());
        assertThat(published.correlationId()).isEqualTo("workflow-1");
        Outcome outcome = encoder.decode(published.payload());
        assertThat(outcome.changed()).isTrue();
        assertThat(outcome.channelId()).isEqualTo(mailbox.id().toString());
        assertThat(outcome.identity().held(ChannelType.MAILBOX)).contains(mailbox);
        assertThat(outcome.identity().identity().updatedAt()).isEqualTo(NOW);
        assertThat(outcome.processedAt()).isEqualTo(NOW);
        assertThat(store.links()).containsExactly(linkOf(agent, mailbox));
        assertThat(store.identity(ORGANIZATION, agent.id()).orElseThrow().updatedAt()).isEqualTo(NOW);
    }

    @Test
    void answersAnAssignmentNamingTheChannelInCapitalsWithTheStoredId() {
        Mailbox zeroPadded = new Mailbox(UUID.fromString("0000000a-000b-0c0d-8e0f-00000000001a"), ORGANIZATION,
                "padded@example.com", null, false, NOW, NOW);
        directory(agent, zeroPadded);
        AssignmentRequest request = anAssignment().ofMailbox(zeroPadded.id())
                .withChannelId("0000000A-000B-0C0D-8E0F-00000000001A").build();

        Outcome outcome = encoder.decode(apply(at(0, request)).outcomes().get(0).payload());

        assertThat(outcome.status()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(outcome.channelId()).isEqualTo(zeroPadded.id().toString())
                .isEqualTo("0000000a-000b-0c0d-8e0f-00000000001a");
    }

    @Test
    void recordsEachDecidedRequestWithThePayloadItPublished() {
        directory(agent, mailbox);
        AssignmentRequest request = anAssignment().ofChannel(mailbox).build();

        PublishableOutcome published = apply(at(4, request)).outcomes().get(0);

        ProcessedRequest stored = store.processedRequest(RequestKey.of(request)).orElseThrow();
        assertThat(stored.payload()).isEqualTo(published.payload());
        assertThat(stored.status()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(stored.fingerprint()).isEqualTo(request.contentFingerprint());
        assertThat(stored.position()).isEqualTo(new RecordPosition(TOPIC, 0, 4));
        assertThat(stored.processedAt()).isEqualTo(NOW);
    }

    @Test
    void republishesStoredOutcomeForDuplicateRequest() {
        directory(agent, mailbox);
        AssignmentRequest request = anAssignment().ofChannel(mailbox).build();
        PublishableOutcome first = apply(at(0, request)).outcomes().get(0);

        PublishableOutcome again = apply(at(1, request)).outcomes().get(0);

        assertThat(again.replay()).isTrue();
        assertThat(again.payload()).isEqualTo(first.payload());
        assertThat(again.position()).isEqualTo(new RecordPosition(TOPIC, 0, 1));
        assertThat(again.status()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(encoder.encodedCount()).as("nothing decided again").isEqualTo(1);
        assertThat(store.processedRequestCount()).isEqualTo(1);
    }

    @Test
    void aDuplicateInTheSameBatchReplaysTheOutcomeDecidedEarlierInIt() {
        directory(agent, mailbox);
        AssignmentRequest request = anAssignment().ofChannel(mailbox).build();

        List<PublishableOutcome> outcomes = apply(at(0, request), at(1, request)).outcomes();

        assertThat(outcomes).extracting(PublishableOutcome::replay).containsExactly(false, true);
        assertThat(outcomes.get(1).payload()).isEqualTo(outcomes.get(0).payload());
    }

    @Test
    void aResentRequestWithAnotherCorrelationIdIsStillADuplicate() {
        directory(agent, mailbox);
        AssignmentRequest request = anAssignment().withRequestId("req-1").ofChannel(mailbox)
                .withCorrelationId("first").build();
        PublishableOutcome first = apply(at(0, request)).outcomes().get(0);

        PublishableOutcome again = apply(at(1, anAssignment().withRequestId("req-1").ofChannel(mailbox)
                .withCorrelationId("second").requestedAt(LATER).build())).outcomes().get(0);

        assertThat(again.replay()).isTrue();
        assertThat(again.payload()).isEqualTo(first.payload());
        assertThat(again.correlationId()).as("the stored outcome's").isEqualTo("first");
    }

    @Test
    void rejectsReuseOfIdempotencyKeyWithAnotherRequest() {
        Mailbox other = aMailbox(ORGANIZATION);
        directory(agent, mailbox, other);
        apply(at(0, anAssignment().withRequestId("req-1").ofChannel(mailbox).build()));
        ProcessedRequest original = store.processedRequest(new RequestKey(ORGANIZATION, "req-1")).orElseThrow();

        PublishableOutcome reused = apply(at(1, anUnassignment().withRequestId("req-1").build())).outcomes().get(0);

        assertThat(reused.rejectionCode()).isEqualTo(RejectionCode.IDEMPOTENCY_KEY_REUSED);
        assertThat(reused.replay()).isFalse();
        assertThat(encoder.decode(reused.payload()).rejection().message()).contains("req-1");
        assertThat(store.links()).as("not applied").containsExactly(linkOf(agent, mailbox));
        assertThat(store.processedRequest(new RequestKey(ORGANIZATION, "req-1"))).as("the first use owns the key")
                .contains(original);
    }

    @Test
    void theSameRequestIdInAnotherOrganizationIsAnotherRequest() {
        Identity elsewhere = anIdentity("org-other", "sales-bot");
        Mailbox theirs = aMailbox("org-other");
        directory(agent, mailbox, elsewhere, theirs);
        apply(at(0, anAssignment().withRequestId("req-1").ofChannel(mailbox).build()));

        PublishableOutcome theirOutcome = apply(at(1, anAssignment().withRequestId("req-1").inOrganization("org-other")
                .ofChannel(theirs).build())).outcomes().get(0);

        assertThat(theirOutcome.replay()).isFalse();
        assertThat(theirOutcome.status()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(store.links()).containsExactlyInAnyOrder(linkOf(agent, mailbox), linkOf(elsewhere, theirs));
    }

    @Test
    void appliesBatchInOffsetOrder() {
        Mailbox second = aMailbox(ORGANIZATION);
        directory(agent, mailbox, second);

        List<PublishableOutcome> outcomes = apply(
                at(0, anAssignment().ofChannel(mailbox).build()),
                at(1, anAssignment().ofChannel(second).build()),
                at(2, anUnassignment().build()),
                at(3, anAssignment().ofChannel(second).build())).outcomes();

        assertThat(outcomes).extracting(PublishableOutcome::position).extracting(RecordPosition::offset)
                .containsExactly(0L, 1L, 2L, 3L);
        assertThat(outcomes).extracting(PublishableOutcome::status).containsExactly(OutcomeStatus.ASSIGNED,
                OutcomeStatus.REJECTED, OutcomeStatus.UNASSIGNED, OutcomeStatus.ASSIGNED);
        assertThat(outcomes.get(1).rejectionCode()).isEqualTo(RejectionCode.IDENTITY_CHANNEL_OCCUPIED);
        assertThat(encoder.decode(outcomes.get(2).payload()).channelId()).isEqualTo(mailbox.id().toString());
        assertThat(store.links()).containsExactly(linkOf(agent, second));
    }

    @Test
    void theFirstOfTwoRequestsForOneChannelWinsIt() {
        Identity rival = anIdentity(ORGANIZATION, "support-bot");
        directory(agent, rival, mailbox);

        List<PublishableOutcome> outcomes = apply(
                at(0, anAssignment().forHandle("support-bot").ofChannel(mailbox).build()),
                at(1, anAssignment().ofChannel(mailbox).build())).outcomes();

        assertThat(outcomes.get(0).status()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(outcomes.get(1).rejectionCode()).isEqualTo(RejectionCode.CHANNEL_ALREADY_ASSIGNED);
        assertThat(store.links()).containsExactly(linkOf(rival, mailbox));
    }

    @Test
    void refusesAChannelHeldByAnIdentityTheBatchDoesNotName() {
        Identity holder = anIdentity(ORGANIZATION, "support-bot");
        directory(agent, holder, mailbox);
        store.load(new DirectoryRows(List.of(), List.of(), List.of(linkOf(holder, mailbox))));

        PublishableOutcome outcome = apply(at(0, anAssignment().ofChannel(mailbox).build())).outcomes().get(0);

        assertThat(outcome.rejectionCode()).isEqualTo(RejectionCode.CHANNEL_ALREADY_ASSIGNED);
        assertThat(store.links()).containsExactly(linkOf(holder, mailbox));
    }

    @Test
    void assigningTheChannelAnIdentityAlreadyHoldsChangesNothing() {
        directory(agent, mailbox);
        apply(at(0, anAssignment().ofChannel(mailbox).build()));

        PublishableOutcome again = apply(at(1, anAssignment().ofChannel(mailbox).build())).outcomes().get(0);

        assertThat(again.status()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(encoder.decode(again.payload()).changed()).isFalse();
        assertThat(store.links()).containsExactly(linkOf(agent, mailbox));
    }

    @Test
    void unassigningAnIdentityThatHoldsNothingAnswersUnchanged() {
        directory(agent);

        PublishableOutcome outcome = apply(at(0, anUnassignment().build())).outcomes().get(0);

        assertThat(outcome.status()).isEqualTo(OutcomeStatus.UNASSIGNED);
        Outcome decoded = encoder.decode(outcome.payload());
        assertThat(decoded.changed()).isFalse();
        assertThat(decoded.channelId()).isNull();
        assertThat(store.identity(ORGANIZATION, agent.id()).orElseThrow().updatedAt())
                .as("not touched").isEqualTo(agent.updatedAt());
    }

    @Test
    void recordsARefusalAndReplaysIt() {
        directory(mailbox);
        AssignmentRequest request = anAssignment().forHandle("nobody").ofChannel(mailbox).build();
        PublishableOutcome first = apply(at(0, request)).outcomes().get(0);
        directory(anIdentity(ORGANIZATION, "nobody"));

        PublishableOutcome again = apply(at(1, request)).outcomes().get(0);

        assertThat(first.rejectionCode()).isEqualTo(RejectionCode.IDENTITY_NOT_FOUND);
        assertThat(store.processedRequest(RequestKey.of(request)).orElseThrow().rejectionCode())
                .isEqualTo(RejectionCode.IDENTITY_NOT_FOUND);
        assertThat(again.replay()).as("the first answer stands, though the identity exists now").isTrue();
        assertThat(again.rejectionCode()).isEqualTo(RejectionCode.IDENTITY_NOT_FOUND);
        assertThat(store.links()).isEmpty();
    }

    @Test
    void refusesAChannelThatIsNoLongerAssignable() {
        PhoneNumber released = aPhoneNumber(ORGANIZATION, PhoneNumberStatus.RELEASED);
        directory(agent, released);

        PublishableOutcome outcome = apply(at(0, anAssignment().ofChannel(released).build())).outcomes().get(0);

        assertThat(outcome.rejectionCode()).isEqualTo(RejectionCode.CHANNEL_NOT_FOUND);
        assertThat(store.links()).isEmpty();
    }

    @Test
    void refusesARequestWithoutOrganizationOnEveryDeliveryAndNeverRecordsIt() {
        AssignmentRequest unowned = anAssignment().withRequestId("").withoutOrganization().build();
        AssignmentRequest keyed = anAssignment().inOrganization(" ").build();

        for (int delivery = 0; delivery < 2; delivery++) {
            AppliedBatch batch = apply(at(0, unowned), at(1, keyed));

            assertThat(batch.outcomes()).extracting(PublishableOutcome::rejectionCode)
                    .containsExactly(RejectionCode.ORGANIZATION_MISSING, RejectionCode.ORGANIZATION_MISSING);
            assertThat(batch.outcomes()).extracting(PublishableOutcome::replay).containsOnly(false);
            assertThat(batch.skipped()).isEmpty();
        }
        assertThat(store.processedRequestCount()).isZero();
    }

    @Test
    void refusesAnUnusableRequestIdAsInvalidWithoutRecordingIt() {
        directory(agent, mailbox);

        PublishableOutcome outcome = apply(at(0, anAssignment().withRequestId("").ofChannel(mailbox).build()))
                .outcomes().get(0);

        assertThat(outcome.rejectionCode()).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(store.processedRequestCount()).isZero();
        assertThat(store.links()).isEmpty();
    }

    @Test
    void recordsAnInvalidRequestWhoseKeyIsUsable() {
        directory(agent);
        AssignmentRequest request = anAssignment().withChannelId("not-a-uuid").build();

        PublishableOutcome first = apply(at(0, request)).outcomes().get(0);
        PublishableOutcome again = apply(at(1, request)).outcomes().get(0);

        assertThat(first.rejectionCode()).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(again.replay()).isTrue();
    }

    @Test
    void advancesEachPartitionPastItsLastRecord() {
        directory(agent, mailbox);

        apply(at(0, 7, anAssignment().ofChannel(mailbox).build()), at(1, 3, anUnassignment().build()),
                at(0, 8, anUnassignment().build()));

        assertThat(store.progress(new PartitionRef(TOPIC, 0))).hasValueSatisfying(
                progress -> assertThat(progress.nextOffset()).isEqualTo(9));
        assertThat(store.progress(new PartitionRef(TOPIC, 1))).hasValueSatisfying(
                progress -> assertThat(progress.nextOffset()).isEqualTo(4));
    }

    @Test
    void aZombiesLateBatchReplaysWhatTheNewOwnerCommittedInsteadOfApplyingItAgain() {
        directory(agent, mailbox);
        AssignmentRequest assignment = anAssignment().ofChannel(mailbox).build();
        apply(at(0, assignment), at(1, anUnassignment().build()));

        AppliedBatch late = apply(at(0, assignment));

        assertThat(late.alreadyCommittedRequests()).isEqualTo(1);
        assertThat(late.outcomes()).singleElement().satisfies(outcome -> assertThat(outcome.replay()).isTrue());
        assertThat(store.links()).as("the unassignment at offset 1 stays the last word").isEmpty();
        assertThat(store.progress(new PartitionRef(TOPIC, 0)).orElseThrow().nextOffset()).isEqualTo(2);
    }

    @Test
    void skipsARedeliveryBelowTheCommittedProgressOnceItsIdempotencyRecordIsPurged() {
        directory(agent, mailbox);
        AssignmentRequest assignment = anAssignment().ofChannel(mailbox).build();
        AssignmentRequest release = anUnassignment().build();
        AssignmentRequest unusableKey = anAssignment().withRequestId("").ofChannel(mailbox).build();
        Map<String, String> topicIds = Map.of(TOPIC, "topic-id-1");
        apply(List.of(at(0, assignment), at(1, release), at(2, unusableKey)), topicIds);
        store.purge(RequestKey.of(assignment), RequestKey.of(release));

        AppliedBatch redelivered = apply(List.of(at(0, assignment), at(1, release), at(2, unusableKey)), topicIds);

        assertThat(redelivered.skipped()).containsExactly(new RecordPosition(TOPIC, 0, 0),
                new RecordPosition(TOPIC, 0, 1));
        assertThat(redelivered.alreadyCommittedRequests()).isEqualTo(3);
        assertThat(redelivered.outcomes()).as("never recorded, so answered on every delivery, with no effect")
                .singleElement().satisfies(outcome -> {
                    assertThat(outcome.position()).isEqualTo(new RecordPosition(TOPIC, 0, 2));
                    assertThat(outcome.rejectionCode()).isEqualTo(RejectionCode.INVALID_REQUEST);
                });
        assertThat(store.links()).as("the assignment is not applied a second time").isEmpty();
    }

    @Test
    void decidesARecordAtTheCommittedProgressWhoseIdempotencyRecordIsGone() {
        directory(agent, mailbox);
        apply(at(0, anUnassignment().build()));

        AppliedBatch next = apply(at(1, anAssignment().ofChannel(mailbox).build()));

        assertThat(next.skipped()).isEmpty();
        assertThat(next.alreadyCommittedRequests()).isZero();
        assertThat(store.links()).containsExactly(linkOf(agent, mailbox));
    }

    @Test
    void appliesTheRecordsOfATopicCreatedAgainUnderTheSameNameFromItsFirstOffset() {
        Mailbox second = aMailbox(ORGANIZATION);
        directory(agent, mailbox, second);
        apply(List.of(at(0, anAssignment().ofChannel(mailbox).build()), at(1, anUnassignment().build())),
                Map.of(TOPIC, "deleted-topic-id"));

        AppliedBatch fresh = apply(List.of(at(0, anAssignment().ofChannel(second).build())),
                Map.of(TOPIC, "new-topic-id"));

        assertThat(fresh.skipped()).isEmpty();
        assertThat(fresh.alreadyCommittedRequests()).isZero();
        assertThat(store.links()).containsExactly(linkOf(agent, second));
        assertThat(store.progress(new PartitionRef(TOPIC, 0))).contains(
                new InMemoryAssignmentStore.Progress(1, "new-topic-id"));
    }

    @Test
    void keepsProgressRecordedBeforeTopicIdsWereKnownWhenTheTopicIdArrives() {
        directory(agent, mailbox);
        AssignmentRequest assignment = anAssignment().ofChannel(mailbox).build();
        AssignmentRequest release = anUnassignment().build();
        apply(at(0, assignment), at(1, release));
        store.purge(RequestKey.of(assignment), RequestKey.of(release));

        AppliedBatch redelivered = apply(List.of(at(0, assignment)), Map.of(TOPIC, "topic-id-1"));

        assertThat(redelivered.skipped()).containsExactly(new RecordPosition(TOPIC, 0, 0));
        assertThat(store.links()).isEmpty();
        assertThat(store.progress(new PartitionRef(TOPIC, 0))).contains(
                new InMemoryAssignmentStore.Progress(2, "topic-id-1"));
    }

    @Test
    void aRecordAppliedInIsolationLeavesItsPartitionsProgressBehind() {
        directory(agent, mailbox);
        AssignmentRequest healthy = anAssignment().ofChannel(mailbox).build();

        AppliedBatch applied = applyRequests.applyIsolated(at(7, healthy), Map.of(TOPIC, "topic-id"));

        assertThat(applied.outcomes()).singleElement()
                .satisfies(outcome -> assertThat(outcome.status()).isEqualTo(OutcomeStatus.ASSIGNED));
        assertThat(store.progress(new PartitionRef(TOPIC, 0))).contains(
                new InMemoryAssignmentStore.Progress(0, "topic-id"));
        assertThat(store.processedRequest(RequestKey.of(healthy))).as("guarded by its own idempotency record")
                .isPresent();
    }

    @Test
    void anEmptyBatchTouchesNothing() {
        AppliedBatch batch = applyRequests.apply(List.of(), Map.of());

        assertThat(batch).isEqualTo(AppliedBatch.empty());
        assertThat(store.saves()).isZero();
    }

    @Test
    void failsTheWholeBatchWhenAnotherTransactionRecordsOneOfItsIdsMeanwhileAndTheRetryReplaysIt() {
        directory(agent, mailbox);
        AssignmentRequest request = anAssignment().ofChannel(mailbox).build();
        ProcessedRequest elsewhere = new ProcessedRequest(RequestKey.of(request), request.contentFingerprint(),
                UUID.randomUUID(), OutcomeStatus.ASSIGNED, null, null, new byte[] {7, 7, 7},
                new RecordPosition(TOPIC, 3, 0), NOW);
        store.beforeNextSave(() -> store.record(elsewhere));

        assertThatThrownBy(() -> apply(at(0, request))).isInstanceOf(ConcurrentRequestException.class);
        assertThat(store.links()).as("rolled back").isEmpty();
        assertThat(store.progress(new PartitionRef(TOPIC, 0))).isEmpty();

        PublishableOutcome retried = apply(at(0, request)).outcomes().get(0);
        assertThat(retried.replay()).isTrue();
        assertThat(retried.payload()).isEqualTo(new byte[] {7, 7, 7});
    }

    @Test
    void aRequestAfterTheChangesItDependsOnIsDecidedAgainstThem() {
        Identity created = anIdentity(ORGANIZATION, "new-bot");
        Mailbox newMailbox = aMailbox(ORGANIZATION);

        AppliedBatch batch = apply(atChange(0, identityAt(1, created)), atChange(1, channelAt(1, newMailbox)),
                at(2, anAssignment().forHandle("new-bot").ofChannel(newMailbox).build()));

        assertThat(batch.outcomes()).singleElement()
                .satisfies(outcome -> assertThat(outcome.status()).isEqualTo(OutcomeStatus.ASSIGNED));
        assertThat(store.links()).containsExactly(linkOf(created, newMailbox));
        assertThat(store.versionOf(EntryRef.of(created))).hasValue(1);
        assertThat(store.versionOf(EntryRef.of(newMailbox))).hasValue(1);
    }

    @Test
    void aRequestBeforeTheChangeItDependsOnIsRefused() {
        Identity created = anIdentity(ORGANIZATION, "new-bot");
        directory(mailbox);

        AppliedBatch batch = apply(at(0, anAssignment().forHandle("new-bot").ofChannel(mailbox).build()),
                atChange(1, identityAt(1, created)));

        assertThat(batch.outcomes()).singleElement().satisfies(
                outcome -> assertThat(outcome.rejectionCode()).isEqualTo(RejectionCode.IDENTITY_NOT_FOUND));
        assertThat(store.identity(ORGANIZATION, created.id())).contains(created);
    }

    @Test
    void deletingAnIdentityEndsItsLinksWithAnUnassignedOutcomeForEach() {
        PhoneNumber number = aPhoneNumber(ORGANIZATION);
        directory(agent, mailbox, number);
        apply(at(0, anAssignment().ofChannel(mailbox).build()), at(1, anAssignment().ofChannel(number).build()));
        IdentityChange deletion = deletionAt(2, agent, LATER);

        AppliedBatch batch = apply(atChange(2, deletion));

        assertThat(batch.outcomes()).hasSize(2).allSatisfy(outcome -> {
            assertThat(outcome.requestId()).isEqualTo(deletion.changeId());
            assertThat(outcome.status()).isEqualTo(OutcomeStatus.UNASSIGNED);
            assertThat(outcome.replay()).isFalse();
            assertThat(outcome.position()).isEqualTo(new RecordPosition(TOPIC, 0, 2));
        });
        assertThat(batch.outcomes()).map(outcome -> encoder.decode(outcome.payload()).channelId())
                .containsExactlyInAnyOrder(mailbox.id().toString(), number.id().toString());
        assertThat(store.links()).isEmpty();
        assertThat(store.identity(ORGANIZATION, agent.id()).orElseThrow().status()).isEqualTo(IdentityStatus.DELETED);
        assertThat(store.changeOutcomes(new ChangeKey(ORGANIZATION, deletion.changeId()))).hasSize(2);
    }

    @Test
    void republishesTheStoredOutcomesOfARedeliveredChange() {
        directory(agent, mailbox);
        apply(at(0, anAssignment().ofChannel(mailbox).build()));
        IdentityChange deletion = deletionAt(2, agent, LATER);
        PublishableOutcome first = apply(atChange(1, deletion)).outcomes().get(0);

        AppliedBatch again = apply(atChange(1, deletion));

        assertThat(again.outcomes()).singleElement().satisfies(outcome -> {
            assertThat(outcome.replay()).isTrue();
            assertThat(outcome.payload()).isEqualTo(first.payload());
            assertThat(outcome.requestId()).isEqualTo(deletion.changeId());
        });
        assertThat(again.alreadyCommittedRequests()).isEqualTo(1);
    }

    @Test
    void aChangeDeliveredTwiceInOneBatchPublishesItsOutcomesForEachDelivery() {
        directory(agent, mailbox);
        apply(at(0, anAssignment().ofChannel(mailbox).build()));
        IdentityChange deletion = deletionAt(2, agent, LATER);

        List<PublishableOutcome> outcomes = apply(atChange(1, deletion), atChange(2, deletion)).outcomes();

        assertThat(outcomes).extracting(PublishableOutcome::replay).containsExactly(false, true);
        assertThat(outcomes.get(1).payload()).isEqualTo(outcomes.get(0).payload());
    }

    @Test
    void deletingAMailboxEndsItsHoldersLink() {
        directory(agent, mailbox);
        apply(at(0, anAssignment().ofChannel(mailbox).build()));

        AppliedBatch batch = apply(atChange(1, mailboxDeletionAt(2, mailbox, LATER)));

        Outcome ended = encoder.decode(batch.outcomes().get(0).payload());
        assertThat(ended.request().agentHandle()).isEqualTo(agent.agentHandle());
        assertThat(ended.channelId()).isEqualTo(mailbox.id().toString());
        assertThat(ended.identity().held(ChannelType.MAILBOX)).isEmpty();
        assertThat(store.links()).isEmpty();
        assertThat(store.identity(ORGANIZATION, agent.id()).orElseThrow().updatedAt()).isEqualTo(NOW);
        assertThat(((Mailbox) store.channel(ORGANIZATION, ChannelType.MAILBOX, mailbox.id()).orElseThrow())
                .deleted()).isTrue();
    }

    @Test
    void releasingAPhoneNumberEndsItsHoldersLinkAndRefusesLaterAssignments() {
        PhoneNumber number = aPhoneNumber(ORGANIZATION);
        directory(agent, number);
        apply(at(0, anAssignment().ofChannel(number).build()));

        AppliedBatch batch = apply(atChange(1, releaseAt(2, number, LATER)),
                at(2, anAssignment().ofChannel(number).build()));

        assertThat(batch.outcomes()).extracting(PublishableOutcome::status)
                .containsExactly(OutcomeStatus.UNASSIGNED, OutcomeStatus.REJECTED);
        assertThat(batch.outcomes().get(1).rejectionCode()).isEqualTo(RejectionCode.CHANNEL_NOT_FOUND);
        assertThat(store.links()).isEmpty();
    }

    @Test
    void ignoresAChangeNoNewerThanTheHeldVersion() {
        Identity renamed = new Identity(agent.id(), ORGANIZATION, "renamed-bot", IdentityStatus.ACTIVE,
                agent.createdAt(), LATER);
        apply(atChange(0, identityAt(3, agent)));

        AppliedBatch batch = apply(atChange(1, identityAt(3, renamed)));

        assertThat(batch.outcomes()).isEmpty();
        assertThat(batch.refusedChanges()).isEmpty();
        assertThat(store.identity(ORGANIZATION, agent.id())).contains(agent);
        assertThat(store.versionOf(EntryRef.of(agent))).hasValue(3);
    }

    @Test
    void ignoresAnOlderDeletionOfAHeldChannel() {
        directory(agent);
        apply(atChange(0, channelAt(3, mailbox)), at(1, anAssignment().ofChannel(mailbox).build()));

        AppliedBatch batch = apply(atChange(2, mailboxDeletionAt(2, mailbox, LATER)));

        assertThat(batch.outcomes()).isEmpty();
        assertThat(store.links()).containsExactly(linkOf(agent, mailbox));
        assertThat(store.channel(ORGANIZATION, ChannelType.MAILBOX, mailbox.id())).contains(mailbox);
    }

    @Test
    void aRenamedIdentityAnswersToItsNewHandle() {
        directory(agent, mailbox);
        Identity renamed = new Identity(agent.id(), ORGANIZATION, "renamed-bot", IdentityStatus.ACTIVE,
                agent.createdAt(), LATER);

        AppliedBatch batch = apply(atChange(0, identityAt(1, renamed)),
                at(1, anAssignment().ofChannel(mailbox).build()),
                at(2, anAssignment().forHandle("renamed-bot").ofChannel(mailbox).build()));

        assertThat(batch.outcomes()).extracting(PublishableOutcome::rejectionCode)
                .containsExactly(RejectionCode.IDENTITY_NOT_FOUND, null);
        assertThat(store.links()).containsExactly(linkOf(renamed, mailbox));
    }

    @Test
    void refusesAChangeThatGivesALiveHandleToASecondIdentity() {
        directory(agent);
        Identity impostor = anIdentity(ORGANIZATION, agent.agentHandle());

        AppliedBatch batch = apply(atChange(0, identityAt(1, impostor)));

        assertThat(batch.refusedChanges()).singleElement().satisfies(refused -> {
            assertThat(refused.position()).isEqualTo(new RecordPosition(TOPIC, 0, 0));
            assertThat(refused.reason()).contains(agent.id().toString());
        });
        assertThat(batch.outcomes()).isEmpty();
        assertThat(store.identity(ORGANIZATION, impostor.id())).isEmpty();
    }

    @Test
    void doesNotRefuseAgainAChangeBelowTheCommittedProgress() {
        directory(agent);
        IdentityChange impostor = identityAt(1, anIdentity(ORGANIZATION, agent.agentHandle()));
        apply(atChange(0, impostor));

        AppliedBatch redelivered = apply(atChange(0, impostor));

        assertThat(redelivered.refusedChanges()).as("dead-lettered with the batch that refused it").isEmpty();
        assertThat(redelivered.alreadyCommittedRequests()).isEqualTo(1);
    }

    @Test
    void aHandleADeletionFreesCanBeTakenInTheSameBatch() {
        directory(agent);
        Identity successor = anIdentity(ORGANIZATION, agent.agentHandle());

        AppliedBatch batch = apply(atChange(0, deletionAt(1, agent, LATER)), atChange(1, identityAt(1, successor)));

        assertThat(batch.refusedChanges()).isEmpty();
        assertThat(store.identity(ORGANIZATION, successor.id())).contains(successor);
    }

    @Test
    void doesNotApplyAgainAChangeBelowTheCommittedProgressThatEndedNoLink() {
        Identity renamed = new Identity(agent.id(), ORGANIZATION, "renamed-bot", IdentityStatus.ACTIVE,
                agent.createdAt(), LATER);
        DirectoryChange creation = identityAt(1, agent);
        apply(atChange(0, creation), atChange(1, identityAt(2, renamed)));

        AppliedBatch redelivered = apply(atChange(0, creation));

        assertThat(redelivered.outcomes()).isEmpty();
        assertThat(redelivered.alreadyCommittedRequests()).isEqualTo(1);
        assertThat(store.identity(ORGANIZATION, agent.id())).contains(renamed);
    }

    private void directory(Object... entries) {
        List<Identity> identities = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (Object entry : Arrays.asList(entries)) {
            if (entry instanceof Identity identity) {
                identities.add(identity);
            } else if (entry instanceof Channel channel) {
                channels.add(channel);
            } else {
                throw new IllegalArgumentException("not a directory entry: " + entry);
            }
        }
        store.load(new DirectoryRows(identities, channels, List.of()));
    }

    private AppliedBatch apply(IncomingRecord... records) {
        return apply(List.of(records), Map.of());
    }

    private AppliedBatch apply(List<IncomingRecord> records, Map<String, String> topicIds) {
        return applyRequests.apply(records, topicIds);
    }

    private static IncomingRequest at(long offset, AssignmentRequest request) {
        return at(0, offset, request);
    }

    private static IncomingRequest at(int partition, long offset, AssignmentRequest request) {
        return new IncomingRequest(new RecordPosition(TOPIC, partition, offset), request);
    }

    private static IncomingChange atChange(long offset, DirectoryChange change) {
        return new IncomingChange(new RecordPosition(TOPIC, 0, offset), change);
    }

    private static ChannelLink linkOf(Identity identity, Channel channel) {
        return new ChannelLink(identity.id(), identity.organizationId(), channel.type(), channel.id());
    }
}
