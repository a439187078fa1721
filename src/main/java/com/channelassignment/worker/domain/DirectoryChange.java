package com.channelassignment.worker.domain;

import java.time.Instant;

/**
 * The state of one directory entry after a change at its source, with the entry's version. Applied only when the
 * version is above the one held, so an older or repeated change changes nothing.
 */
public sealed interface DirectoryChange permits IdentityChange, ChannelChange {

    /** The source's id of this change; outcomes the change causes carry it as their request id. */
    String changeId();

    long version();

    EntryRef entry();

    /** When the source made the change: the entry's updated_at afterwards. */
    Instant changedAt();

    default String organizationId() {
        return entry().organizationId();
    }
}
