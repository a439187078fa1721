package com.channelassignment.worker.testing.model;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.Versioned;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.domain.ChangeResult;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.domain.EntryRef;
import com.channelassignment.worker.jdbc.StoredChannels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.springframework.jdbc.core.JdbcOperations;

/**
 * What a test sent to the worker and what came back: deliveries per request id against committed outcomes per request
 * id, undecodable records against dead letters, and the database against a {@link ReferenceModel}. Shared by the
 * throughput benchmark and the fault suite, so both hold the worker to the same definition of exactly once.
 *
 * <p>Record a send before producing it, and produce in the order of the calls: the model is applied in that order.
 *
 * <p>A directory change is answered only through the links it ends: one {@code UNASSIGNED} outcome per ended link,
 * with the change's {@code change_id} as its request id, on every delivery of that change id. A change that ends no
 * link owes nothing, and any outcome for it counts as an outcome for an unsent request.
 *
 * <p>A dead letter is matched to its garbage record by value or, when it carries no value (a record too large to
 * dead-letter whole), by its {@value #ORIGINAL_SHA256_HEADER} and {@value #ORIGINAL_SIZE_HEADER} headers.
 */
public final class StreamCheck {

    private static final String STORED_LINKS = """
            SELECT identity_id, organization_id, channel_type, channel_id FROM channel_assignments
            """;

    private static final String STORED_IDENTITIES = """
            SELECT organization_id, id, agent_handle, status, version FROM identities
            """;

    /** Lowercase hex SHA-256 of the dead-lettered record's original value. */
    public static final String ORIGINAL_SHA256_HEADER = "dlt-original-value-sha256";
    /** The original value's size in bytes, as decimal text. */
    public static final String ORIGINAL_SIZE_HEADER = "dlt-original-value-size";

    private final ReferenceModel model;
    private final Map<String, Integer> sends = new ConcurrentHashMap<>();
    private final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    // Dead letters owed per garbage value: one per delivery of it.
    private final Map<String, Integer> garbage = new ConcurrentHashMap<>();
    private final Map<String, String> garbageBySha256 = new ConcurrentHashMap<>();
    private final Map<String, Integer> deadLetters = new ConcurrentHashMap<>();
    private final AtomicInteger deadLetteredByReference = new AtomicInteger();
    private final AtomicInteger deliveries = new AtomicInteger();
    private final AtomicInteger answeredDeliveries = new AtomicInteger();
    private final AtomicInteger outcomesSeen = new AtomicInteger();
    private final AtomicInteger garbageSent = new AtomicInteger();
    private final AtomicInteger garbageDeadLettered = new AtomicInteger();
    // Deliveries of requests that cannot be recorded (no usable organization or request_id): they are answered again
    // whenever they are delivered again.
    private final List<AssignmentRequest> unrecordableDeliveries = new ArrayList<>();
    // Per change id, the links its first delivery ended: each delivery of that id owes that many outcomes.
    private final Map<String, Integer> linksEndedByChange = new HashMap<>();
    private final Map<String, Integer> changeOutcomesOwed = new ConcurrentHashMap<>();
    private final AtomicInteger changeDeliveries = new AtomicInteger();
    private final AtomicInteger changeOutcomesOwedTotal = new AtomicInteger();
    private final AtomicInteger changeOutcomesAnswered = new AtomicInteger();

    public StreamCheck(DirectoryRows directory) {
        this.model = new ReferenceModel(directory);
    }

    /**
     * One delivery of {@code request}: the model applies it, and one more outcome is owed for its request id. Returns
     * the model's decision, or empty for a replay or an unrecordable request.
     */
    public synchronized Optional<Decision> sent(AssignmentRequest request) {
        Optional<Decision> decision = model.apply(request);
        if (!AssignmentRules.isRecordable(request)) {
            unrecordableDeliveries.add(request);
        }
        int owed = sends.merge(request.requestId(), 1, Integer::sum);
        deliveries.incrementAndGet();
        if (outcomes.getOrDefault(request.requestId(), 0) >= owed) {
            // An outcome counted as a duplicate of an earlier delivery now answers this one.
            answeredDeliveries.incrementAndGet();
        }
        return decision;
    }

