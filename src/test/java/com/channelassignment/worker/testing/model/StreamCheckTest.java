package com.channelassignment.worker.testing.model;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.DirectoryChanges.deletionAt;
import static com.channelassignment.worker.testing.data.DirectoryFixture.aMailbox;
import static com.channelassignment.worker.testing.data.DirectoryFixture.anIdentity;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.domain.Mailbox;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checker behind the benchmark and the fault suite must catch what it exists to catch. */
class StreamCheckTest {

    private static final String ORGANIZATION = "org-check";

    private final Identity agent = anIdentity(ORGANIZATION, "agent");
    private final Mailbox mailbox = aMailbox(ORGANIZATION);
    private final StreamCheck check = new StreamCheck(new DirectoryRows(List.of(agent), List.of(mailbox), List.of()));
    private final AssignmentRequest assign = anAssignment().withRequestId("assign-1").inOrganization(ORGANIZATION)
            .forHandle("agent").ofChannel(mailbox).build();
    private final Set<ChannelLink> linked = Set.of(new ChannelLink(agent.id(), ORGANIZATION, ChannelType.MAILBOX,
            mailbox.id()));

    @Test
    void verifiesOneOutcomePerDeliveryWithAReSentRequestCountedTwice() {
        check.sent(assign);
        check.sent(assign);
        check.outcome("assign-1");
        assertThat(check.drained()).isFalse();
        check.outcome("assign-1");

        StreamCheck.Verdict verdict = check.verdict(linked);

        assertThat(check.drained()).isTrue();
        assertThat(verdict.deliveries()).isEqualTo(2);
        assertThat(verdict.distinctRequests()).isEqualTo(1);
        assertThat(verdict.requestsWithExactlyOneOutcomePerDelivery()).isEqualTo(1);
        assertThat(verdict.verified()).isTrue();
    }

    @Test
    void reportsARequestWithoutOutcome() {
        check.sent(assign);

        StreamCheck.Verdict verdict = check.verdict(linked);

        assertThat(verdict.requestsWithoutOutcome()).isEqualTo(1);
        assertThat(verdict.verified()).isFalse();
    }

    @Test
    void reportsAnOutcomeBeyondOnePerDelivery() {
        check.sent(assign);
        check.outcome("assign-1");
        check.outcome("assign-1");

        StreamCheck.Verdict verdict = check.verdict(linked);

        assertThat(verdict.duplicateOutcomes()).isEqualTo(1);
        assertThat(verdict.requestsWithDuplicateOutcomes()).isEqualTo(1);
        assertThat(verdict.verified()).isFalse();
    }

    @Test
    void reportsADatabaseThatDiffersFromTheModel() {
        check.sent(assign);
        check.outcome("assign-1");

        StreamCheck.Verdict verdict = check.verdict(Set.of());

        assertThat(verdict.linksExpected()).isEqualTo(1);
        assertThat(verdict.databaseMatchesModel()).isFalse();
        assertThat(verdict.verified()).isFalse();
    }

    @Test
    void reportsGarbageNotDeadLetteredAndDeadLettersThatWereNotGarbage() {
        check.sentGarbage(bytes("garbage #1"));
        check.sentGarbage(bytes("garbage #2"));
        check.deadLetter(bytes("garbage #1"));
        check.deadLetter(bytes("garbage #1"));
        check.deadLetter(bytes("a request that decoded fine"));

        StreamCheck.Verdict verdict = check.verdict(Set.of());

        assertThat(check.drained()).isFalse();
        assertThat(verdict.garbageNotDeadLettered()).isEqualTo(1);
        assertThat(verdict.unexpectedDeadLetters()).isEqualTo(2);
        assertThat(verdict.verified()).isFalse();
    }

    @Test
    void matchesADeadLetterWithoutValueToItsGarbageByTheSha256AndSizeHeaders() {
        byte[] huge = bytes("huge garbage " + "x".repeat(10_000));
        check.sentGarbage(huge);
        check.sentGarbage(bytes("small garbage"));
        check.deadLetter(null, Integer.toString(huge.length), StreamCheck.sha256(huge));
        check.deadLetter(bytes("small garbage"), "13", StreamCheck.sha256(bytes("small garbage")));

        StreamCheck.Verdict verdict = check.verdict(Set.of());

        assertThat(check.drained()).isTrue();
        assertThat(verdict.deadLetteredByReference()).isEqualTo(1);
        assertThat(verdict.garbageNotDeadLettered()).isZero();
        assertThat(verdict.unexpectedDeadLetters()).isZero();
        assertThat(verdict.verified()).isTrue();
    }

