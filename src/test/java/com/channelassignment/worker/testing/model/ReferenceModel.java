package com.channelassignment.worker.testing.model;

import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.application.RequestKey;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.domain.ChangeResult;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelChange;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.domain.DirectorySnapshot;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The expected final state of a request stream: the pure rules applied one request or directory change at a time in
 * production order, with idempotency by organization and request_id, in memory. Producers key by organization and no
 * record affects another organization, so production order gives the same final state as any per-partition
 * interleaving.
 */
public final class ReferenceModel {

    private final AssignmentRules rules = new AssignmentRules();
    private final DirectorySnapshot directory;
    private final Map<RequestKey, byte[]> processed = new HashMap<>();
    private final Map<EntryRef, String> entries = new HashMap<>();
    private final Map<EntryRef, Long> changedVersions = new HashMap<>();

    public ReferenceModel(DirectoryRows rows) {
        this.directory = new DirectorySnapshot(rows.identities(), rows.channels(), rows.links());
        rows.identities().forEach(identity -> entries.put(EntryRef.of(identity), stateOf(identity)));
        rows.channels().forEach(channel -> entries.put(EntryRef.of(channel), stateOf(channel)));
    }

    /**
     * Applies one delivery of a directory change by the worker's rules: an applied change becomes its entry's state
     * and version, and ends the links the result names; an older or repeated one changes nothing.
     */
    public ChangeResult apply(DirectoryChange change) {
        ChangeResult result = directory.apply(change);
        if (result instanceof ChangeResult.Applied) {
            changedVersions.put(change.entry(), change.version());
            if (change instanceof IdentityChange identityChange) {
                entries.put(change.entry(), stateOf(identityChange.identity()));
            } else if (change instanceof ChannelChange channelChange) {
                entries.put(change.entry(), stateOf(channelChange.channel()));
            } else {
                throw new IllegalStateException("unknown directory change " + change);
            }
        }
        return result;
    }

    /**
     * Every identity and channel as the database must hold it, in the words of its columns: handle and status;
     * address, display name and deleted; number, type and status. Times are left out: the model does not keep the
     * worker's clock.
     */
    public Map<EntryRef, String> directoryEntries() {
        return Map.copyOf(entries);
    }

    /** The version of each entry a directory change set; entries no change touched keep what the loader gave. */
    public Map<EntryRef, Long> changedVersions() {
        return Map.copyOf(changedVersions);
    }

    /** An identity's state as {@link #directoryEntries()} words it, from the database's column values. */
    public static String identityState(String agentHandle, String status) {
        return "identity " + agentHandle + " " + status;
    }

    public static String mailboxState(String emailAddress, String displayName, boolean deleted) {
        return "mailbox " + emailAddress + " '" + displayName + "'" + (deleted ? " deleted" : " live");
    }

    public static String phoneNumberState(String number, String type, String status) {
        return "phone number " + number + " " + type + " " + status;
    }

    private static String stateOf(Identity identity) {
        return identityState(identity.agentHandle(), lower(identity.status()));
    }

    /** A channel's state in the model's words, as {@link StreamCheck} compares it with the database. */
    public static String stateOf(Channel channel) {
        if (channel instanceof Mailbox mailbox) {
            return mailboxState(mailbox.emailAddress(), mailbox.displayName(), mailbox.deleted());
        }
        if (channel instanceof PhoneNumber phone) {
            return phoneNumberState(phone.number(), lower(phone.numberType()), lower(phone.status()));
        }
        throw new IllegalStateException("unknown channel " + channel);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
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
