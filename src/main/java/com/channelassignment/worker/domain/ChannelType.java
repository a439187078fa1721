package com.channelassignment.worker.domain;

/** The channel slots of an identity; it holds at most one channel of each type. */
public enum ChannelType {
    MAILBOX("mailbox", "mailbox"),
    PHONE_NUMBER("phone number", "phone_number");

    private final String displayName;
    private final String fieldName;

    ChannelType(String displayName, String fieldName) {
        this.displayName = displayName;
        this.fieldName = fieldName;
    }

    /** How rejection messages name the type. */
    public String displayName() {
        return displayName;
    }

    /**
     * How the contract and the API name a channel of this type: its field in an outcome's identity detail and in the
     * HTTP API's JSON, and its path segment under {@code /identities/{agent_handle}}.
     */
    public String fieldName() {
        return fieldName;
    }
}
