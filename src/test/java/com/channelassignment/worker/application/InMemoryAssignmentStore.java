package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * The store in memory, for fast tests of the use case: the tables of the worker's schema as maps, with their keys and
 * constraints, read and written the way {@code JdbcAssignmentStore} does. {@link #save} is the commit: a save that
 * fails puts every table back as it was, so a failed batch leaves no trace, as a rolled-back transaction does. There
 * are no locks; batches run one at a time, and {@link #beforeNextSave} stands in for another transaction.
 */
public final class InMemoryAssignmentStore implements AssignmentStore {

    /** A row of partition_progress. */
    public record Progress(long nextOffset, String topicId) {
    }

    private record ChannelKey(String organizationId, ChannelType type, UUID id) {

        static ChannelKey of(Channel channel) {
            return new ChannelKey(channel.organizationId(), channel.type(), channel.id());
        }

        static ChannelKey of(ChannelLink link) {
            return new ChannelKey(link.organizationId(), link.type(), link.channelId());
        }
    }

    private record Slot(String organizationId, UUID identityId, ChannelType type) {

        static Slot of(ChannelLink link) {
            return new Slot(link.organizationId(), link.identityId(), link.type());
        }
    }

    private final Map<PartitionRef, Progress> progress = new HashMap<>();
    private final Map<IdentityRef, Versioned<Identity>> identities = new LinkedHashMap<>();
    private final Map<ChannelKey, Versioned<Channel>> channels = new LinkedHashMap<>();
    // Keyed as the link table's primary key (one channel of each type per identity); its unique key (one holder per
    // channel) is checked on insert.
    private final Map<Slot, ChannelLink> links = new LinkedHashMap<>();
    private final Map<RequestKey, ProcessedRequest> processed = new HashMap<>();
    private final Map<ChangeKey, List<ChangeOutcome>> changeOutcomes = new HashMap<>();
    private Map<PartitionRef, Progress> lockedProgress = Map.of();
    private Runnable beforeNextSave = () -> {
    };
    private int saves;

    /** Writes rows straight into the tables at version 0, as the loader of the JDBC tests does. */
    public InMemoryAssignmentStore load(DirectoryRows rows) {
        rows.identities().forEach(identity -> identities.put(refOf(identity), new Versioned<>(identity, 0)));
        rows.channels().forEach(channel -> channels.put(ChannelKey.of(channel), new Versioned<>(channel, 0)));
        rows.links().forEach(this::insertLink);
        return this;
    }

    /** Runs {@code otherTransaction} once, after the next batch has loaded and before it writes. */
    public void beforeNextSave(Runnable otherTransaction) {
        this.beforeNextSave = otherTransaction;
    }

    /** What another worker's committed batch leaves behind: an idempotency record. */
    public void record(ProcessedRequest request) {
        processed.put(request.key(), request);
    }

    /** Deletes idempotency records, as the retention purge does. */
    public void purge(RequestKey... keys) {
        for (RequestKey key : keys) {
            processed.remove(key);
        }
    }

    @Override
    public LoadedBatch lockAndLoad(BatchLookups lookups) {
        // Progress rows are created or reset as LOCK_PARTITIONS does, but only written by save(): a batch that fails
        // before saving rolls them back with everything else.
        Map<PartitionRef, Progress> locked = new HashMap<>();
        for (PartitionRef partition : lookups.partitions()) {
            String topicId = lookups.topicIds().get(partition.topic());
            Progress held = progress.get(partition);
            if (held == null) {
                locked.put(partition, new Progress(0, topicId));
            } else {
                boolean otherTopic = held.topicId() != null && topicId != null && !held.topicId().equals(topicId);
                locked.put(partition, new Progress(otherTopic ? 0 : held.nextOffset(),
                        topicId != null ? topicId : held.topicId()));
            }
        }
        lockedProgress = locked;
        Map<PartitionRef, Long> offsets = new HashMap<>();
        locked.forEach((partition, row) -> offsets.put(partition, row.nextOffset()));

        Map<IdentityRef, Versioned<Identity>> loadedIdentities = new LinkedHashMap<>();
        for (IdentityKey key : lookups.identities()) {
            identities.values().stream()
                    .filter(row -> row.entry().organizationId().equals(key.organizationId())
                            && row.entry().agentHandle().equals(key.agentHandle())
                            && row.entry().status() != IdentityStatus.DELETED)
                    .findFirst().ifPresent(row -> loadedIdentities.put(refOf(row.entry()), row));
        }
        // As LOCK_IDENTITIES_BY_ID: the identities changes name, whatever their status, and the holders of the
        // channels they change.
        Set<IdentityRef> byId = new HashSet<>(lookups.changedIdentities());
        for (ChannelType type : ChannelType.values()) {
            for (ChannelRef channel : lookups.changedChannels(type)) {
                holderOf(new ChannelKey(channel.organizationId(), type, channel.id()))
                        .ifPresent(link -> byId.add(new IdentityRef(link.organizationId(), link.identityId())));
            }
        }
        byId.forEach(ref -> Optional.ofNullable(identities.get(ref))
                .ifPresent(row -> loadedIdentities.put(ref, row)));

        Map<ChannelKey, Versioned<Channel>> loadedChannels = new LinkedHashMap<>();
        for (ChannelType type : ChannelType.values()) {
            for (ChannelRef channel : lookups.channels(type)) {
                ChannelKey key = new ChannelKey(channel.organizationId(), type, channel.id());
                Optional.ofNullable(channels.get(key)).ifPresent(row -> loadedChannels.put(key, row));
            }
        }
        // As LINKS_WITH_CHANNELS: the links of the loaded identities and of the named channels, each with the
        // channel it names.
        Set<ChannelLink> loadedLinks = new HashSet<>();
        for (ChannelLink link : links.values()) {
            boolean ofIdentity = loadedIdentities.containsKey(new IdentityRef(link.organizationId(),
                    link.identityId()));
            boolean ofNamedChannel = lookups.channels(link.type())
                    .contains(new ChannelRef(link.organizationId(), link.channelId()));
            if (ofIdentity || ofNamedChannel) {
                loadedLinks.add(link);
                loadedChannels.putIfAbsent(ChannelKey.of(link), channels.get(ChannelKey.of(link)));
            }
        }

        Map<EntryRef, Long> versions = new HashMap<>();
        loadedIdentities.values().forEach(row -> versions.put(EntryRef.of(row.entry()), row.version()));
        loadedChannels.values().forEach(row -> versions.put(EntryRef.of(row.entry()), row.version()));
        Map<RequestKey, ProcessedRequest> found = new HashMap<>();
        lookups.requestKeys().forEach(key -> Optional.ofNullable(processed.get(key))
                .ifPresent(record -> found.put(key, record)));
        Map<ChangeKey, List<ChangeOutcome>> foundOutcomes = new HashMap<>();
        lookups.changeKeys().forEach(key -> Optional.ofNullable(changeOutcomes.get(key))
                .ifPresent(outcomes -> foundOutcomes.put(key, outcomes)));
        return new LoadedBatch(offsets, new DirectoryRows(
                loadedIdentities.values().stream().map(Versioned::entry).toList(),
                loadedChannels.values().stream().map(Versioned::entry).toList(),
                List.copyOf(loadedLinks), versions), found, foundOutcomes);
    }

    @Override
    public void save(BatchWrites writes) {
        Runnable otherTransaction = beforeNextSave;
        beforeNextSave = () -> {
        };
        otherTransaction.run();
        // The ids and the removed links first, so their failures are those JdbcAssignmentStore raises.
        for (ProcessedRequest request : writes.processedRequests()) {
            if (processed.containsKey(request.key())) {
                throw new ConcurrentRequestException("a request id of this batch was recorded concurrently: "
                        + request.key());
            }
        }
        for (ChangeOutcome outcome : writes.changeOutcomes()) {
            if (changeOutcomes.getOrDefault(outcome.key(), List.of()).stream()
                    .anyMatch(stored -> stored.channelType() == outcome.channelType())) {
                throw new ConcurrentRequestException("a change id of this batch was recorded concurrently: "
                        + outcome.key());
            }
        }
        for (ChannelLink link : writes.removedLinks()) {
            if (!link.equals(links.get(Slot.of(link)))) {
                // As JdbcAssignmentStore: a link read under its identity's lock must still be there.
                throw new IllegalStateException("expected to delete " + link + ", which is not there");
            }
        }

        // The constraints below (live handle, one holder per channel, rows a link names) are checked as the rows are
        // written, as PostgreSQL checks them statement by statement; a violation rolls every table back.
        Tables before = new Tables(this);
        try {
            write(writes);
        } catch (RuntimeException violation) {
            before.restore(this);
            throw violation;
        }
        saves++;
    }

    private void write(BatchWrites writes) {
        Instant at = writes.writtenAt();
        writes.processedRequests().forEach(request -> processed.put(request.key(), new ProcessedRequest(
                request.key(), request.fingerprint(), request.eventId(), request.status(), request.rejectionCode(),
                request.correlationId(), request.payload(), request.position(), at)));
        writes.removedLinks().forEach(link -> links.remove(Slot.of(link)));
        // As UPSERT_IDENTITIES: deletions first, so a handle a deleted identity frees can be taken in the same batch;
        // a row is only replaced by a higher version.
        writes.identityEntries().stream()
                .sorted(Comparator.comparing(entry -> entry.entry().status() != IdentityStatus.DELETED))
                .forEach(this::upsertIdentity);
        writes.channelEntries().forEach(entry -> {
            ChannelKey key = ChannelKey.of(entry.entry());
            Versioned<Channel> held = channels.get(key);
            if (held == null || held.version() < entry.version()) {
                channels.put(key, entry);
            }
        });
        writes.changeOutcomes().forEach(outcome -> changeOutcomes.computeIfAbsent(outcome.key(),
                key -> new ArrayList<>()).add(new ChangeOutcome(outcome.key(), outcome.channelType(),
                outcome.eventId(), outcome.payload(), outcome.position(), at)));
        writes.addedLinks().forEach(this::insertLink);
        // As TOUCH_IDENTITIES: the write's time, not the one the batch computed.
        for (Identity changed : writes.changedIdentities()) {
            Versioned<Identity> held = identities.get(refOf(changed));
            if (held != null) {
                identities.put(refOf(changed), new Versioned<>(held.entry().withUpdatedAt(at), held.version()));
            }
        }
        progress.putAll(lockedProgress);
        // As ADVANCE_PARTITIONS: GREATEST, so progress never goes back.
        writes.nextOffsets().forEach((partition, next) -> progress.computeIfPresent(partition,
                (key, row) -> new Progress(Math.max(row.nextOffset(), next), row.topicId())));
        lockedProgress = Map.of();
    }

    /** A copy of every table, for the rollback of a failed save. */
    private record Tables(Map<PartitionRef, Progress> progress, Map<IdentityRef, Versioned<Identity>> identities,
            Map<ChannelKey, Versioned<Channel>> channels, Map<Slot, ChannelLink> links,
            Map<RequestKey, ProcessedRequest> processed, Map<ChangeKey, List<ChangeOutcome>> changeOutcomes) {

        Tables(InMemoryAssignmentStore store) {
            this(new HashMap<>(store.progress), new LinkedHashMap<>(store.identities),
                    new LinkedHashMap<>(store.channels), new LinkedHashMap<>(store.links),
                    new HashMap<>(store.processed), copyOf(store.changeOutcomes));
        }

        void restore(InMemoryAssignmentStore store) {
            replace(store.progress, progress);
            replace(store.identities, identities);
            replace(store.channels, channels);
            replace(store.links, links);
            replace(store.processed, processed);
            replace(store.changeOutcomes, copyOf(changeOutcomes));
        }

        // The lists of change outcomes are appended to in place, so they are copied too.
        private static Map<ChangeKey, List<ChangeOutcome>> copyOf(Map<ChangeKey, List<ChangeOutcome>> outcomes) {
            Map<ChangeKey, List<ChangeOutcome>> copy = new HashMap<>();
            outcomes.forEach((key, list) -> copy.put(key, new ArrayList<>(list)));
            return copy;
        }

        private static <K, V> void replace(Map<K, V> table, Map<K, V> rows) {
            table.clear();
            table.putAll(rows);
        }
    }

    /** How many batches were written; a save that failed wrote none. */
    public int saves() {
        return saves;
    }

    public Set<ChannelLink> links() {
        return Set.copyOf(links.values());
    }

    public Optional<ChannelLink> linkOf(Identity identity, ChannelType type) {
        return Optional.ofNullable(links.get(new Slot(identity.organizationId(), identity.id(), type)));
    }

    public Optional<Identity> identity(String organizationId, UUID id) {
        return Optional.ofNullable(identities.get(new IdentityRef(organizationId, id))).map(Versioned::entry);
    }

    public Optional<Channel> channel(String organizationId, ChannelType type, UUID id) {
        return Optional.ofNullable(channels.get(new ChannelKey(organizationId, type, id))).map(Versioned::entry);
    }

    public OptionalLong versionOf(EntryRef entry) {
        Versioned<?> row = entry.kind() == EntryRef.Kind.IDENTITY
                ? identities.get(new IdentityRef(entry.organizationId(), entry.id()))
                : channels.get(new ChannelKey(entry.organizationId(), entry.channelType(), entry.id()));
        return row == null ? OptionalLong.empty() : OptionalLong.of(row.version());
    }

    public Optional<ProcessedRequest> processedRequest(RequestKey key) {
        return Optional.ofNullable(processed.get(key));
    }

    public int processedRequestCount() {
        return processed.size();
    }

    public List<ChangeOutcome> changeOutcomes(ChangeKey key) {
        return List.copyOf(changeOutcomes.getOrDefault(key, List.of()));
    }

    public Optional<Progress> progress(PartitionRef partition) {
        return Optional.ofNullable(progress.get(partition));
    }

    private void upsertIdentity(Versioned<Identity> entry) {
        Identity identity = entry.entry();
        Versioned<Identity> held = identities.get(refOf(identity));
        if (held != null && held.version() >= entry.version()) {
            return;
        }
        if (identity.status() != IdentityStatus.DELETED) {
            // The live-handle index: one live identity per handle in an organization.
            identities.values().stream().map(Versioned::entry)
                    .filter(other -> other.status() != IdentityStatus.DELETED && !other.id().equals(identity.id())
                            && other.organizationId().equals(identity.organizationId())
                            && other.agentHandle().equals(identity.agentHandle()))
                    .findFirst().ifPresent(other -> {
                        throw new IllegalStateException("identities_live_handle: " + identity.agentHandle()
                                + " already names " + other.id());
                    });
        }
        identities.put(refOf(identity), entry);
    }

    private void insertLink(ChannelLink link) {
        ChannelLink bySlot = links.get(Slot.of(link));
        Optional<ChannelLink> byChannel = holderOf(ChannelKey.of(link));
        if ((bySlot != null && !bySlot.equals(link)) || byChannel.filter(held -> !held.equals(link)).isPresent()) {
            // The link table's primary and unique keys.
            throw new IllegalStateException(link + " conflicts with " + Objects.requireNonNullElse(bySlot,
                    byChannel.orElse(null)));
        }
        if (!identities.containsKey(new IdentityRef(link.organizationId(), link.identityId()))
                || !channels.containsKey(ChannelKey.of(link))) {
            throw new IllegalStateException(link + " names a row that is not there");
        }
        links.put(Slot.of(link), link);
    }

    private Optional<ChannelLink> holderOf(ChannelKey channel) {
        return links.values().stream().filter(link -> ChannelKey.of(link).equals(channel)).findFirst();
    }

    private static IdentityRef refOf(Identity identity) {
        return new IdentityRef(identity.organizationId(), identity.id());
    }
}
