package com.channelassignment.worker.kafka.gateway;

import com.channelassignment.worker.contract.AvroContract;
import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.kafka.gateway.KafkaRequestChannel.Asked;
import com.channelassignment.worker.kafka.gateway.KafkaRequestChannel.Waiter;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The answer reader matches a call to its outcome by what the outcome carries, canonically. */
class AnswerMatchingTest {

    private static final String CHANNEL_ID = "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b34";

    @Test
    void matchesACallSentWithCapitalsToTheOutcomeThatNamesTheChannelInLowerCase() {
        AssignmentRequest call = anAssignment().forHandle("@sales-bot")
                .withChannelId(CHANNEL_ID.toUpperCase(Locale.ROOT)).build();
        ChannelAssignmentOutcome outcome = rejectedOutcomeOf(anAssignment().forHandle("sales-bot")
                .withChannelId(CHANNEL_ID).build());

        assertThat(Waiter.of(call, new CompletableFuture<>()).answeredBy(outcome, Asked.of(outcome))).isTrue();
    }

    @Test
    void matchesAnOutcomeStoredBeforeIdsWereCanonicalThatEchoesTheIdInCapitals() {
        AssignmentRequest call = anAssignment().withChannelId(CHANNEL_ID).build();
        ChannelAssignmentOutcome stored = rejectedOutcomeOf(call);
        stored.setChannelId(CHANNEL_ID.toUpperCase(Locale.ROOT));

        assertThat(Waiter.of(call, new CompletableFuture<>()).answeredBy(stored, Asked.of(stored))).isTrue();
    }

    @Test
    void doesNotMatchTheOutcomeOfAnotherChannel() {
        AssignmentRequest call = anAssignment().withChannelId(CHANNEL_ID).build();
        ChannelAssignmentOutcome other = rejectedOutcomeOf(anAssignment()
                .withChannelId(UUID.randomUUID().toString()).build());

        assertThat(Waiter.of(call, new CompletableFuture<>()).answeredBy(other, Asked.of(other))).isFalse();
    }

    private static ChannelAssignmentOutcome rejectedOutcomeOf(AssignmentRequest request) {
        return AvroContract.toAvro(Outcome.rejected(UUID.randomUUID(), request,
                new Decision.Rejected(RejectionCode.CHANNEL_NOT_FOUND, "no mailbox"), Instant.EPOCH));
    }
}
