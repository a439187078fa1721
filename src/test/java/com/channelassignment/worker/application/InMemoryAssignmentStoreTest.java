package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.Identity;
import java.util.List;
import java.util.function.Function;

/** The store in memory holds to the same contract as {@code JdbcAssignmentStore}, so the use case's tests can trust it. */
class InMemoryAssignmentStoreTest extends AssignmentStoreContract {

    private final InMemoryAssignmentStore store = new InMemoryAssignmentStore();

    // No transactions: save is the commit, and a save that fails changes nothing.
    @Override
    protected <T> T committed(Function<AssignmentStore, T> batch) {
        return batch.apply(store);
    }

    // lockAndLoad writes nothing in memory; only save does.
    @Override
    protected <T> T rolledBack(Function<AssignmentStore, T> look) {
        return look.apply(store);
    }

    @Override
    protected void givenDirectory(List<Identity> identities, List<Channel> channels, List<ChannelLink> links) {
        store.load(new DirectoryRows(identities, channels, links));
    }
}
