package com.channelassignment.worker.testing.data;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** The W3C {@code traceparent} of a sampled span, as a producer or caller that traces its requests sends it. */
public record TraceParent(String traceId, String spanId) {

    public static final String HEADER = "traceparent";

    public static TraceParent random() {
        return new TraceParent(hex(16), hex(8));
    }

    /** The header's value: version 00, the ids, and the sampled flag. */
    @Override
    public String toString() {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        random[0] |= 1; // never all zeros, which W3C calls invalid
        return HexFormat.of().formatHex(random);
    }
}