    /**
     * One delivery of a directory change: the model applies it (a repeated change id is the same change, already
     * applied), and one outcome is owed for each link its first delivery ended. Fails for a change the worker would
     * refuse and dead-letter: a stream must not send one unless it expects that dead letter.
     */
    public synchronized ChangeResult sent(DirectoryChange change) {
        String changeId = change.changeId();
        if (sends.containsKey(changeId)) {
            throw new IllegalArgumentException("change id " + changeId + " is also a request id");
        }
        ChangeResult result = null;
        Integer ended = linksEndedByChange.get(changeId);
        if (ended == null) {
            result = model.apply(change);
            if (result instanceof ChangeResult.Refused refused) {
                throw new IllegalArgumentException("the worker would refuse change " + changeId + ": "
                        + refused.reason());
            }
            ended = result instanceof ChangeResult.Applied applied ? applied.releasedLinks().size() : 0;
            linksEndedByChange.put(changeId, ended);
        }
        changeDeliveries.incrementAndGet();
        if (ended > 0) {
            int owedBefore = changeOutcomesOwed.getOrDefault(changeId, 0);
            changeOutcomesOwed.put(changeId, owedBefore + ended);
            changeOutcomesOwedTotal.addAndGet(ended);
            // Outcomes counted as duplicates of earlier deliveries now answer this one.
            int surplus = outcomes.getOrDefault(changeId, 0) - owedBefore;
            changeOutcomesAnswered.addAndGet(Math.max(0, Math.min(surplus, ended)));
        }
        return result;
    }

    /** A record that is not a request at all; exactly one dead letter is owed for it. Values must be unique. */
    public synchronized void sentGarbage(byte[] value) {
        if (garbage.merge(text(value), 1, Integer::sum) > 1) {
            throw new IllegalArgumentException("garbage values must be unique to be counted: " + text(value));
        }
        garbageBySha256.put(sha256(value), text(value));
        garbageSent.incrementAndGet();
    }

    /**
     * Every garbage record sent so far was delivered once more (the group's offsets went back): one more dead letter
     * is owed for each, since an undecodable record has no idempotency record to stop it.
     */
    public synchronized void garbageRedelivered() {
        for (Map.Entry<String, Integer> owed : garbage.entrySet()) {
            owed.setValue(owed.getValue() + 1);
            garbageSent.incrementAndGet();
            if (deadLetters.getOrDefault(owed.getKey(), 0) >= owed.getValue()) {
                garbageDeadLettered.incrementAndGet();
            }
        }
    }

    /**
     * Every request sent so far was delivered once more (the group's offsets went back): one more outcome is owed for
     * each delivery of a request that cannot be recorded, since no idempotency record stops it. Recorded ones owe
     * nothing more: they are replayed or, once purged, skipped.
     */
    public synchronized void unrecordableRedelivered() {
        List.copyOf(unrecordableDeliveries).forEach(this::sent);
    }

    /** How many committed outcomes {@code requestId} has so far. */
    public int outcomesFor(String requestId) {
        return outcomes.getOrDefault(requestId, 0);
    }

    /** A committed outcome for {@code requestId}; returns how many that request id has now. */
    public synchronized int outcome(String requestId) {
        int count = outcomes.merge(requestId, 1, Integer::sum);
        outcomesSeen.incrementAndGet();
        if (count <= sends.getOrDefault(requestId, 0)) {
            answeredDeliveries.incrementAndGet();
        } else if (count <= changeOutcomesOwed.getOrDefault(requestId, 0)) {
            changeOutcomesAnswered.incrementAndGet();
        }
        return count;
    }

    /** A committed record on the dead-letter topic, by its value. */
    public void deadLetter(byte[] value) {
        deadLetter(value, null, null);
    }

