package com.channelassignment.worker.domain;

/** Lifecycle of a phone number; a released number is gone for good and cannot be assigned. */
public enum PhoneNumberStatus {
    ACTIVE,
    PAUSED,
    RELEASED
}
