package com.channelassignment.worker.directory;

import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.PhoneNumberType;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a directory file: identities, mailboxes, phone numbers and optional initial assignments, with the field names
 * of the HTTP API (docs/deployment.md, "Loading the directory"). Timestamps default to the time of loading.
 */
public final class DirectoryJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    record IdentityEntry(UUID id, @JsonProperty("organization_id") String organizationId,
            @JsonProperty("agent_handle") String agentHandle, String status,
            @JsonProperty("created_at") Instant createdAt, @JsonProperty("updated_at") Instant updatedAt) {
    }

    record MailboxEntry(UUID id, @JsonProperty("organization_id") String organizationId,
            @JsonProperty("email_address") String emailAddress, @JsonProperty("display_name") String displayName,
            Boolean deleted, @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("updated_at") Instant updatedAt) {
    }

    record PhoneNumberEntry(UUID id, @JsonProperty("organization_id") String organizationId, String number,
            String type, String status, @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("updated_at") Instant updatedAt) {
    }

    record AssignmentEntry(@JsonProperty("identity_id") UUID identityId,
            @JsonProperty("channel_type") ChannelType channelType, @JsonProperty("channel_id") UUID channelId) {
    }

    record DirectoryFile(List<IdentityEntry> identities, List<MailboxEntry> mailboxes,
            @JsonProperty("phone_numbers") List<PhoneNumberEntry> phoneNumbers, List<AssignmentEntry> assignments) {
    }

    private DirectoryJson() {
    }

    public static DirectoryRows read(InputStream json, Instant now) throws IOException {
        DirectoryFile file;
        try {
            file = MAPPER.readValue(json, DirectoryFile.class);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IOException("not a valid directory file: " + e.getOriginalMessage(), e);
        }
        List<Identity> identities = new ArrayList<>();
        Map<UUID, String> organizationOfIdentity = new HashMap<>();
        for (IdentityEntry entry : orEmpty(file.identities())) {
            identities.add(new Identity(entry.id(), entry.organizationId(), entry.agentHandle(),
                    IdentityStatus.valueOf(upper(entry.status() == null ? "active" : entry.status())),
                    orNow(entry.createdAt(), now), orNow(entry.updatedAt(), now)));
            organizationOfIdentity.put(entry.id(), entry.organizationId());
        }
        List<Channel> channels = new ArrayList<>();
        for (MailboxEntry entry : orEmpty(file.mailboxes())) {
            channels.add(new Mailbox(entry.id(), entry.organizationId(), entry.emailAddress(), entry.displayName(),
                    Boolean.TRUE.equals(entry.deleted()), orNow(entry.createdAt(), now), orNow(entry.updatedAt(), now)));
        }
        for (PhoneNumberEntry entry : orEmpty(file.phoneNumbers())) {
            channels.add(new PhoneNumber(entry.id(), entry.organizationId(), entry.number(),
                    PhoneNumberType.valueOf(upper(entry.type() == null ? "local" : entry.type())),
                    PhoneNumberStatus.valueOf(upper(entry.status() == null ? "active" : entry.status())),
                    orNow(entry.createdAt(), now), orNow(entry.updatedAt(), now)));
        }
        List<ChannelLink> links = new ArrayList<>();
        for (AssignmentEntry entry : orEmpty(file.assignments())) {
            String organization = organizationOfIdentity.get(entry.identityId());
            if (organization == null) {
                throw new IOException("assignment names identity " + entry.identityId() + ", not in the file");
            }
            links.add(new ChannelLink(entry.identityId(), organization, entry.channelType(), entry.channelId()));
        }
        return new DirectoryRows(identities, channels, links);
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static Instant orNow(Instant instant, Instant now) {
        return instant == null ? now : instant;
    }

    private static String upper(String value) {
        return value.toUpperCase(Locale.ROOT);
    }
}
