package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.DirectoryChange;
import com.channelassignment.worker.kafka.avro.IdentityLifecycle;
import com.channelassignment.worker.kafka.avro.IdentityState;
import com.channelassignment.worker.kafka.avro.MailboxState;
import com.channelassignment.worker.kafka.avro.Operation;
import com.channelassignment.worker.kafka.avro.PhoneNumberState;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DirectoryFileTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.123Z");
    private static final long LOAD_VERSION = 1_772_366_400_123_456L;
    private static final String IDENTITY = "00000000-0000-4000-8000-000000000001";
    private static final String MAILBOX = "00000000-0000-4000-8000-0000000000a1";

    @Test
    void turnsTheDemoDirectoryIntoOneChangePerEntryAndOneRequestPerAssignment() throws IOException {
        DirectoryFile directory;
        try (InputStream demo = getClass().getResourceAsStream("/demo/directory.json")) {
            directory = read(demo);
        }

        assertThat(directory.count(IdentityState.class)).isEqualTo(7);
        assertThat(directory.count(MailboxState.class)).isEqualTo(5);
        assertThat(directory.count(PhoneNumberState.class)).isEqualTo(3);
        assertThat(directory.changes()).allSatisfy(change -> {
            assertThat(change.getVersion()).isEqualTo(LOAD_VERSION);
            assertThat(change.getChangedAt()).isEqualTo(NOW);
        });
        assertThat(directory.changes()).extracting(DirectoryChange::getChangeId).doesNotHaveDuplicates();
        ChannelAssignmentRequest assignment = directory.assignments().get(0);
        assertThat(directory.assignments()).hasSize(1);
        assertThat(assignment.getOrganizationId()).isEqualTo("org-acme");
        assertThat(assignment.getAgentHandle()).isEqualTo("support-agent");
        assertThat(assignment.getOperation()).isEqualTo(Operation.ASSIGN);
        assertThat(assignment.getChannelType()).isEqualTo(ChannelType.MAILBOX);
        assertThat(assignment.getChannelId()).isEqualTo("00000000-0000-4000-8000-00000000a102");
        assertThat(assignment.getCorrelationId()).isEqualTo("load-1");
    }

    @Test
    void takesAnEntrysOwnVersionAndTimestampsOverTheLoads() {
        DirectoryFile directory = read("""
                {"identities": [{"id": "%s", "organization_id": "org-a", "agent_handle": "@night", "status": "PAUSED",
                  "version": 7, "created_at": "2026-01-15T10:00:00Z", "updated_at": "2026-02-01T09:30:00.5Z"}]}
                """.formatted(IDENTITY));

        DirectoryChange change = directory.changes().get(0);
        IdentityState identity = (IdentityState) change.getEntry();
        assertThat(change.getVersion()).isEqualTo(7);
        assertThat(change.getChangedAt()).isEqualTo(Instant.parse("2026-02-01T09:30:00.500Z"));
        assertThat(identity.getCreatedAt()).isEqualTo(Instant.parse("2026-01-15T10:00:00Z"));
        assertThat(identity.getStatus()).isEqualTo(IdentityLifecycle.paused);
        assertThat(identity.getAgentHandle()).isEqualTo("@night");
    }

    @Test
    void refusesAnAssignmentWhoseIdentityOrChannelIsNotInTheFile() {
        assertThatThrownBy(() -> read("""
                {"assignments": [{"identity_id": "%s", "channel_type": "MAILBOX", "channel_id": "%s"}]}
                """.formatted(IDENTITY, MAILBOX)))
                .hasMessage("assignments[0].identity_id: no identity with id " + IDENTITY + " in the file");
        assertThatThrownBy(() -> read("""
                {"identities": [{"id": "%s", "organization_id": "org-a", "agent_handle": "a"}],
                 "mailboxes": [{"id": "%s", "organization_id": "org-b", "email_address": "a@b.example"}],
                 "assignments": [{"identity_id": "%s", "channel_type": "MAILBOX", "channel_id": "%s"}]}
                """.formatted(IDENTITY, MAILBOX, IDENTITY, MAILBOX)))
                .hasMessage("assignments[0].channel_id: no MAILBOX with id " + MAILBOX + " of org-a in the file");
    }

    @Test
    void refusesAnAssignmentOfADeletedIdentity() {
        assertThatThrownBy(() -> read("""
                {"identities": [{"id": "%s", "organization_id": "org-a", "agent_handle": "a", "status": "deleted"}],
                 "mailboxes": [{"id": "%s", "organization_id": "org-a", "email_address": "a@b.example"}],
                 "assignments": [{"identity_id": "%s", "channel_type": "MAILBOX", "channel_id": "%s"}]}
                """.formatted(IDENTITY, MAILBOX, IDENTITY, MAILBOX)))
                .hasMessage("assignments[0].identity_id: identity " + IDENTITY + " is deleted in the file");
    }

    @Test
    void refusesTwoLiveIdentitiesWithOneHandleInAnOrganizationButNotADeletedOne() {
        String second = "00000000-0000-4000-8000-000000000002";
        assertThatThrownBy(() -> read("""
                {"identities": [{"id": "%s", "organization_id": "org-a", "agent_handle": "sales"},
                                {"id": "%s", "organization_id": "org-a", "agent_handle": "@sales"}]}
                """.formatted(IDENTITY, second)))
                .hasMessage("identities[1].agent_handle: identity " + IDENTITY + " of org-a already has the handle "
                        + "@sales");
        assertThat(read("""
                {"identities": [{"id": "%s", "organization_id": "org-a", "agent_handle": "sales", "status": "deleted"},
                                {"id": "%s", "organization_id": "org-a", "agent_handle": "sales"}]}
                """.formatted(IDENTITY, second)).changes()).hasSize(2);
    }

    @Test
    void namesTheEntryAndFieldOfWhatTheWorkerWouldDeadLetter() {
        assertThatThrownBy(() -> read("""
                {"mailboxes": [{"id": "not-a-uuid", "organization_id": "org-a", "email_address": "a@b.example"}]}
                """)).hasMessage("mailboxes[0].id: must be a UUID (8-4-4-4-12 hex), not 'not-a-uuid'");
        assertThatThrownBy(() -> read("""
                {"mailboxes": [{"id": "%s", "organization_id": "org-a", "email_address": ""}]}
                """.formatted(MAILBOX))).hasMessage("mailboxes[0]: email_address is empty");
        assertThatThrownBy(() -> read("""
                {"phone_numbers": [{"id": "%s", "organization_id": "org-a", "number": "+1", "status": "gone"}]}
                """.formatted(MAILBOX)))
                .hasMessage("phone_numbers[0].status: must be active, paused, released, not 'gone'");
        assertThatThrownBy(() -> read("""
                {"identities": [{"id": "%s", "organization_id": "org-a", "agent_handle": "a", "version": 0}]}
                """.formatted(IDENTITY))).hasMessage("identities[0].version: must be a positive whole number");
    }

    @Test
    void refusesUnknownFieldsAndTheSameEntryTwice() {
        assertThatThrownBy(() -> read("""
                {"identities": [{"id": "%s", "organization_id": "org-a", "agent_handle": "a", "handle": "b"}]}
                """.formatted(IDENTITY))).hasMessage("identities[0]: unknown field 'handle'");
        assertThatThrownBy(() -> read("{\"links\": []}")).hasMessage("the file: unknown field 'links'");
        assertThatThrownBy(() -> read("""
                {"mailboxes": [{"id": "%s", "organization_id": "org-a", "email_address": "a@b.example"},
                               {"id": "%s", "organization_id": "org-a", "email_address": "c@b.example"}]}
                """.formatted(MAILBOX, MAILBOX)))
                .hasMessage("mailboxes[1].id: the file names mailbox " + MAILBOX + " of org-a twice");
        assertThatThrownBy(() -> read("[]")).hasMessage("the file must hold one JSON object");
    }

    private static DirectoryFile read(String json) {
        try {
            return read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static DirectoryFile read(InputStream json) throws IOException {
        return DirectoryFile.read(json, NOW, LOAD_VERSION, "load-1");
    }
}
