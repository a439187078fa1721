package com.channelassignment.worker.domain;

/** The three results a request can have. */
public enum OutcomeStatus {
    ASSIGNED,
    UNASSIGNED,
    REJECTED
}
