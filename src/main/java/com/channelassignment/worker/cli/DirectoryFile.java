package com.channelassignment.worker.cli;

import com.channelassignment.worker.domain.AgentHandles;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.DirectoryChange;
import com.channelassignment.worker.kafka.avro.IdentityLifecycle;
import com.channelassignment.worker.kafka.avro.IdentityState;
import com.channelassignment.worker.kafka.avro.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A directory file (docs/directory-file.md) turned into what the worker is sent for it: one directory change per
 * identity, mailbox and phone number, and one ASSIGN request per assignment. Everything is checked before anything
 * is sent, with the worker's own rules, so a file is sent whole or not at all.
 */
record DirectoryFile(List<DirectoryChange> changes, List<ChannelAssignmentRequest> assignments) {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Set<String> SECTIONS = union(CliChannel.ofEveryType().stream().map(CliChannel::section)
            .collect(Collectors.toSet()), "identities", "assignments");
    private static final Set<String> ENTRY_FIELDS = Set.of("id", "organization_id", "created_at", "updated_at",
            "version");
    private static final Set<String> IDENTITY_FIELDS = union(ENTRY_FIELDS, "agent_handle", "status");
    private static final Set<String> ASSIGNMENT_FIELDS = Set.of("identity_id", "channel_type", "channel_id");

    /** A file that cannot be loaded: nothing of it was sent. The message names the entry and field at fault. */
    static final class InvalidDirectoryFileException extends RuntimeException {

        InvalidDirectoryFileException(String message) {
            super(message);
        }
    }

    int count(Class<?> entryType) {
        return (int) changes.stream().filter(change -> entryType.isInstance(change.getEntry())).count();
    }

