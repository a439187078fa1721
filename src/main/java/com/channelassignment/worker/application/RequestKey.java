package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.AssignmentRequest;
import java.util.Objects;

/**
 * What an idempotency record is kept under: the request_id within its organization. Two organizations that pick the
 * same request_id make two independent requests.
 */
public record RequestKey(String organizationId, String requestId) {

    public RequestKey {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(requestId, "requestId");
    }

    /** Only for a request the rules call recordable. */
    public static RequestKey of(AssignmentRequest request) {
        return new RequestKey(request.organizationId(), request.requestId());
    }
}
