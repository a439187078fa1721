package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.Objects;

/** An identity created, changed or deleted: its whole state afterwards. */
public record IdentityChange(String changeId, long version, Identity identity) implements DirectoryChange {

    public IdentityChange {
        Objects.requireNonNull(changeId, "changeId");
        Objects.requireNonNull(identity, "identity");
    }

    @Override
    public EntryRef entry() {
        return EntryRef.of(identity);
    }

    @Override
    public Instant changedAt() {
        return identity.updatedAt();
    }
}
