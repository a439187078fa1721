package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.Identity;
import java.util.List;

/** The directory rows and links a batch touches, as loaded (and locked) by the store. */
public record DirectoryRows(List<Identity> identities, List<Channel> channels, List<ChannelLink> links) {

    public DirectoryRows {
        identities = List.copyOf(identities);
        channels = List.copyOf(channels);
        links = List.copyOf(links);
    }
}
