package com.channelassignment.worker.domain;

import java.util.List;
import java.util.Objects;

/** What a directory change does: applied (releasing the links it ends), ignored as not newer, or refused. */
public sealed interface ChangeResult {

    /** The change is the entry's new state; {@code releasedLinks} are the links it ends. */
    record Applied(List<ChannelLink> releasedLinks) implements ChangeResult {

        public Applied {
            releasedLinks = List.copyOf(releasedLinks);
        }
    }

    /** The worker holds this version of the entry or a newer one: an older or repeated change, harmless. */
    record Ignored(long heldVersion) implements ChangeResult {
    }

    /** The directory cannot hold the change: it would give one handle to two live identities. */
    record Refused(String reason) implements ChangeResult {

        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