    @Test
    void reportsAReferenceToNothingSentAndAValueContradictingItsSha256() {
        byte[] sent = bytes("garbage #1");
        check.sentGarbage(sent);
        check.deadLetter(null, "10", StreamCheck.sha256(bytes("garbage #2")));
        check.deadLetter(sent, "10", StreamCheck.sha256(bytes("garbage #2")));

        StreamCheck.Verdict verdict = check.verdict(Set.of());

        assertThat(verdict.garbageNotDeadLettered()).isEqualTo(1);
        assertThat(verdict.unexpectedDeadLetters()).isEqualTo(2);
        assertThat(verdict.verified()).isFalse();
    }

    @Test
    void owesOneMoreDeadLetterPerGarbageRecordAfterARedelivery() {
        check.sentGarbage(bytes("garbage #1"));
        check.deadLetter(bytes("garbage #1"));
        check.garbageRedelivered();
        assertThat(check.drained()).isFalse();
        check.deadLetter(bytes("garbage #1"));

        StreamCheck.Verdict verdict = check.verdict(Set.of());

        assertThat(check.drained()).isTrue();
        assertThat(verdict.garbageSent()).isEqualTo(2);
        assertThat(verdict.unexpectedDeadLetters()).isZero();
        assertThat(verdict.verified()).isTrue();
    }

    @Test
    void owesOneOutcomePerEndedLinkForEachDeliveryOfTheChangeThatEndedIt() {
        check.sent(assign);
        check.outcome("assign-1");
        IdentityChange deletion = deletionAt(1, agent, Instant.now());
        check.sent(deletion);
        check.sent(deletion);
        check.outcome(deletion.changeId());
        assertThat(check.drained()).isFalse();
        check.outcome(deletion.changeId());

        StreamCheck.Verdict verdict = check.verdict(Set.of());

        assertThat(check.drained()).isTrue();
        assertThat(verdict.directoryChangeDeliveries()).isEqualTo(2);
        assertThat(verdict.changesEndingLinks()).isEqualTo(1);
        assertThat(verdict.changeOutcomesOwed()).isEqualTo(2);
        assertThat(verdict.linksExpected()).isZero();
        assertThat(verdict.verified()).isTrue();
    }

    @Test
    void reportsAnEndedLinkWithoutItsOutcome() {
        check.sent(assign);
        check.outcome("assign-1");
        check.sent(deletionAt(1, agent, Instant.now()));

        StreamCheck.Verdict verdict = check.verdict(Set.of());

        assertThat(check.drained()).isFalse();
        assertThat(verdict.changeOutcomesMissing()).isEqualTo(1);
        assertThat(verdict.verified()).isFalse();
    }

    @Test
    void countsAnOutcomeOfAChangeThatEndedNoLinkAsAnOutcomeForAnUnsentRequest() {
        IdentityChange deletion = deletionAt(1, agent, Instant.now());
        check.sent(deletion);
        check.outcome(deletion.changeId());

        StreamCheck.Verdict verdict = check.verdict(Set.of());

        assertThat(verdict.changesEndingLinks()).isZero();
        assertThat(verdict.outcomesForUnsentRequests()).isEqualTo(1);
        assertThat(verdict.verified()).isFalse();
    }

    @Test
    void reportsADirectoryEntryWhoseStateOrVersionDiffersFromTheModel() {
        check.sent(deletionAt(3, agent, Instant.now()));
        Map<EntryRef, StreamCheck.StoredEntry> stored = new HashMap<>();
        stored.put(EntryRef.of(mailbox), new StreamCheck.StoredEntry(ReferenceModel.mailboxState(
                mailbox.emailAddress(), mailbox.displayName(), false), 0));
        stored.put(EntryRef.of(agent), new StreamCheck.StoredEntry(ReferenceModel.identityState("agent", "deleted"),
                3));
        assertThat(check.verdict(Set.of(), stored).databaseMatchesModel()).isTrue();

        stored.put(EntryRef.of(agent), new StreamCheck.StoredEntry(ReferenceModel.identityState("agent", "deleted"),
                2));
        StreamCheck.Verdict staleVersion = check.verdict(Set.of(), stored);
        stored.put(EntryRef.of(agent), new StreamCheck.StoredEntry(ReferenceModel.identityState("agent", "active"),
                3));
        StreamCheck.Verdict notDeleted = check.verdict(Set.of(), stored);

        assertThat(staleVersion.directoryEntriesDiffering()).isEqualTo(1);
        assertThat(staleVersion.databaseMatchesModel()).isFalse();
        assertThat(notDeleted.directoryEntriesDiffering()).isEqualTo(1);
        assertThat(notDeleted.verified()).isFalse();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
