package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.domain.Identity;
import java.util.List;
import java.util.Map;

/** The directory rows and links a batch touches, as loaded (and locked) by the store, with each entry's version. */
public record DirectoryRows(List<Identity> identities, List<Channel> channels, List<ChannelLink> links,
        Map<EntryRef, Long> versions) {

    public DirectoryRows {
        identities = List.copyOf(identities);
        channels = List.copyOf(channels);
        links = List.copyOf(links);
        versions = Map.copyOf(versions);
    }

    /** Rows without versions: tests, fixtures and files, whose entries any directory change replaces. */
    public DirectoryRows(List<Identity> identities, List<Channel> channels, List<ChannelLink> links) {
        this(identities, channels, links, Map.of());
    }
}
