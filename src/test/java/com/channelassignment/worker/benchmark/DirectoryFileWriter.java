package com.channelassignment.worker.benchmark;

import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes directory rows as a directory file (docs/directory-file.md), the form an earlier build read at start-up
 * ({@code channel-assignment.directory-file}): the API's field names and lower-case states, no versions.
 */
final class DirectoryFileWriter {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private DirectoryFileWriter() {
    }

    static Path write(DirectoryRows rows, Path file) {
        List<Map<String, Object>> identities = new ArrayList<>();
        for (Identity identity : rows.identities()) {
            identities.add(entry(identity.id(), identity.organizationId(), "agent_handle", identity.agentHandle(),
                    "status", lower(identity.status()), "created_at", identity.createdAt().toString(),
                    "updated_at", identity.updatedAt().toString()));
        }
        List<Map<String, Object>> mailboxes = new ArrayList<>();
        List<Map<String, Object>> phoneNumbers = new ArrayList<>();
        for (Channel channel : rows.channels()) {
            if (channel instanceof Mailbox mailbox) {
                mailboxes.add(entry(mailbox.id(), mailbox.organizationId(), "email_address",
                        mailbox.emailAddress(), "display_name", mailbox.displayName(), "deleted", mailbox.deleted(),
                        "created_at", mailbox.createdAt().toString(), "updated_at", mailbox.updatedAt().toString()));
            } else if (channel instanceof PhoneNumber number) {
                phoneNumbers.add(entry(number.id(), number.organizationId(), "number", number.number(), "type",
                        lower(number.numberType()), "status", lower(number.status()), "created_at",
                        number.createdAt().toString(), "updated_at", number.updatedAt().toString()));
            } else {
                throw new IllegalArgumentException("no directory-file section for " + channel);
            }
        }
        List<Map<String, Object>> assignments = new ArrayList<>();
        for (ChannelLink link : rows.links()) {
            Map<String, Object> assignment = new LinkedHashMap<>();
            assignment.put("identity_id", link.identityId().toString());
            assignment.put("channel_type", link.type().name());
            assignment.put("channel_id", link.channelId().toString());
            assignments.add(assignment);
        }
        Map<String, Object> directory = new LinkedHashMap<>();
        directory.put("identities", identities);
        directory.put("mailboxes", mailboxes);
        directory.put("phone_numbers", phoneNumbers);
        directory.put("assignments", assignments);
        try {
            Files.createDirectories(file.getParent());
            MAPPER.writeValue(file.toFile(), directory);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Map<String, Object> entry(Object id, String organizationId, Object... fields) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", id.toString());
        entry.put("organization_id", organizationId);
        for (int i = 0; i < fields.length; i += 2) {
            entry.put((String) fields[i], fields[i + 1]);
        }
        return entry;
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
