package com.channelassignment.worker.domain;

/** How an agent handle is written and stored: a caller may write one leading {@code @}, the directory stores none. */
public final class AgentHandles {

    private AgentHandles() {
    }

    /** The handle as the directory stores it: one leading {@code @} is dropped, a second one stays. */
    public static String stored(String written) {
        return written.startsWith("@") ? written.substring(1) : written;
    }
}
