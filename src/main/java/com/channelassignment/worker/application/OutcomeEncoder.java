package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.Outcome;

/** Turns an outcome into the bytes that are both stored for replays and published. */
public interface OutcomeEncoder {

    byte[] encode(Outcome outcome);
}
