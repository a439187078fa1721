package com.channelassignment.worker.application;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.application.ServeAssignmentCalls.Answered;
import com.channelassignment.worker.application.ServeAssignmentCalls.Busy;
import com.channelassignment.worker.application.ServeAssignmentCalls.CallResult;
import com.channelassignment.worker.application.ServeAssignmentCalls.Stopping;
import com.channelassignment.worker.application.ServeAssignmentCalls.TimedOut;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A synchronous call: the answer it waits for, and the bounds on how many wait and for how long. */
class ServeAssignmentCallsTest {

    private static final Duration ANSWER_TIMEOUT = Duration.ofMillis(200);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(3);

    private final ScriptedRequestChannel channel = new ScriptedRequestChannel();
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    @Test
    void answersWithTheOutcomeOfTheRequest() throws Exception {
        AssignmentRequest request = anAssignment().build();
        Answer answer = answerTo(request, OutcomeStatus.ASSIGNED);
        channel.answering(sent -> CompletableFuture.completedFuture(answer));

        CallResult result = calls(1).serve(request);

        assertThat(result).isEqualTo(new Answered(answer));
        assertThat(channel.sent()).extracting(ScriptedRequestChannel.Sent::request).containsExactly(request);
    }

    @Test
    void answersARefusalLikeAnyOtherOutcome() throws Exception {
        AssignmentRequest request = anAssignment().build();
        Answer refusal = new Answer(request.requestId(), OutcomeStatus.REJECTED, RejectionCode.CHANNEL_NOT_FOUND,
                "no mailbox", null);
        channel.answering(sent -> CompletableFuture.completedFuture(refusal));

        assertThat(calls(1).serve(request)).isEqualTo(new Answered(refusal));
    }

    @Test
    void waitsForAnAnswerThatArrivesWithinTheTimeout() throws Exception {
        AssignmentRequest request = anAssignment().build();
        Answer answer = answerTo(request, OutcomeStatus.UNASSIGNED);
        channel.answering(sent -> CompletableFuture.supplyAsync(() -> answer,
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));

        assertThat(calls(1).serve(request)).isEqualTo(new Answered(answer));
    }

