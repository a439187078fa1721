package com.channelassignment.worker.application;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.application.ServeAssignmentCalls.Answered;
import com.channelassignment.worker.application.ServeAssignmentCalls.CallResult;
import com.channelassignment.worker.application.ServeAssignmentCalls.Stopping;
import com.channelassignment.worker.application.ServeAssignmentCalls.TimedOut;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.OutcomeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a caller gets once the instance serving it has begun to stop (SIGTERM, a rolling update). */
class ServeAssignmentCallsWhileStoppingTest {

    private static final Duration ANSWER_TIMEOUT = Duration.ofMillis(300);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final RecordingChannel channel = new RecordingChannel();
    private final ServeAssignmentCalls calls = new ServeAssignmentCalls(channel, 10, ANSWER_TIMEOUT, RETRY_AFTER);
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    @Test
    void refusesACallThatArrivesAfterTheStopBeganWithoutSendingIt() throws Exception {
        calls.stop();

        CallResult result = calls.serve(anAssignment().withRequestId("late").build());

        assertThat(result).isEqualTo(new Stopping(RETRY_AFTER));
        assertThat(channel.sent).isEmpty();
    }

    @Test
    void answersACallInFlightWhoseOutcomeArrivesAfterTheStopBegan() throws Exception {
        Future<CallResult> inFlight = callers.submit(() -> calls.serve(anAssignment().withRequestId("a").build()));
        channel.awaitFirstSend();

        calls.stop();
        Answer answer = new Answer("a", OutcomeStatus.ASSIGNED, null, null, null);
        channel.answers.get(0).complete(answer);

        assertThat(inFlight.get(5, TimeUnit.SECONDS)).isEqualTo(new Answered(answer));
    }

    @Test
    void tellsACallInFlightWithoutAnAnswerToRetryInsteadOfTimingOut() throws Exception {
        Future<CallResult> inFlight = callers.submit(() -> calls.serve(anAssignment().withRequestId("b").build()));
        channel.awaitFirstSend();

        calls.stop();

        assertThat(inFlight.get(5, TimeUnit.SECONDS)).isEqualTo(new Stopping(RETRY_AFTER));
    }

    @Test
    void timesOutACallWithoutAnAnswerWhileNotStopping() throws Exception {
        CallResult result = calls.serve(anAssignment().withRequestId("c").build());

        assertThat(result).isEqualTo(new TimedOut("c"));
    }

    /** Sends nothing anywhere: keeps each request and the future its caller waits on. */
    private static final class RecordingChannel implements RequestChannel {

        final List<AssignmentRequest> sent = new ArrayList<>();
        final List<CompletableFuture<Answer>> answers = new ArrayList<>();
        private final CountDownLatch first = new CountDownLatch(1);

        @Override
        public synchronized CompletableFuture<Answer> send(AssignmentRequest request) {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            sent.add(request);
            answers.add(answer);
            first.countDown();
            return answer;
        }

        @Override
        public void forget(AssignmentRequest request, CompletableFuture<Answer> answer) {
        }

        void awaitFirstSend() throws InterruptedException {
            assertThat(first.await(5, TimeUnit.SECONDS)).as("request sent").isTrue();
        }
    }
}
