package com.channelassignment.worker.domain;

/** Lifecycle of a phone number; a released number is gone for good and cannot be assigned. */
public enum PhoneNumberStatus {
    ACTIVE(true),
    PAUSED(true),
    RELEASED(false);

    private final boolean assignable;

    PhoneNumberStatus(boolean assignable) {
        this.assignable = assignable;
    }

    /** Whether a number in this state can be linked to an identity. */
    public boolean isAssignable() {
        return assignable;
    }
}
