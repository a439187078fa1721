package com.channelassignment.worker.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * The directory in memory: identities, channels and the links between them, changed request by request so each
 * request is decided against the effects of the ones before it. It keeps what the database's constraints keep (an
 * identity holds one channel of each type, a channel has one holder, both of one organization) and knows which links
 * it gained and lost since it was built. The worker builds one per batch; tests and reference models use it too.
 *
 * <p>Everything is keyed by organization first: ids name identities and channels only within their organization.
 */
public final class DirectorySnapshot implements Directory {

    private record IdentityRef(String organizationId, UUID id) {
    }

    private record HandleKey(String organizationId, String agentHandle) {
    }

    private record ChannelKey(String organizationId, ChannelType type, UUID id) {
    }

    private record Slot(String organizationId, UUID identityId, ChannelType type) {
    }

    /** Read once: values() copies the array on every call, and every outcome's detail goes over the types. */
    private static final ChannelType[] CHANNEL_TYPES = ChannelType.values();

    private final Map<IdentityRef, Identity> identities = new HashMap<>();
    private final Map<HandleKey, Identity> liveIdentitiesByHandle = new HashMap<>();
    private final Map<ChannelKey, Channel> channels = new HashMap<>();
    private final Map<ChannelKey, ChannelLink> linksByChannel = new HashMap<>();
    private final Map<Slot, ChannelLink> linksBySlot = new HashMap<>();
    private final Set<ChannelLink> initialLinks = new HashSet<>();
    private final Map<IdentityRef, Identity> changedIdentities = new LinkedHashMap<>();
    private final Map<EntryRef, Long> versions = new HashMap<>();
    private final Map<EntryRef, Long> changedEntries = new LinkedHashMap<>();

    public DirectorySnapshot() {
    }

    public DirectorySnapshot(Collection<Identity> identities, Collection<Channel> channels,
            Collection<ChannelLink> links) {
        identities.forEach(this::with);
        channels.forEach(this::with);
        links.forEach(this::withLink);
    }

    /** Adds or replaces the identity; a deleted one keeps its id but no longer answers to its handle. */
    public DirectorySnapshot with(Identity identity) {
        IdentityRef ref = refOf(identity);
        Identity previous = identities.put(ref, identity);
        if (previous != null && !previous.agentHandle().equals(identity.agentHandle())) {
            HandleKey previousHandle = new HandleKey(previous.organizationId(), previous.agentHandle());
            if (isIdentity(liveIdentitiesByHandle.get(previousHandle), ref)) {
                liveIdentitiesByHandle.remove(previousHandle);
            }
        }
        HandleKey handle = new HandleKey(identity.organizationId(), identity.agentHandle());
        if (identity.status() != IdentityStatus.DELETED) {
            liveIdentitiesByHandle.put(handle, identity);
        } else if (isIdentity(liveIdentitiesByHandle.get(handle), ref)) {
            liveIdentitiesByHandle.remove(handle);
        }
        return this;
    }

    public DirectorySnapshot with(Channel channel) {
        channels.put(keyOf(channel), channel);
        return this;
    }

    /** Adds both, if not there yet, with a link that was there from the start. */
    public DirectorySnapshot withLink(Identity identity, Channel channel) {
        with(identity).with(channel);
        ChannelLink link = linkOf(identity, channel);
        putLink(link);
        initialLinks.add(link);
        return this;
    }

    /** Records the version the directory holds of an entry, as loaded. */
    public DirectorySnapshot withVersion(EntryRef entry, long version) {
        versions.put(entry, version);
        return this;
    }

    /** The version held of the entry; empty for an entry no change or load has given a version. */
    public OptionalLong versionOf(EntryRef entry) {
        Long version = versions.get(entry);
        return version == null ? OptionalLong.empty() : OptionalLong.of(version);
    }

