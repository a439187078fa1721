package com.channelassignment.worker.application;

/** A decoded record of the requests topic, a request or a directory change, and where it was read from. */
public sealed interface IncomingRecord permits IncomingRequest, IncomingChange {

    RecordPosition position();

    /** The trace the record continues, {@link RecordTrace#NONE} when it carried no trace context. */
    RecordTrace trace();
}
