package com.channelassignment.worker.domain;

/** The two channel slots of an identity; it holds at most one channel of each type. */
public enum ChannelType {
    MAILBOX,
    PHONE_NUMBER
}
