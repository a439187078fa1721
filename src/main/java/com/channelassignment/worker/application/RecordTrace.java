package com.channelassignment.worker.application;

/**
 * The trace a record continues, opaque to the application: entered while the record's lines are logged, so they carry
 * its trace id. The Kafka adapter makes one per traced record; a record without trace context has {@link #NONE}.
 */
public interface RecordTrace {

    RecordTrace NONE = () -> Scope.NOTHING;

    /** Makes this record's trace the current one until the scope is closed; scopes nest. */
    Scope enter();

    /** A trace made current; closing it restores what was current before. */
    interface Scope extends AutoCloseable {

        Scope NOTHING = () -> {
        };

        @Override
        void close();
    }
}