    /**
     * A committed record on the dead-letter topic: by its value when it has one, otherwise by the reference headers.
     * Headers that contradict the value, or a reference to nothing sent, count as a dead letter that is not garbage.
     */
    public synchronized void deadLetter(byte[] value, String originalSize, String originalSha256) {
        String key;
        if (value != null) {
            boolean consistent = originalSha256 == null || originalSha256.equals(sha256(value));
            key = consistent ? text(value) : "value not matching its " + ORIGINAL_SHA256_HEADER + " " + originalSha256;
        } else {
            String referenced = originalSha256 == null ? null : garbageBySha256.get(originalSha256);
            boolean sizeMatches = referenced != null && originalSize != null
                    && originalSize.equals(Integer.toString(referenced.length()));
            key = sizeMatches ? referenced : "reference to nothing sent: sha256 %s, size %s"
                    .formatted(originalSha256, originalSize);
            if (sizeMatches) {
                deadLetteredByReference.incrementAndGet();
            }
        }
        int got = deadLetters.merge(key, 1, Integer::sum);
        if (got <= garbage.getOrDefault(key, 0)) {
            garbageDeadLettered.incrementAndGet();
        }
    }

    public int deliveries() {
        return deliveries.get();
    }

    public int outcomesSeen() {
        return outcomesSeen.get();
    }

    /**
     * Whether every delivery has its outcome, every link a change ended its outcome, and every garbage record its dead
     * letter (duplicates aside).
     */
    public boolean drained() {
        return answeredDeliveries.get() >= deliveries.get()
                && changeOutcomesAnswered.get() >= changeOutcomesOwedTotal.get()
                && garbageDeadLettered.get() >= garbageSent.get();
    }

