package com.channelassignment.worker.domain;

/** What a request asks for: link a channel to an identity, or release the one it holds. */
public enum Operation {
    ASSIGN,
    UNASSIGN
}
