package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.AssignmentRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a synchronous call: sends its request through the pipeline and waits for the answer, with the number of calls
 * waiting and the time each waits both bounded. A call past either bound is not lost: its request may still be
 * applied, and a retry under the same request_id reads its stored outcome.
 */
public class ServeAssignmentCalls {

    /** What became of a call. */
    public sealed interface CallResult permits Answered, Busy, TimedOut, Stopping {
    }

    /** The outcome arrived. */
    public record Answered(Answer answer) implements CallResult {
    }

    /** Too many calls were waiting; the request was not sent. */
    public record Busy(Duration retryAfter) implements CallResult {
    }

    /** The request was sent, and no answer came in time. */
    public record TimedOut(String requestId) implements CallResult {
    }

    /**
     * This instance is stopping: the call came after the stop began and was not sent, or it was sent and no answer
     * came before its timeout. Either way a retry under the same request_id, which reaches another instance, reads
     * the request's outcome or applies it.
     */
    public record Stopping(Duration retryAfter) implements CallResult {
    }

    private static final Logger log = LoggerFactory.getLogger(ServeAssignmentCalls.class);

    private final RequestChannel channel;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final Duration answerTimeout;
    private final Duration retryAfter;
    private volatile boolean stopping;

    public ServeAssignmentCalls(RequestChannel channel, int maxInFlight, Duration answerTimeout,
            Duration retryAfter) {
        this.channel = channel;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.answerTimeout = answerTimeout;
        this.retryAfter = retryAfter;
    }

    public CallResult serve(AssignmentRequest request) throws InterruptedException {
        // Lines logged while the call is served (here, the producer's, Spring's) carry its request_id.
        try (RecordLogContext context = RecordLogContext.ofCall(request)) {
            return serveWithin(request);
        }
    }

    /**
     * From now on new calls are refused, and a call in flight that gets no answer in time is told to retry elsewhere
     * instead of timing out. The calls in flight still wait for their answers: the partitions this instance gives up
     * go to the others, whose outcomes this instance keeps reading until its web server has stopped.
     */
    public void stop() {
        stopping = true;
    }

    private CallResult serveWithin(AssignmentRequest request) throws InterruptedException {
        if (stopping) {
            log.debug("this instance is stopping: call refused, retry after {}", retryAfter);
            return new Stopping(retryAfter);
        }
        if (!inFlight.tryAcquire()) {
            log.debug("{} calls are waiting for their answers: call refused, retry after {}", maxInFlight, retryAfter);
            return new Busy(retryAfter);
        }
        CompletableFuture<Answer> answer = null;
        try {
            answer = channel.send(request);
            return new Answered(answer.get(answerTimeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            if (stopping) {
                log.warn("no outcome within {} while stopping: answered 503; a retry under the same key reads it",
                        answerTimeout);
                return new Stopping(retryAfter);
            }
            log.warn("no outcome within {}: answered 504; a retry under the same key reads it", answerTimeout);
            return new TimedOut(request.requestId());
        } catch (ExecutionException e) {
            log.warn("the request could not be sent or its answer read: {}", e.getCause().toString());
            throw new DependencyUnavailableException("the request could not be sent: " + e.getCause(), e.getCause());
        } finally {
            if (answer != null) {
                channel.forget(request, answer);
            }
            inFlight.release();
        }
    }
}
