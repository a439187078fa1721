package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A request's outcome as a caller waiting for it reads it: the status, the refusal if any, and the identity detail
 * the outcome carries. Replays carry the stored outcome, so a retried call reads the same answer. How a door shows
 * it (a status code, a JSON body) is the door's business.
 */
public record Answer(String requestId, OutcomeStatus status, RejectionCode rejectionCode, String message,
        IdentityDetail identity) {

    public Answer {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(status, "status");
    }

    /**
     * The identity an assignment leaves, with the channel of each type it holds (null for none), each field for field
     * as the outcome carries it.
     */
    public record IdentityDetail(String id, String organizationId, String agentHandle, String status,
            Instant createdAt, Instant updatedAt, Map<ChannelType, Map<String, Object>> channels) {

        public IdentityDetail {
            channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));
        }
    }
}
