package com.channelassignment.worker.testing;

import com.channelassignment.worker.application.ChannelLink;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.Directory;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The expected final state of a request stream: the pure rules applied one request at a time in production order,
 * with idempotency, in memory. Producers key by organization and no request affects another organization, so
 * production order gives the same final state as any per-partition interleaving.
 */
public final class ReferenceModel implements Directory {

    private record IdentityKey(String organizationId, String handle) {}

    private record ChannelKey(ChannelType type, UUID id) {}

    private record Slot(UUID identityId, ChannelType type) {}

    private final AssignmentRules rules = new AssignmentRules();
    private final Map<IdentityKey, Identity> identities = new HashMap<>();
    private final Map<ChannelKey, Channel> channels = new HashMap<>();
    private final Map<Slot, ChannelLink> linksBySlot = new HashMap<>();
    private final Map<ChannelKey, UUID> holders = new HashMap<>();
    private final Map<String, byte[]> processed = new HashMap<>();

    public ReferenceModel(DirectoryRows directory) {
        for (Identity identity : directory.identities()) {
            if (identity.status() != IdentityStatus.DELETED) {
                identities.put(new IdentityKey(identity.organizationId(), identity.agentHandle()), identity);
            }
        }
        directory.channels().forEach(channel -> channels.put(new ChannelKey(channel.type(), channel.id()), channel));
        directory.links().forEach(this::link);
    }

    /** Applies one delivery of a request; re-deliveries and reused keys change nothing, as in the worker. */
    public void apply(AssignmentRequest request) {
        if (!AssignmentRules.isValidRequestId(request.requestId())) {
            return;
        }
        byte[] earlier = processed.get(request.requestId());
        if (earlier != null) {
            return;
        }
        processed.put(request.requestId(), request.contentFingerprint());
        Decision decision = rules.decide(request, this);
        if (decision instanceof Decision.Assigned assigned && assigned.changed()) {
            link(new ChannelLink(assigned.identity().id(), assigned.identity().organizationId(),
                    assigned.channel().type(), assigned.channel().id()));
        } else if (decision instanceof Decision.Unassigned unassigned && unassigned.changed()) {
            ChannelLink removed = linksBySlot.remove(new Slot(unassigned.identity().id(), unassigned.type()));
            holders.remove(new ChannelKey(removed.type(), removed.channelId()));
        }
    }

    /** Whether a stored request with this id and content exists (a re-send would replay it). */
    public boolean isReplay(AssignmentRequest request) {
        byte[] earlier = processed.get(request.requestId());
        return earlier != null && Arrays.equals(earlier, request.contentFingerprint());
    }

    public Set<ChannelLink> links() {
        return new HashSet<>(linksBySlot.values());
    }

    @Override
    public Optional<Identity> findIdentity(String organizationId, String agentHandle) {
        return Optional.ofNullable(identities.get(new IdentityKey(organizationId, agentHandle)));
    }

    @Override
    public Optional<Channel> findChannel(ChannelType type, UUID channelId) {
        return Optional.ofNullable(channels.get(new ChannelKey(type, channelId)));
    }

    @Override
    public Optional<UUID> holderOf(ChannelType type, UUID channelId) {
        return Optional.ofNullable(holders.get(new ChannelKey(type, channelId)));
    }

    @Override
    public Optional<UUID> channelHeldBy(UUID identityId, ChannelType type) {
        return Optional.ofNullable(linksBySlot.get(new Slot(identityId, type))).map(ChannelLink::channelId);
    }

    private void link(ChannelLink link) {
        linksBySlot.put(new Slot(link.identityId(), link.type()), link);
        holders.put(new ChannelKey(link.type(), link.channelId()), link.identityId());
    }
}
