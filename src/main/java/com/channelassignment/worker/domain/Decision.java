package com.channelassignment.worker.domain;

import java.util.Objects;
import java.util.UUID;

/** What the rules decided for one request. A refusal is a value, never an exception. */
public sealed interface Decision {

    OutcomeStatus status();

    /** The identity holds {@code channel}; {@code changed} is false when it already did. */
    record Assigned(Identity identity, Channel channel, boolean changed) implements Decision {
        public Assigned {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(channel, "channel");
        }

        @Override
        public OutcomeStatus status() {
            return OutcomeStatus.ASSIGNED;
        }
    }

    /** The identity holds no channel of {@code type}; {@code releasedChannelId} is null when it held none. */
    record Unassigned(Identity identity, ChannelType type, UUID releasedChannelId) implements Decision {
        public Unassigned {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(type, "type");
        }

        public boolean changed() {
            return releasedChannelId != null;
        }

        @Override
        public OutcomeStatus status() {
            return OutcomeStatus.UNASSIGNED;
        }
    }

    /** Nothing changed; {@code message} is for humans. */
    record Rejected(RejectionCode code, String message) implements Decision {
        public Rejected {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public OutcomeStatus status() {
            return OutcomeStatus.REJECTED;
        }
    }
}
