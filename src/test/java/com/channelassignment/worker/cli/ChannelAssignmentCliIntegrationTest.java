package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The command-line client, run in-process against the worker on a real broker and database. */
class ChannelAssignmentCliIntegrationTest extends SpringWorkerHarness {

    @Test
    void sendWaitsForTheOutcomeAndTailPrintsItAsJson() {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("sales-agent");
        Mailbox mailbox = directory.mailbox();
        directory.publishTo(worker());
        String requestId = "cli-" + UUID.randomUUID();

        CliRun send = cli("send", "--request-id", requestId, "--organization-id", directory.organizationId(),
                "--agent-handle", "sales-agent", "--operation", "ASSIGN", "--channel-type", "MAILBOX",
                "--channel-id", mailbox.id().toString());

        assertThat(send.status()).as(send.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(send.stdout()).hasLineCount(1)
                .contains("  " + requestId + "  ASSIGN MAILBOX  ASSIGNED changed=true  channel=" + mailbox.id()
                        + " handle=sales-agent org=" + directory.organizationId());

        CliRun tail = cli("tail", "--from-beginning", "--max", "1", "--json", "--timeout", "30s",
                "--organization-id", directory.organizationId());

        assertThat(tail.status()).as(tail.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        JsonNode outcome = JsonMapper.builder().build().readTree(tail.stdout());
        assertThat(outcome.get("request_id").asString()).isEqualTo(requestId);
        assertThat(outcome.get("status").asString()).isEqualTo("ASSIGNED");
        assertThat(outcome.get("changed").asBoolean()).isTrue();
        assertThat(outcome.get("identity").get("mailbox").get("id").asString()).isEqualTo(mailbox.id().toString());
    }

    @Test
    void aRejectionIsAnAnswerToo() {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("sales-agent");
        directory.publishTo(worker());

        CliRun send = cli("send", "--organization-id", directory.organizationId(), "--agent-handle", "nobody",
                "--operation", "UNASSIGN", "--channel-type", "PHONE_NUMBER", "--json");

        assertThat(send.status()).as(send.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        JsonNode outcome = JsonMapper.builder().build().readTree(send.stdout());
        assertThat(outcome.get("status").asString()).isEqualTo("REJECTED");
        assertThat(outcome.get("rejection").get("code").asString()).isEqualTo("IDENTITY_NOT_FOUND");
    }

    @Test
    void sendGivesUpWith2WhenNobodyServesTheTopic() {
        String unserved = "unserved-" + UUID.randomUUID();
        long started = System.nanoTime();

        CliRun send = cli("send", "--topic", unserved, "--organization-id", "org-nobody", "--agent-handle", "a",
                "--operation", "UNASSIGN", "--channel-type", "MAILBOX", "--timeout", "2s");

        assertThat(send.status()).isEqualTo(ChannelAssignmentCli.TIMED_OUT).isEqualTo(2);
        assertThat(send.stdout()).isEmpty();
        assertThat(send.stderr()).contains("no outcome for request", "within 2s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void runsBesideTheWorkerWithItsEnvironmentAndNoFlags() {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("sales-agent");
        directory.publishTo(worker());
        // As a command in the worker's container: the worker's variables name the broker and the topics.
        Map<String, String> environment = Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS",
                TestServices.kafkaBootstrapServers(), "CHANNEL_ASSIGNMENT_TOPICS_REQUESTS", requestsTopic,
                "CHANNEL_ASSIGNMENT_TOPICS_OUTCOMES", outcomesTopic);

        CliRun send = CliRun.of(environment, "send", "--organization-id", directory.organizationId(),
                "--agent-handle", "nobody", "--operation", "UNASSIGN", "--channel-type", "MAILBOX", "--json");

        assertThat(send.status()).as(send.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(JsonMapper.builder().build().readTree(send.stdout()).get("status").asString())
                .isEqualTo("REJECTED");
    }

    @Test
    void appliesTheClientConfigFileToItsClients(@TempDir Path directory) throws IOException {
        Path clientConfig = Files.writeString(directory.resolve("client.properties"),
                "bootstrap.servers=" + TestServices.kafkaBootstrapServers() + "\n");
        DirectoryFixture fixture = new DirectoryFixture();
        fixture.identity("sales-agent");
        fixture.publishTo(worker());

        CliRun send = CliRun.of(Map.of(), "send", "--client-config", clientConfig.toString(), "--topic",
                requestsTopic, "--outcomes-topic", outcomesTopic, "--organization-id", fixture.organizationId(),
                "--agent-handle", "nobody", "--operation", "UNASSIGN", "--channel-type", "MAILBOX");

        assertThat(send.status()).as(send.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(send.stdout()).contains("UNASSIGN MAILBOX  REJECTED IDENTITY_NOT_FOUND");
    }

    private CliRun cli(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--bootstrap-servers", TestServices.kafkaBootstrapServers(), "--outcomes-topic",
                outcomesTopic));
        if (args[0].equals("send") && !all.contains("--topic")) {
            all.addAll(List.of("--topic", requestsTopic));
        }
        return CliRun.of(all);
    }
}