    /**
     * Applies a directory change by {@link DirectoryChangeRules}: an applied change becomes its entry's state and
     * version, and the links it ends are removed; the holder of a channel that lost its link was changed then.
     */
    public ChangeResult apply(DirectoryChange change) {
        ChangeResult result = DirectoryChangeRules.decide(change, versionOf(change.entry()), this);
        if (!(result instanceof ChangeResult.Applied applied)) {
            return result;
        }
        for (ChannelLink link : applied.releasedLinks()) {
            linksBySlot.remove(slotOf(link));
            linksByChannel.remove(new ChannelKey(link.organizationId(), link.type(), link.channelId()));
            Identity holder = identities.get(new IdentityRef(link.organizationId(), link.identityId()));
            if (holder == null) {
                throw new IllegalStateException("the holder of " + link + " is not in the snapshot");
            }
            touch(holder, change.changedAt());
        }
        if (change instanceof IdentityChange identityChange) {
            Identity identity = identityChange.identity();
            Identity held = identities.get(refOf(identity));
            // Links changed by requests move updated_at too; the later of the two times stands.
            if (held != null && held.updatedAt().isAfter(identity.updatedAt())
                    && identity.status() != IdentityStatus.DELETED) {
                identity = identity.withUpdatedAt(held.updatedAt());
            }
            with(identity);
            changedIdentities.remove(refOf(identity));
        } else if (change instanceof ChannelChange channelChange) {
            with(channelChange.channel());
        } else {
            throw new IllegalStateException("unknown directory change " + change);
        }
        versions.put(change.entry(), change.version());
        changedEntries.put(change.entry(), change.version());
        return result;
    }

    /** Entries that directory changes replaced, as they stand now, with their versions. */
    public List<Versioned<Identity>> changedIdentityEntries() {
        return changedEntries.entrySet().stream().filter(entry -> entry.getKey().kind() == EntryRef.Kind.IDENTITY)
                .map(entry -> new Versioned<>(identities.get(new IdentityRef(entry.getKey().organizationId(),
                        entry.getKey().id())), entry.getValue()))
                .toList();
    }

    /** Channels that directory changes replaced, as they stand now, with their versions. */
    public List<Versioned<Channel>> changedChannelEntries() {
        List<Versioned<Channel>> changed = new ArrayList<>();
        for (Map.Entry<EntryRef, Long> entry : changedEntries.entrySet()) {
            if (entry.getKey().kind() == EntryRef.Kind.IDENTITY) {
                continue;
            }
            EntryRef ref = entry.getKey();
            Channel channel = channels.get(new ChannelKey(ref.organizationId(), ref.channelType(), ref.id()));
            changed.add(new Versioned<>(channel, entry.getValue()));
        }
        return changed;
    }

    /** The identity with this id in this organization, whatever its status. */
    public Optional<Identity> identityById(String organizationId, UUID id) {
        return Optional.ofNullable(identities.get(new IdentityRef(organizationId, id)));
    }

    private void withLink(ChannelLink link) {
        putLink(link);
        initialLinks.add(link);
    }

    @Override
    public Optional<Identity> findIdentity(String organizationId, String agentHandle) {
        return Optional.ofNullable(liveIdentitiesByHandle.get(new HandleKey(organizationId, agentHandle)));
    }

    @Override
    public Optional<Channel> findChannel(String organizationId, ChannelType type, UUID channelId) {
        return Optional.ofNullable(channels.get(new ChannelKey(organizationId, type, channelId)));
    }

    @Override
    public Optional<UUID> holderOf(String organizationId, ChannelType type, UUID channelId) {
        return Optional.ofNullable(linksByChannel.get(new ChannelKey(organizationId, type, channelId)))
                .map(ChannelLink::identityId);
    }

    @Override
    public Optional<UUID> channelHeldBy(Identity identity, ChannelType type) {
        return Optional.ofNullable(linksBySlot.get(slotOf(identity, type))).map(ChannelLink::channelId);
    }

    /** Links the channel to the identity, which was last changed {@code at}. */
    public void link(Identity identity, Channel channel, Instant at) {
        putLink(linkOf(identity, channel));
        touch(identity, at);
    }

    /** Releases the identity's channel of that type, if it holds one; the identity was last changed {@code at}. */
    public void unlink(Identity identity, ChannelType type, Instant at) {
        ChannelLink removed = linksBySlot.remove(slotOf(identity, type));
        if (removed != null) {
            linksByChannel.remove(new ChannelKey(removed.organizationId(), type, removed.channelId()));
            touch(identity, at);
        }
    }

