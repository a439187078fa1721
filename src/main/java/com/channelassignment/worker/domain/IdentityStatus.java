package com.channelassignment.worker.domain;

/** Lifecycle of an identity; a deleted identity is invisible to requests, a paused one still holds and receives channels. */
public enum IdentityStatus {
    ACTIVE,
    PAUSED,
    DELETED
}
