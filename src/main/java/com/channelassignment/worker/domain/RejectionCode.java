package com.channelassignment.worker.domain;

/** Why a request was refused, with the status the channel assignment HTTP API answers in the same case. */
public enum RejectionCode {
    ORGANIZATION_MISSING(403),
    INVALID_REQUEST(422),
    IDENTITY_NOT_FOUND(404),
    CHANNEL_NOT_FOUND(404),
    CHANNEL_ALREADY_ASSIGNED(409),
    IDENTITY_CHANNEL_OCCUPIED(409),
    IDEMPOTENCY_KEY_REUSED(422);

    private final int httpStatus;

    RejectionCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