    /** The identity as it stands now, with the channels it holds. */
    public IdentityDetail detailOf(Identity identity) {
        Identity current = identities.getOrDefault(refOf(identity), identity);
        List<Channel> held = new ArrayList<>(CHANNEL_TYPES.length);
        for (ChannelType type : CHANNEL_TYPES) {
            Channel channel = heldChannel(current, type);
            if (channel != null) {
                held.add(channel);
            }
        }
        return new IdentityDetail(current, held);
    }

    /** Every link as it stands now. */
    public Set<ChannelLink> links() {
        return new HashSet<>(linksBySlot.values());
    }

    /** Links present at the start and gone now. A link removed and added again is in neither set. */
    public Set<ChannelLink> removedLinks() {
        // A link is present exactly when its slot holds it. Asked per initial link, so no set of every link is built
        // and hashed: this runs once per batch over all the batch's links.
        Set<ChannelLink> removed = new HashSet<>();
        for (ChannelLink link : initialLinks) {
            if (!link.equals(linksBySlot.get(slotOf(link)))) {
                removed.add(link);
            }
        }
        return removed;
    }

    public Set<ChannelLink> addedLinks() {
        Set<ChannelLink> added = new HashSet<>();
        for (ChannelLink link : linksBySlot.values()) {
            if (!initialLinks.contains(link)) {
                added.add(link);
            }
        }
        return added;
    }

    /** Identities whose links changed, as they stand now. */
    public List<Identity> changedIdentities() {
        return List.copyOf(changedIdentities.values());
    }

    private Channel heldChannel(Identity identity, ChannelType type) {
        ChannelLink link = linksBySlot.get(slotOf(identity, type));
        if (link == null) {
            return null;
        }
        Channel channel = channels.get(new ChannelKey(link.organizationId(), type, link.channelId()));
        if (channel == null) {
            throw new IllegalStateException("held " + type + " " + link.channelId() + " is not in the snapshot");
        }
        return channel;
    }

    private void putLink(ChannelLink link) {
        Slot slot = slotOf(link);
        ChannelKey channel = new ChannelKey(link.organizationId(), link.type(), link.channelId());
        ChannelLink heldBySlot = linksBySlot.get(slot);
        ChannelLink heldByChannel = linksByChannel.get(channel);
        if ((heldBySlot != null && !heldBySlot.equals(link)) || (heldByChannel != null && !heldByChannel.equals(link))) {
            // The link table's keys refuse this too; deciding on top of it would break the one-holder rule.
            throw new IllegalStateException("an identity holds one channel of each type and a channel one holder: "
                    + link + " conflicts with " + (heldBySlot != null ? heldBySlot : heldByChannel));
        }
        linksBySlot.put(slot, link);
        linksByChannel.put(channel, link);
    }

    private void touch(Identity identity, Instant at) {
        IdentityRef ref = refOf(identity);
        Identity touched = identities.getOrDefault(ref, identity).withUpdatedAt(at);
        with(touched);
        changedIdentities.put(ref, touched);
    }

    /** Whether {@code found} (null when nothing was) is the identity {@code ref} names. */
    private static boolean isIdentity(Identity found, IdentityRef ref) {
        return found != null && refOf(found).equals(ref);
    }

    private static ChannelLink linkOf(Identity identity, Channel channel) {
        if (!identity.organizationId().equals(channel.organizationId())) {
            throw new IllegalStateException("a link never crosses organizations");
        }
        return new ChannelLink(identity.id(), identity.organizationId(), channel.type(), channel.id());
    }

    private static IdentityRef refOf(Identity identity) {
        return new IdentityRef(identity.organizationId(), identity.id());
    }

    private static ChannelKey keyOf(Channel channel) {
        return new ChannelKey(channel.organizationId(), channel.type(), channel.id());
    }

    private static Slot slotOf(Identity identity, ChannelType type) {
        return new Slot(identity.organizationId(), identity.id(), type);
    }

    private static Slot slotOf(ChannelLink link) {
        return new Slot(link.organizationId(), link.identityId(), link.type());
    }
}
