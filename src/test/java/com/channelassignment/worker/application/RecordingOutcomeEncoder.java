package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An encoder without a wire format: each outcome becomes bytes naming its event id, and {@link #decode} gives the
 * outcome back, so a test reads what a payload says without Avro.
 */
public final class RecordingOutcomeEncoder implements OutcomeEncoder {

    private final Map<String, Outcome> encoded = new HashMap<>();

    @Override
    public byte[] encode(Outcome outcome) {
        String payload = "outcome " + outcome.eventId();
        encoded.put(payload, outcome);
        return payload.getBytes(StandardCharsets.UTF_8);
    }

    /** The outcome these bytes were encoded from; fails for bytes this encoder did not make. */
    public Outcome decode(byte[] payload) {
        Outcome outcome = encoded.get(new String(payload, StandardCharsets.UTF_8));
        if (outcome == null) {
            throw new IllegalArgumentException("not an encoded outcome: " + new String(payload,
                    StandardCharsets.UTF_8));
        }
        return outcome;
    }

    /** How many outcomes were encoded, replays excluded: a replay publishes the stored bytes. */
    public int encodedCount() {
        return encoded.size();
    }
}
