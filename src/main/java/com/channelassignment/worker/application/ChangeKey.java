package com.channelassignment.worker.application;

import java.util.Objects;

/** How a directory change is known once applied: its organization and the source's change id. */
public record ChangeKey(String organizationId, String changeId) {

    public ChangeKey {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(changeId, "changeId");
    }
}