    /** Waits until {@link #drained()}; on timeout fails with the counts and {@code context} (e.g. who is running). */
    public void awaitDrained(Duration timeout, Supplier<String> context) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!drained()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(("not drained after %s: %d of %d deliveries answered, %d of %d outcomes of "
                        + "links ended by directory changes, %d of %d garbage records dead-lettered; %s").formatted(
                        timeout, answeredDeliveries.get(), deliveries.get(), changeOutcomesAnswered.get(),
                        changeOutcomesOwedTotal.get(), garbageDeadLettered.get(), garbageSent.get(), context.get()));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the stream to drain", e);
            }
        }
    }

    /**
     * Counts now, and the database against the model: its links ({@code channel_assignments}) and its directory
     * (every identity, mailbox and phone number, with the version of each entry a directory change set).
     */
    public Verdict verdict(JdbcOperations jdbc) {
        Set<ChannelLink> links = storedLinks(jdbc);
        Map<EntryRef, StoredEntry> directory = new HashMap<>();
        jdbc.query(STORED_IDENTITIES, rs -> {
            directory.put(new EntryRef(rs.getString(1), EntryRef.Kind.IDENTITY, rs.getObject(2, UUID.class)),
                    new StoredEntry(ReferenceModel.identityState(rs.getString(3), rs.getString(4)), rs.getLong(5)));
        });
        for (Versioned<Channel> channel : StoredChannels.all(jdbc)) {
            directory.put(EntryRef.of(channel.entry()),
                    new StoredEntry(ReferenceModel.stateOf(channel.entry()), channel.version()));
        }
        return verdict(links, directory);
    }

    /** The links the database holds ({@code channel_assignments}), a table every release of the schema has. */
    public static Set<ChannelLink> storedLinks(JdbcOperations jdbc) {
        return new HashSet<>(jdbc.query(STORED_LINKS,
                (rs, row) -> new ChannelLink(rs.getObject(1, UUID.class), rs.getString(2),
                        ChannelType.valueOf(rs.getString(3)), rs.getObject(4, UUID.class))));
    }

    /** An identity or channel as the database holds it: its state in {@link ReferenceModel}'s words, its version. */
    public record StoredEntry(String state, long version) {
    }

    /** Counts now, and {@code stored} links against the model's; the directory taken to be as the model has it. */
    public synchronized Verdict verdict(Set<ChannelLink> stored) {
        Map<EntryRef, StoredEntry> asModelled = new HashMap<>();
        Map<EntryRef, Long> versions = model.changedVersions();
        model.directoryEntries().forEach((entry, state) -> asModelled.put(entry,
                new StoredEntry(state, versions.getOrDefault(entry, 0L))));
        return verdict(stored, asModelled);
    }

    /** Counts now, and {@code stored} links and directory entries against the model's. */
    public synchronized Verdict verdict(Set<ChannelLink> stored, Map<EntryRef, StoredEntry> storedDirectory) {
        Set<ChannelLink> expected = model.links();
        int exact = 0;
        int withoutOutcome = 0;
        int missingSome = 0;
        int withDuplicates = 0;
        int duplicateOutcomes = 0;
        for (Map.Entry<String, Integer> send : sends.entrySet()) {
            int got = outcomes.getOrDefault(send.getKey(), 0);
            int owed = send.getValue();
            if (got == owed) {
                exact++;
            }
            if (got == 0) {
                withoutOutcome++;
            }
            if (got < owed) {
                missingSome++;
            }
            if (got > owed) {
                withDuplicates++;
                duplicateOutcomes += got - owed;
            }
        }
        int changeOutcomesMissing = 0;
        int changeOutcomesExact = 0;
        for (Map.Entry<String, Integer> owedByChange : changeOutcomesOwed.entrySet()) {
            int got = outcomes.getOrDefault(owedByChange.getKey(), 0);
            int owed = owedByChange.getValue();
            changeOutcomesMissing += Math.max(0, owed - got);
            duplicateOutcomes += Math.max(0, got - owed);
            if (got == owed) {
                changeOutcomesExact++;
            }
        }
        int unsolicited = outcomes.entrySet().stream()
                .filter(entry -> !sends.containsKey(entry.getKey()) && !changeOutcomesOwed.containsKey(entry.getKey()))
                .mapToInt(Map.Entry::getValue).sum();
        int deadLettersNotGarbage = deadLetters.entrySet().stream()
                .filter(entry -> !garbage.containsKey(entry.getKey())).mapToInt(Map.Entry::getValue).sum();
        int repeatedDeadLetters = deadLetters.entrySet().stream()
                .filter(entry -> garbage.containsKey(entry.getKey()))
                .mapToInt(entry -> Math.max(0, entry.getValue() - garbage.get(entry.getKey()))).sum();
        int directoryEntriesDiffering = directoryEntriesDiffering(storedDirectory);
        return new Verdict(deliveries.get(), sends.size(), exact, withoutOutcome, missingSome, withDuplicates,
                duplicateOutcomes, unsolicited, expected.size(), stored.size(),
                stored.equals(expected) && directoryEntriesDiffering == 0,
                garbageSent.get(), deadLetters.values().stream().mapToInt(Integer::intValue).sum(),
                garbageSent.get() - garbageDeadLettered.get(), deadLettersNotGarbage + repeatedDeadLetters,
                deadLetteredByReference.get(), changeDeliveries.get(), changeOutcomesOwed.size(), changeOutcomesExact,
                changeOutcomesOwedTotal.get(), changeOutcomesMissing, model.changedVersions().size(),
                storedDirectory.size(), directoryEntriesDiffering);
    }

    /**
     * Entries missing on either side, or whose state differs, or (for entries a change set) whose version differs.
     * Entries no change touched keep whatever version the loader gave them, which the model does not know.
     */
    private int directoryEntriesDiffering(Map<EntryRef, StoredEntry> stored) {
        Map<EntryRef, String> expected = model.directoryEntries();
        Map<EntryRef, Long> versions = model.changedVersions();
        int differing = 0;
        for (Map.Entry<EntryRef, String> entry : expected.entrySet()) {
            StoredEntry held = stored.get(entry.getKey());
            Long version = versions.get(entry.getKey());
            if (held == null || !held.state().equals(entry.getValue())
                    || (version != null && held.version() != version)) {
                differing++;
            }
        }
        differing += (int) stored.keySet().stream().filter(entry -> !expected.containsKey(entry)).count();
        return differing;
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.ISO_8859_1);
    }

    /** Lowercase hex, as the worker writes {@value #ORIGINAL_SHA256_HEADER}. */
    public static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * The end-of-stream figures. {@code verified()} is the whole guarantee: every delivery answered exactly once in
     * committed outcomes, every link a directory change ended answered once per delivery of the change, the database
     * (links and directory) equal to the model, and exactly the garbage dead-lettered. {@code duplicateOutcomes}
     * counts the surplus of requests and changes alike.
     */
    public record Verdict(int deliveries, int distinctRequests, int requestsWithExactlyOneOutcomePerDelivery,
            int requestsWithoutOutcome, int requestsMissingAnOutcome, int requestsWithDuplicateOutcomes,
            int duplicateOutcomes, int outcomesForUnsentRequests, int linksExpected, int linksStored,
            boolean databaseMatchesModel, int garbageSent, int deadLettered, int garbageNotDeadLettered,
            int unexpectedDeadLetters, int deadLetteredByReference, int directoryChangeDeliveries,
            int changesEndingLinks, int changesWithExactlyTheirOutcomes, int changeOutcomesOwed,
            int changeOutcomesMissing, int directoryEntriesChanged, int directoryEntriesStored,
            int directoryEntriesDiffering) {

        public boolean verified() {
            return requestsWithExactlyOneOutcomePerDelivery == distinctRequests && requestsWithoutOutcome == 0
                    && requestsMissingAnOutcome == 0 && duplicateOutcomes == 0 && outcomesForUnsentRequests == 0
                    && changesWithExactlyTheirOutcomes == changesEndingLinks && changeOutcomesMissing == 0
                    && databaseMatchesModel && garbageNotDeadLettered == 0 && unexpectedDeadLetters == 0;
        }

        /** Named figures in reading order, for a table and a machine-readable line. */
        public Map<String, Object> figures() {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("deliveries", deliveries);
            figures.put("distinct_requests", distinctRequests);
            figures.put("requests_with_exactly_one_outcome_per_delivery", requestsWithExactlyOneOutcomePerDelivery);
            figures.put("requests_without_outcome", requestsWithoutOutcome);
            figures.put("requests_missing_an_outcome", requestsMissingAnOutcome);
            figures.put("requests_with_duplicate_outcomes", requestsWithDuplicateOutcomes);
            figures.put("duplicate_outcomes", duplicateOutcomes);
            figures.put("outcomes_for_unsent_requests", outcomesForUnsentRequests);
            figures.put("links_expected", linksExpected);
            figures.put("links_stored", linksStored);
            figures.put("directory_change_deliveries", directoryChangeDeliveries);
            figures.put("changes_ending_links", changesEndingLinks);
            figures.put("changes_with_exactly_one_outcome_per_ended_link_per_delivery",
                    changesWithExactlyTheirOutcomes);
            figures.put("change_outcomes_owed", changeOutcomesOwed);
            figures.put("change_outcomes_missing", changeOutcomesMissing);
            figures.put("directory_entries_changed", directoryEntriesChanged);
            figures.put("directory_entries_stored", directoryEntriesStored);
            figures.put("directory_entries_differing_from_model", directoryEntriesDiffering);
            figures.put("database_matches_reference_model", databaseMatchesModel);
            figures.put("garbage_sent", garbageSent);
            figures.put("dead_lettered", deadLettered);
            figures.put("garbage_not_dead_lettered", garbageNotDeadLettered);
            figures.put("unexpected_dead_letters", unexpectedDeadLetters);
            figures.put("dead_lettered_by_reference", deadLetteredByReference);
            figures.put("verified", verified());
            return figures;
        }
    }
}
