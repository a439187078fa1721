package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.AssignmentRequest;
import java.util.concurrent.CompletableFuture;

/**
 * The way a synchronous caller's request reaches the worker and its answer comes back: the same requests topic,
 * rules, idempotency record and outcome stream as every other request.
 */
public interface RequestChannel {

    /**
     * Sends the request and returns its answer, once the outcome for its organization and request_id is committed.
     * The future fails when the request could not be sent; it may also never complete, and the caller bounds the wait.
     */
    CompletableFuture<Answer> send(AssignmentRequest request);

    /** Stops waiting for the request's answer. */
    void forget(AssignmentRequest request, CompletableFuture<Answer> answer);
}