    @Test
    void timesOutWhenNoAnswerComesInTimeAndStopsWaitingForIt() throws Exception {
        AssignmentRequest request = anAssignment().withRequestId("req-slow").build();

        long started = System.nanoTime();
        CallResult result = calls(1).serve(request);

        assertThat(result).isEqualTo(new TimedOut("req-slow"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(ANSWER_TIMEOUT);
        assertThat(channel.sent()).as("sent: it may still be applied").hasSize(1);
        assertThat(channel.forgotten()).containsExactly(channel.sent().get(0).answer());
    }

    @Test
    void forgetsTheAnswerOnceItArrived() throws Exception {
        AssignmentRequest request = anAssignment().build();
        channel.answering(sent -> CompletableFuture.completedFuture(answerTo(sent, OutcomeStatus.ASSIGNED)));

        calls(1).serve(request);

        assertThat(channel.forgotten()).containsExactly(channel.sent().get(0).answer());
    }

    @Test
    void refusesACallWhileTheMostCallsAllowedAreWaitingWithoutSendingIt() throws Exception {
        ServeAssignmentCalls calls = new ServeAssignmentCalls(channel, 1, Duration.ofSeconds(30), RETRY_AFTER);
        Future<CallResult> waiting = callers.submit(() -> calls.serve(anAssignment().build()));
        awaitSends(1);

        CallResult refused = calls.serve(anAssignment().build());

        assertThat(refused).isEqualTo(new Busy(RETRY_AFTER));
        assertThat(channel.sent()).as("the refused call's request is not sent").hasSize(1);
        Answer answer = answerTo(channel.sent().get(0).request(), OutcomeStatus.ASSIGNED);
        channel.sent().get(0).answer().complete(answer);
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(new Answered(answer));
    }

    @Test
    void servesTheNextCallOnceAWaitingOneEnds() throws Exception {
        ServeAssignmentCalls calls = calls(1);
        assertThat(calls.serve(anAssignment().build())).isInstanceOf(TimedOut.class);
        channel.answering(sent -> CompletableFuture.failedFuture(new IllegalStateException("broker down")));
        assertThatThrownBy(() -> calls.serve(anAssignment().build()))
                .isInstanceOf(DependencyUnavailableException.class);
        channel.answering(sent -> {
            throw new IllegalStateException("producer closed");
        });
        assertThatThrownBy(() -> calls.serve(anAssignment().build())).isInstanceOf(IllegalStateException.class);
        AssignmentRequest last = anAssignment().build();
        Answer answer = answerTo(last, OutcomeStatus.ASSIGNED);
        channel.answering(sent -> CompletableFuture.completedFuture(answer));

        assertThat(calls.serve(last)).as("every way out let go of its slot").isEqualTo(new Answered(answer));
    }

    @Test
    void failsAsUnavailableWhenTheRequestCannotBeSent() throws Exception {
        IllegalStateException sendFailure = new IllegalStateException("broker down");
        channel.answering(sent -> CompletableFuture.failedFuture(sendFailure));

        assertThatThrownBy(() -> calls(1).serve(anAssignment().build()))
                .isInstanceOf(DependencyUnavailableException.class)
                .hasCause(sendFailure);
        assertThat(channel.forgotten()).hasSize(1);
    }

    @Test
    void aSendThatFailsAtOnceHasNoAnswerToForget() {
        channel.answering(sent -> {
            throw new IllegalStateException("producer closed");
        });

        assertThatThrownBy(() -> calls(1).serve(anAssignment().build())).hasMessage("producer closed");
        assertThat(channel.forgotten()).isEmpty();
    }

    @Test
    void aCallerInterruptedWhileWaitingStopsWaitingForTheAnswer() throws Exception {
        ServeAssignmentCalls calls = new ServeAssignmentCalls(channel, 1, Duration.ofSeconds(30), RETRY_AFTER);
        AtomicReference<Thread> caller = new AtomicReference<>();
        Future<CallResult> waiting = callers.submit(() -> {
            caller.set(Thread.currentThread());
            return calls.serve(anAssignment().build());
        });
        awaitSends(1);

        caller.get().interrupt();

        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(InterruptedException.class);
        assertThat(channel.forgotten()).hasSize(1);
    }

    @Test
    void sendsTheRequestWithItsIdsInTheLogContextAndRestoresTheContextAfter() throws Exception {
        AssignmentRequest request = anAssignment().withRequestId("req-logged").withCorrelationId("workflow-9")
                .build();
        channel.answering(sent -> CompletableFuture.completedFuture(answerTo(sent, OutcomeStatus.ASSIGNED)));
        MDC.put(RecordLogContext.REQUEST_ID, "outer");
        try {
            calls(1).serve(request);

            assertThat(channel.sent().get(0).logContext())
                    .containsEntry(RecordLogContext.REQUEST_ID, "req-logged")
                    .containsEntry(RecordLogContext.CORRELATION_ID, "workflow-9");
            assertThat(MDC.get(RecordLogContext.REQUEST_ID)).isEqualTo("outer");
        } finally {
            MDC.clear();
        }
    }

    @Test
    void refusesACallThatArrivesAfterTheStopBeganWithoutSendingIt() throws Exception {
        ServeAssignmentCalls calls = calls(1);
        calls.stop();

        CallResult result = calls.serve(anAssignment().build());

        assertThat(result).isEqualTo(new Stopping(RETRY_AFTER));
        assertThat(channel.sent()).isEmpty();
    }

    @Test
    void answersACallInFlightWhoseOutcomeArrivesAfterTheStopBegan() throws Exception {
        ServeAssignmentCalls calls = calls(1);
        AssignmentRequest request = anAssignment().build();
        CompletableFuture<Answer> later = new CompletableFuture<>();
        channel.answering(sent -> later);
        Future<CallResult> inFlight = callers.submit(() -> calls.serve(request));
        awaitSends(1);

        calls.stop();
        Answer answer = answerTo(request, OutcomeStatus.ASSIGNED);
        later.complete(answer);

        assertThat(inFlight.get(5, TimeUnit.SECONDS)).isEqualTo(new Answered(answer));
    }

    @Test
    void tellsACallInFlightWithoutAnAnswerToRetryElsewhereInsteadOfTimingOut() throws Exception {
        ServeAssignmentCalls calls = calls(1);
        Future<CallResult> inFlight = callers.submit(() -> calls.serve(anAssignment().build()));
        awaitSends(1);

        calls.stop();

        assertThat(inFlight.get(5, TimeUnit.SECONDS)).isEqualTo(new Stopping(RETRY_AFTER));
    }

    private ServeAssignmentCalls calls(int maxInFlight) {
        return new ServeAssignmentCalls(channel, maxInFlight, ANSWER_TIMEOUT, RETRY_AFTER);
    }

    private void awaitSends(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (channel.sent().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " sends, saw " + channel.sent().size());
            }
            Thread.sleep(5);
        }
    }

    private static Answer answerTo(AssignmentRequest request, OutcomeStatus status) {
        return new Answer(request.requestId(), status, null, null, null);
    }
}
