package com.channelassignment.worker.domain;

/** The channel slots of an identity; it holds at most one channel of each type. */
public enum ChannelType {
    MAILBOX("mailbox"),
    PHONE_NUMBER("phone number");

    private final String displayName;

    ChannelType(String displayName) {
        this.displayName = displayName;
    }

    /** How rejection messages name the type. */
    public String displayName() {
        return displayName;
    }
}
