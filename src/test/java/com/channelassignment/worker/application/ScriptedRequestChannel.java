package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.AssignmentRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.MDC;

/**
 * A request channel whose answers a test scripts: each send gets the future {@code answers} makes for it, by default
 * one that never completes. Records what was sent, with the log context it was sent in, and what was forgotten.
 */
public final class ScriptedRequestChannel implements RequestChannel {

    /** One send: the request, its future, and the MDC at the time. */
    public record Sent(AssignmentRequest request, CompletableFuture<Answer> answer, Map<String, String> logContext) {
    }

    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<Answer>> forgotten = new CopyOnWriteArrayList<>();
    private volatile Function<AssignmentRequest, CompletableFuture<Answer>> answers =
            request -> new CompletableFuture<>();

    /** How the following sends are answered; the function may also throw, as a send that fails at once does. */
    public ScriptedRequestChannel answering(Function<AssignmentRequest, CompletableFuture<Answer>> answers) {
        this.answers = answers;
        return this;
    }

    @Override
    public CompletableFuture<Answer> send(AssignmentRequest request) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        CompletableFuture<Answer> answer = answers.apply(request);
        sent.add(new Sent(request, answer, context == null ? Map.of() : Map.copyOf(context)));
        return answer;
    }

    @Override
    public void forget(AssignmentRequest request, CompletableFuture<Answer> answer) {
        forgotten.add(answer);
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    public List<CompletableFuture<Answer>> forgotten() {
        return List.copyOf(forgotten);
    }
}
