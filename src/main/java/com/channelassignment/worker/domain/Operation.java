package com.channelassignment.worker.domain;

/** What a request asks for: link a channel to an identity, or release the one it holds. */
public enum Operation {
    ASSIGN(true),
    UNASSIGN(false);

    private final boolean namesChannel;

    Operation(boolean namesChannel) {
        this.namesChannel = namesChannel;
    }

    /** Whether a request of this operation names the channel it is about. */
    public boolean namesChannel() {
        return namesChannel;
    }

    /**
     * The channel id a request of this operation carries: the one it names for an assignment, none for a release,
     * which releases whatever the identity holds.
     */
    public <T> T channelIdOf(T channelId) {
        return namesChannel ? channelId : null;
    }
}