    /**
     * Reads the file. Entries without a {@code version} get {@code loadVersion}; entries without timestamps get
     * {@code now}. Each change and request gets a random id; the requests carry {@code loadId} as correlation id.
     */
    static DirectoryFile read(InputStream json, Instant now, long loadVersion, String loadId) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidDirectoryFileException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidDirectoryFileException("the file must hold one JSON object");
        }
        unknownFields("the file", root, SECTIONS);
        Reader reader = new Reader(now, loadVersion, loadId);
        for (Entry entry : entries(root, "identities", IDENTITY_FIELDS)) {
            reader.identity(entry);
        }
        for (CliChannel channel : CliChannel.ofEveryType()) {
            for (Entry entry : entries(root, channel.section(),
                    union(ENTRY_FIELDS, channel.fileFields().toArray(String[]::new)))) {
                reader.channel(channel, entry);
            }
        }
        for (Entry entry : entries(root, "assignments", ASSIGNMENT_FIELDS)) {
            reader.assignment(entry);
        }
        return new DirectoryFile(List.copyOf(reader.changes), List.copyOf(reader.assignments));
    }

    private static final class Reader {

        private final Instant now;
        private final long loadVersion;
        private final String loadId;
        private final List<DirectoryChange> changes = new ArrayList<>();
        private final List<ChannelAssignmentRequest> assignments = new ArrayList<>();
        private final Set<String> entryKeys = new HashSet<>();
        private final Map<String, String> liveHandles = new HashMap<>();
        // Assignments name identities by id alone, so an identity id must name one identity in the whole file.
        private final Map<String, IdentityState> identitiesById = new HashMap<>();
        private final Map<String, String> organizationOfIdentity = new HashMap<>();
        private final Set<String> channels = new HashSet<>();

        Reader(Instant now, long loadVersion, String loadId) {
            this.now = now;
            this.loadVersion = loadVersion;
            this.loadId = loadId;
        }

        void identity(Entry entry) {
            IdentityState identity = new IdentityState(entry.uuid("id"), entry.text("agent_handle"),
                    entry.choice("status", IdentityLifecycle.class, IdentityLifecycle.active),
                    entry.instant("created_at", now));
            String organization = add(entry, "identity", identity.getId(), identity);
            if (identitiesById.put(identity.getId(), identity) != null) {
                throw entry.invalid("id", "another identity in the file has id " + identity.getId()
                        + "; assignments name identities by id alone");
            }
            organizationOfIdentity.put(identity.getId(), organization);
            if (identity.getStatus() != IdentityLifecycle.deleted) {
                // The worker refuses a second live identity with a handle (and dead-letters it): refuse it here.
                String handle = organization + "\n" + AgentHandles.stored(identity.getAgentHandle());
                String other = liveHandles.putIfAbsent(handle, identity.getId());
                if (other != null) {
                    throw entry.invalid("agent_handle", "identity " + other + " of " + organization
                            + " already has the handle " + identity.getAgentHandle());
                }
            }
        }

        void channel(CliChannel channel, Entry entry) {
            String id = entry.uuid("id");
            String organization = add(entry, channel.type().displayName(), id, channel.read(entry, now));
            channels.add(organization + "\n" + channel.type().name() + "\n" + id);
        }

        /** The change for an entry, checked as the worker will check it; returns the entry's organization. */
        private String add(Entry entry, String kind, String id, Object state) {
            String organization = entry.text("organization_id");
            DirectoryChange change = DirectoryChange.newBuilder()
                    .setChangeId(UUID.randomUUID().toString())
                    .setOrganizationId(organization)
                    .setVersion(entry.version(loadVersion))
                    .setChangedAt(entry.instant("updated_at", now))
                    .setEntry(state)
                    .build();
            String problem = AvroContract.problemWith(change);
            if (problem != null) {
                throw entry.invalid(null, problem);
            }
            // Two entries with one id and version: the worker would apply the first and ignore the second.
            if (!entryKeys.add(kind + "\n" + organization + "\n" + id)) {
                throw entry.invalid("id", "the file names " + kind + " " + id + " of " + organization + " twice");
            }
            changes.add(change);
            return organization;
        }

        void assignment(Entry entry) {
            String identityId = entry.uuid("identity_id");
            ChannelType channelType = entry.choice("channel_type", ChannelType.class, null);
            String channelId = entry.uuid("channel_id");
            IdentityState identity = identitiesById.get(identityId);
            if (identity == null) {
                throw entry.invalid("identity_id", "no identity with id " + identityId + " in the file");
            }
            if (identity.getStatus() == IdentityLifecycle.deleted) {
                throw entry.invalid("identity_id", "identity " + identityId + " is deleted in the file");
            }
            String organization = organizationOfIdentity.get(identityId);
            if (!channels.contains(organization + "\n" + channelType + "\n" + channelId)) {
                throw entry.invalid("channel_id", "no " + channelType + " with id " + channelId + " of "
                        + organization + " in the file");
            }
            // An assignment is a request like any other, decided by the worker's rules after the changes above it.
            assignments.add(ChannelAssignmentRequest.newBuilder()
                    .setRequestId(UUID.randomUUID().toString())
                    .setOrganizationId(organization)
                    .setAgentHandle(identity.getAgentHandle())
                    .setOperation(Operation.ASSIGN)
                    .setChannelType(channelType)
                    .setChannelId(channelId)
                    .setRequestedAt(now)
                    .setCorrelationId(loadId)
                    .build());
        }
    }

    private static List<Entry> entries(JsonNode root, String section, Set<String> fields) {
        JsonNode list = root.get(section);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new InvalidDirectoryFileException(section + " must be a list");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Entry entry = new Entry(section + "[" + i + "]", list.get(i));
            if (!entry.node.isObject()) {
                throw entry.invalid(null, "must be an object");
            }
            unknownFields(entry.where, entry.node, fields);
            entries.add(entry);
        }
        return entries;
    }

    private static void unknownFields(String where, JsonNode node, Set<String> known) {
        for (String name : node.propertyNames()) {
            if (!known.contains(name)) {
                throw new InvalidDirectoryFileException(where + ": unknown field '" + name + "'");
            }
        }
    }

    private static Set<String> union(Set<String> set, String... more) {
        Set<String> union = new HashSet<>(set);
        union.addAll(Arrays.asList(more));
        return Set.copyOf(union);
    }

    /** One object of a section, read field by field; errors say where. */
    record Entry(String where, JsonNode node) {

        InvalidDirectoryFileException invalid(String field, String problem) {
            return new InvalidDirectoryFileException(where + (field == null ? "" : "." + field) + ": " + problem);
        }

        String text(String field) {
            String value = optionalText(field);
            if (value == null) {
                throw invalid(field, "is required");
            }
            return value;
        }

        String optionalText(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isString()) {
                throw invalid(field, "must be a string");
            }
            return value.stringValue();
        }

        String uuid(String field) {
            String value = text(field);
            try {
                if (UUID.fromString(value).toString().equals(value.toLowerCase(Locale.ROOT))) {
                    return value.toLowerCase(Locale.ROOT);
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            throw invalid(field, "must be a UUID (8-4-4-4-12 hex), not '" + value + "'");
        }

        boolean bool(String field, boolean fallback) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isBoolean()) {
                throw invalid(field, "must be true or false");
            }
            return value.booleanValue();
        }

        Instant instant(String field, Instant fallback) {
            String value = optionalText(field);
            if (value == null) {
                return fallback;
            }
            try {
                // The wire carries milliseconds: what is sent is what the worker will show.
                return Instant.parse(value).truncatedTo(ChronoUnit.MILLIS);
            } catch (DateTimeParseException e) {
                throw invalid(field, "must be an ISO-8601 instant like 2026-01-15T10:00:00Z, not '" + value + "'");
            }
        }

        long version(long fallback) {
            JsonNode value = node.get("version");
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() <= 0) {
                throw invalid("version", "must be a positive whole number");
            }
            return value.longValue();
        }

        <E extends Enum<E>> E choice(String field, Class<E> type, E fallback) {
            String value = fallback == null ? text(field) : optionalText(field);
            if (value == null) {
                return fallback;
            }
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(value)) {
                    return constant;
                }
            }
            throw invalid(field, "must be " + Arrays.stream(type.getEnumConstants()).map(Enum::name)
                    .collect(Collectors.joining(", ")) + ", not '" + value + "'");
        }
    }
}
