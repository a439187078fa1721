package com.channelassignment.worker.testing;

import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.application.RequestKey;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.DirectorySnapshot;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The expected final state of a request stream: the pure rules applied one request at a time in production order,
 * with idempotency by organization and request_id, in memory. Producers key by organization and no request affects
 * another organization, so production order gives the same final state as any per-partition interleaving.
 */
public final class ReferenceModel {

    private final AssignmentRules rules = new AssignmentRules();
    private final DirectorySnapshot directory;
    private final Map<RequestKey, byte[]> processed = new HashMap<>();

    public ReferenceModel(DirectoryRows rows) {
        this.directory = new DirectorySnapshot(rows.identities(), rows.channels(), rows.links());
    }

    /**
     * Applies one delivery of a request; re-deliveries and reused keys change nothing, as in the worker. Returns the
     * decision of a request recorded now, empty for a replay, a reused key or a request that cannot be recorded.
     */
    public Optional<Decision> apply(AssignmentRequest request) {
        if (!AssignmentRules.isRecordable(request) || processed.containsKey(RequestKey.of(request))) {
            return Optional.empty();
        }
        processed.put(RequestKey.of(request), request.contentFingerprint());
        Decision decision = rules.decide(request, directory);
        if (decision instanceof Decision.Assigned assigned && assigned.changed()) {
            directory.link(assigned.identity(), assigned.channel(), Instant.EPOCH);
        } else if (decision instanceof Decision.Unassigned unassigned && unassigned.changed()) {
            directory.unlink(unassigned.identity(), unassigned.type(), Instant.EPOCH);
        }
        return Optional.of(decision);
    }

    /** Whether a stored request with this key and content exists (a re-send would replay it). */
    public boolean isReplay(AssignmentRequest request) {
        byte[] earlier = AssignmentRules.isRecordable(request) ? processed.get(RequestKey.of(request)) : null;
        return earlier != null && Arrays.equals(earlier, request.contentFingerprint());
    }

    public Set<ChannelLink> links() {
        return directory.links();
    }
}
