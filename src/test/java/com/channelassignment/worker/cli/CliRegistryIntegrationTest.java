package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The command-line client in the Confluent wire format, in-process against a worker configured for it, on a real
 * broker, PostgreSQL and schema registry (Apicurio, Confluent API): what it sends is Confluent-framed, and what it
 * reads (outcomes, dead letters) is recognised by its first byte.
 */
class CliRegistryIntegrationTest extends SpringWorkerHarness {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path files;

    @DynamicPropertySource
    static void confluentFormat(DynamicPropertyRegistry registry) {
        confluentWireFormat(registry, TestServices::schemaRegistryUrl);
    }

    @BeforeEach
    void registerTheSchemas() {
        CliRun register = CliRun.of(List.of("schemas", "register", "--registry-url", TestServices.schemaRegistryUrl(),
                "--topic", requestsTopic, "--outcomes-topic", outcomesTopic));
        assertThat(register.status()).as(register.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
    }

    @Test
    void sendWritesAConfluentFramedRequestAndPrintsItsConfluentFramedOutcome() {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("sales-agent");
        Mailbox mailbox = directory.mailbox();
        directory.publishTo(worker());
        String requestId = "cli-confluent-" + UUID.randomUUID();

        CliRun send = cli("send", "--wire-format", "confluent", "--registry-url", TestServices.schemaRegistryUrl(),
                "--topic", requestsTopic, "--request-id", requestId, "--organization-id", directory.organizationId(),
                "--agent-handle", "sales-agent", "--operation", "ASSIGN", "--channel-type", "MAILBOX",
                "--channel-id", mailbox.id().toString());

        assertThat(send.status()).as(send.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(send.stdout()).hasLineCount(1).contains("  " + requestId + "  ASSIGN MAILBOX  ASSIGNED changed=true"
                + "  channel=" + mailbox.id());
        assertThat(requestRecordsOf(directory.organizationId(), requestId)).extracting(record -> record.value()[0])
                .as("the request's framing").containsExactly((byte) 0);
        assertThat(outcomeRecordsFor(requestId)).extracting(record -> record.value()[0])
                .as("the outcome's framing").containsExactly((byte) 0);
    }

    @Test
    void tailPrintsConfluentFramedOutcomesWithTheRegistryAndSkipsThemWithoutIt() {
        String organization = "org-tail-" + UUID.randomUUID();
        CliRun send = cli("send", "--topic", requestsTopic, "--organization-id", organization, "--agent-handle",
                "nobody", "--operation", "UNASSIGN", "--channel-type", "PHONE_NUMBER", "--registry-url",
                TestServices.schemaRegistryUrl());
        assertThat(send.status()).as(send.stderr()).isEqualTo(ChannelAssignmentCli.DONE);

        CliRun tail = cli("tail", "--from-beginning", "--max", "1", "--json", "--timeout", "30s", "--organization-id",
                organization, "--registry-url", TestServices.schemaRegistryUrl());
        CliRun blind = cli("tail", "--from-beginning", "--max", "1", "--timeout", "3s", "--organization-id",
                organization);

        assertThat(tail.status()).as(tail.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        JsonNode outcome = JSON.readTree(tail.stdout());
        assertThat(outcome.get("organization_id").asString()).isEqualTo(organization);
        assertThat(outcome.get("rejection").get("code").asString()).isEqualTo("IDENTITY_NOT_FOUND");
        assertThat(blind.status()).isEqualTo(ChannelAssignmentCli.TIMED_OUT);
        assertThat(blind.stdout()).isEmpty();
        assertThat(blind.stderr()).contains("not an outcome (a Confluent-framed record (schema id");
    }

    @Test
    void directoryLoadInTheConfluentFormatLoadsADirectoryTheWorkerApplies() throws IOException {
        String organization = "org-load-" + UUID.randomUUID().toString().substring(0, 8);
        String identity = "00000000-0000-4000-8000-000000000001";
        String mailbox = "00000000-0000-4000-8000-0000000000a1";
        Path file = Files.writeString(files.resolve("directory.json"), """
                {
                  "identities": [{"id": "%s", "organization_id": "%s", "agent_handle": "sales-agent"}],
                  "mailboxes": [{"id": "%s", "organization_id": "%s", "email_address": "sales@acme.example"}],
                  "assignments": [{"identity_id": "%s", "channel_type": "MAILBOX", "channel_id": "%s"}]
                }
                """.formatted(identity, organization, mailbox, organization, identity, mailbox));

        CliRun load = cli("directory", "load", "--file", file.toString(), "--topic", requestsTopic, "--wire-format",
                "confluent", "--registry-url", TestServices.schemaRegistryUrl());

        assertThat(load.status()).as(load.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(load.stdout()).hasLineCount(1).contains("ASSIGN MAILBOX  ASSIGNED changed=true  channel=" + mailbox
                + " handle=sales-agent org=" + organization);
        assertThat(requestRecordsOf(organization, null)).hasSize(3).extracting(record -> record.value()[0])
                .as("two directory changes and an assignment, each Confluent-framed").containsOnly((byte) 0);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE organization_id = ?",
                Integer.class, organization)).isEqualTo(1);
    }

    @Test
    void sendRefusesTheConfluentFormatWithoutARegistry() {
        CliRun send = cli("send", "--wire-format", "confluent", "--organization-id", "org-x", "--agent-handle", "a",
                "--operation", "UNASSIGN", "--channel-type", "MAILBOX");

        assertThat(send.status()).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
        assertThat(send.stderr()).startsWith("error: --wire-format confluent needs --registry-url");
    }

    @Test
    void dltListShowsAConfluentFramedDeadLetterAndReplayResendsItsBytes() {
        String key = "org-dlt-" + UUID.randomUUID();
        byte[] value = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).putInt(42).array();
        kafka().send(requestsTopic, key, value);
        JsonNode deadLetter = awaitDeadLetter(key);

        assertThat(deadLetter.get("wire_format").asString()).isEqualTo("confluent");
        assertThat(deadLetter.get("schema_id").asInt()).isEqualTo(987_654);
        assertThat(deadLetter.get("message").asString()).contains("schema id 987654 is not in the schema registry");
        String offset = deadLetter.get("original_offset").asString();
        String[] selection = {"--partition", deadLetter.get("original_partition").asString(), "--from-offset",
                offset, "--to-offset", offset};
        CliRun line = dlt("list", selection);
        assertThat(line.stdout()).as(line.stderr()).hasLineCount(1).contains("  value=confluent(schema id 987654)");

        CliRun replay = dlt("replay", selection);

        assertThat(replay.status()).as(replay.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        String coordinates = deadLetter.get("dead_letter").asString();
        List<ConsumerRecord<byte[], byte[]>> replays = kafka().readUntil(requestsTopic, true,
                records -> records.stream().anyMatch(record -> isReplayOf(record, coordinates)),
                Duration.ofSeconds(30), Duration.ZERO).stream().filter(record -> isReplayOf(record, coordinates))
                .toList();
        assertThat(replays).singleElement().extracting(ConsumerRecord::value).isEqualTo(value);
    }

    private static boolean isReplayOf(ConsumerRecord<byte[], byte[]> record, String coordinates) {
        return coordinates.equals(KafkaTestClient.header(record, "dlt-replay-of"));
    }

    private JsonNode awaitDeadLetter(String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() - deadline < 0) {
            CliRun list = dlt("list", new String[] {"--json"});
            assertThat(list.status()).as(list.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
            List<JsonNode> mine = list.stdout().lines().map(JSON::readTree)
                    .filter(deadLetter -> key.equals(deadLetter.get("key").asString())).toList();
            if (!mine.isEmpty()) {
                return mine.get(0);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no dead letter of " + key + " within 60 s");
    }

    /**
     * The requests topic's records keyed by the organization and, unless {@code holding} is null, holding that text
     * (a request id), once there is one; then whatever else arrives within a second.
     */
    private List<ConsumerRecord<byte[], byte[]>> requestRecordsOf(String organization, String holding) {
        return kafka().readUntil(requestsTopic, true,
                records -> records.stream().anyMatch(record -> matches(record, organization, holding)),
                Duration.ofSeconds(30), Duration.ofSeconds(1)).stream()
                .filter(record -> matches(record, organization, holding)).toList();
    }

    private static boolean matches(ConsumerRecord<byte[], byte[]> record, String organization, String holding) {
        return record.key() != null && organization.equals(new String(record.key(), StandardCharsets.UTF_8))
                && (holding == null || new String(record.value(), StandardCharsets.ISO_8859_1).contains(holding));
    }

    private CliRun dlt(String command, String[] args) {
        List<String> all = new ArrayList<>(List.of("dlt", command));
        all.addAll(Arrays.asList(args));
        all.addAll(List.of("--bootstrap-servers", TestServices.kafkaBootstrapServers(), "--dlt-topic",
                deadLetterTopic));
        return CliRun.of(all);
    }

    private CliRun cli(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--bootstrap-servers", TestServices.kafkaBootstrapServers(), "--outcomes-topic",
                outcomesTopic));
        return CliRun.of(all);
    }
}
