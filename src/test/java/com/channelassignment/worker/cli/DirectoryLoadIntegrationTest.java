package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code directory load} run in-process against the worker on a real broker and database. */
class DirectoryLoadIntegrationTest extends SpringWorkerHarness {

    private static final String IDENTITY = "00000000-0000-4000-8000-000000000001";
    private static final String MAILBOX = "00000000-0000-4000-8000-0000000000a1";
    private static final String NUMBER = "00000000-0000-4000-8000-0000000000b1";

    @TempDir
    Path files;

    private final String organization = "org-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void loadsAFileThroughTheTopicAndPrintsTheOutcomesOfItsAssignments() throws IOException {
        CliRun load = cli("directory", "load", "--file", file(directory(false)).toString());

        assertThat(load.status()).as(load.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(load.stderr()).contains("sent 3 directory changes (1 identities, 1 mailboxes, 1 phone numbers) "
                + "and 1 assignment requests to " + requestsTopic);
        assertThat(load.stdout()).hasLineCount(1).contains("ASSIGN MAILBOX  ASSIGNED changed=true  channel="
                + MAILBOX + " handle=sales-agent org=" + organization);
        CliRun send = cli("send", "--topic", requestsTopic, "--organization-id", organization, "--agent-handle",
                "sales-agent", "--operation", "ASSIGN", "--channel-type", "PHONE_NUMBER", "--channel-id", NUMBER);
        assertThat(send.stdout()).as(send.stderr()).contains("ASSIGNED changed=true");
        assertThat(jdbc.queryForList("SELECT channel_type FROM channel_assignments WHERE organization_id = ?",
                String.class, organization)).containsExactlyInAnyOrder("MAILBOX", "PHONE_NUMBER");
    }

    @Test
    void aLaterLoadWinsAndItsDeletionEndsTheLinkWithAnOutcome() throws IOException {
        CliRun first = cli("directory", "load", "--file", file(directory(false)).toString());
        assertThat(first.status()).as(first.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        String deletion = directory(true).replace(",\n  \"assignments\": " + assignments(), "");

        CliRun second = cli("directory", "load", "--file", file(deletion).toString(), "--no-wait");

        assertThat(second.status()).as(second.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        CliRun tail = cli("tail", "--from-beginning", "--organization-id", organization, "--max", "2", "--timeout",
                "30s");
        assertThat(tail.stdout().lines().toList()).as(tail.stderr()).hasSize(2)
                .last().asString().contains("UNASSIGN MAILBOX  UNASSIGNED changed=true  channel=" + MAILBOX);
        assertThat(jdbc.queryForObject("SELECT deleted FROM mailboxes WHERE organization_id = ? AND id = ?::uuid",
                Boolean.class, organization, MAILBOX)).isTrue();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE organization_id = ?",
                Integer.class, organization)).isZero();
    }

    @Test
    void anInvalidFileSendsNothing() throws IOException {
        var before = KafkaTestClient.endOffsets(TestServices.kafkaBootstrapServers(), requestsTopic);
        String invalid = directory(false).replace(NUMBER, "not-a-uuid");

        CliRun load = cli("directory", "load", "--file", file(invalid).toString());

        assertThat(load.status()).isEqualTo(DirectoryCommands.INVALID_FILE).isEqualTo(65);
        assertThat(load.stderr()).isEqualTo("not loaded: phone_numbers[0].id: must be a UUID (8-4-4-4-12 hex), "
                + "not 'not-a-uuid'" + System.lineSeparator());
        assertThat(KafkaTestClient.endOffsets(TestServices.kafkaBootstrapServers(), requestsTopic)).isEqualTo(before);
    }

    private String directory(boolean mailboxDeleted) {
        return """
                {
                  "identities": [{"id": "%s", "organization_id": "%s", "agent_handle": "sales-agent"}],
                  "mailboxes": [{"id": "%s", "organization_id": "%s", "email_address": "sales@acme.example",
                                 "deleted": %s}],
                  "phone_numbers": [{"id": "%s", "organization_id": "%s", "number": "+18335794607",
                                     "type": "toll_free"}],
                  "assignments": %s
                }
                """.formatted(IDENTITY, organization, MAILBOX, organization, mailboxDeleted, NUMBER, organization,
                assignments());
    }

    private static String assignments() {
        return "[{\"identity_id\": \"%s\", \"channel_type\": \"MAILBOX\", \"channel_id\": \"%s\"}]"
                .formatted(IDENTITY, MAILBOX);
    }

    private Path file(String json) throws IOException {
        return Files.writeString(Files.createTempFile(files, "directory", ".json"), json);
    }

    private CliRun cli(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--bootstrap-servers", TestServices.kafkaBootstrapServers(), "--outcomes-topic",
                outcomesTopic));
        if (args[0].equals("directory")) {
            all.addAll(List.of("--topic", requestsTopic));
        }
        return CliRun.of(all);
    }
}
