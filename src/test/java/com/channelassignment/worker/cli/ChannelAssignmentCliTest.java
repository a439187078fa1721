package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.Rejection;
import com.channelassignment.worker.kafka.avro.RejectionCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The command-line client's parsing and printing, without Kafka. */
class ChannelAssignmentCliTest {

    private static final String MAILBOX_ID = "6f1c2e1a-0000-4000-8000-0000000000a1";

    @Test
    void parsesSendWithDefaultsForWhatIsLeftOut() {
        CliCommand.Send send = CliRun.send("send", "--organization-id", "org-acme",
                "--agent-handle", "sales-agent", "--operation", "ASSIGN", "--channel-type", "MAILBOX",
                "--channel-id", MAILBOX_ID);

        assertThat(send.connection().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(send.connection().outcomesTopic()).isEqualTo("channel-assignment.outcomes");
        assertThat(send.connection().json()).isFalse();
        assertThat(send.requestsTopic()).isEqualTo("channel-assignment.requests");
        assertThat(UUID.fromString(send.requestId())).isNotNull();
        assertThat(UUID.fromString(send.correlationId())).isNotNull();
        assertThat(send.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(send.waitForOutcome()).isTrue();
    }

    @Test
    void buildsTheRequestFromTheFlags() {
        CliCommand.Send send = CliRun.send("send", "--bootstrap-servers=broker:9093",
                "--topic", "requests", "--outcomes-topic", "outcomes", "--request-id", "demo-01",
                "--organization-id", "org-acme", "--agent-handle", "@sales-agent", "--operation", "assign",
                "--channel-type", "phone-number", "--channel-id", MAILBOX_ID, "--correlation-id", "wf-7",
                "--timeout", "500ms", "--no-wait", "--json");
        Instant now = Instant.parse("2026-11-27T02:19:15.123Z");

        ChannelAssignmentRequest request = send.toRequest(now);

        assertThat(request).isEqualTo(ChannelAssignmentRequest.newBuilder().setRequestId("demo-01")
                .setOrganizationId("org-acme").setAgentHandle("@sales-agent").setOperation(Operation.ASSIGN)
                .setChannelType(ChannelType.PHONE_NUMBER).setChannelId(MAILBOX_ID).setRequestedAt(now)
                .setCorrelationId("wf-7").build());
        assertThat(send.connection().bootstrapServers()).isEqualTo("broker:9093");
        assertThat(send.requestsTopic()).isEqualTo("requests");
        assertThat(send.connection().outcomesTopic()).isEqualTo("outcomes");
        assertThat(send.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(send.waitForOutcome()).isFalse();
        assertThat(send.connection().json()).isTrue();
    }

    @Test
    void takesTheBrokersAndTopicsFromTheWorkersEnvironmentWhenNoFlagNamesThem() {
        Map<String, String> environment = Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093,broker-2:9093",
                "CHANNEL_ASSIGNMENT_TOPICS_REQUESTS", "prod.requests",
                "CHANNEL_ASSIGNMENT_TOPICS_OUTCOMES", "prod.outcomes");

        CliCommand.Send send = ((SendCommand) CliRun.parse(environment, "send", "--organization-id", "org-acme",
                "--agent-handle", "a", "--operation", "UNASSIGN", "--channel-type", "MAILBOX")).command();
        CliCommand.Send flagged = ((SendCommand) CliRun.parse(environment, "send", "--organization-id", "org-acme",
                "--agent-handle", "a", "--operation", "UNASSIGN", "--channel-type", "MAILBOX",
                "--bootstrap-servers", "local:9092", "--topic", "t", "--outcomes-topic", "o")).command();

        assertThat(send.connection().bootstrapServers()).isEqualTo("broker-1:9093,broker-2:9093");
        assertThat(send.connection().kafka().config()).containsEntry("bootstrap.servers", "broker-1:9093,broker-2:9093");
        assertThat(send.requestsTopic()).isEqualTo("prod.requests");
        assertThat(send.connection().outcomesTopic()).isEqualTo("prod.outcomes");
        assertThat(flagged.connection().bootstrapServers()).isEqualTo("local:9092");
        assertThat(flagged.requestsTopic()).isEqualTo("t");
        assertThat(flagged.connection().outcomesTopic()).isEqualTo("o");
    }

    @Test
    void appliesTheClientConfigFileOverTheWorkersSecuritySettings(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("client.properties"), """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                client.id=ops-laptop
                bootstrap.servers=from-file:9093
                """);
        Map<String, String> environment = Map.of("SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "PLAIN",
                "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "jaas line",
                "SPRING_KAFKA_SSL_TRUST_STORE_LOCATION", "file:/etc/ca.p12");

        KafkaClients fromFile = ((TailCommand) CliRun.parse(environment, "tail", "--client-config", file.toString()))
                .command().connection().kafka();
        KafkaClients fromEnvironment = ((TailCommand) CliRun.parse(environment, "tail")).command().connection()
                .kafka();
        KafkaClients spelledAsKafkaTools = ((TailCommand) CliRun.parse(Map.of(), "tail", "--command-config",
                file.toString())).command().connection().kafka();

        assertThat(fromFile.config()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("sasl.jaas.config", "jaas line")
                .containsEntry("client.id", "ops-laptop").containsEntry("bootstrap.servers", "from-file:9093");
        assertThat(fromEnvironment.config()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "PLAIN").containsEntry("ssl.truststore.location", "/etc/ca.p12")
                .containsEntry("client.id", "channel-assignment-cli")
                .containsEntry("bootstrap.servers", "localhost:9092");
        assertThat(spelledAsKafkaTools.bootstrapServers()).isEqualTo("from-file:9093");
    }

    @Test
    void anUnreadableClientConfigIsBadUsage() {
        assertThat(usageError("tail", "--client-config", "/nonexistent/client.properties"))
                .startsWith("error: --client-config /nonexistent/client.properties cannot be read");
    }

    @Test
    void parsesTailWithItsLimitsAndFilters() {
        CliCommand.Tail tail = CliRun.tail("tail", "--from-beginning", "--max", "3",
                "--timeout", "2m", "--organization-id", "org-acme");

        assertThat(tail.fromBeginning()).isTrue();
        assertThat(tail.max()).isEqualTo(3);
        assertThat(tail.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(tail.shows(assigned().build())).isTrue();
        assertThat(tail.shows(assigned().setOrganizationId("org-other").build())).isFalse();
        CliCommand.Tail unbounded = CliRun.tail("tail");
        assertThat(unbounded.max()).isNull();
        assertThat(unbounded.timeout()).isNull();
        assertThat(unbounded.fromBeginning()).isFalse();
    }

    @Test
    void rejectsAnUnknownFlagByName() {
        assertThat(usageError("tail", "--follow")).startsWith("error: Unknown option: '--follow'");
        assertThat(usageError("tail", "--channel-id", MAILBOX_ID)).startsWith("error: Unknown options: '--channel-id'");
    }

    @Test
    void rejectsAFlagWithoutItsValue() {
        assertThat(usageError(sendWith("--agent-handle")))
                .isEqualTo("error: Missing required parameter for option '--agent-handle' (HANDLE)");
        assertThat(usageError("send", "--organization-id", "--agent-handle", "x"))
                .isEqualTo("error: Expected parameter for option '--organization-id' but found '--agent-handle'");
        assertThat(usageError("tail", "--json=yes")).contains("--json");
    }

    @Test
    void rejectsAnUnknownOperationOrChannelTypeListingTheChoices() {
        assertThat(usageError("send", "--organization-id", "org-acme", "--agent-handle", "a",
                "--operation", "ASSIGNED", "--channel-type", "MAILBOX", "--channel-id", MAILBOX_ID))
                .isEqualTo("error: Invalid value for option '--operation': must be ASSIGN or UNASSIGN, not 'ASSIGNED'");
        assertThat(usageError("send", "--organization-id", "org-acme", "--agent-handle", "a",
                "--operation", "UNASSIGN", "--channel-type", "FAX"))
                .isEqualTo("error: Invalid value for option '--channel-type': must be MAILBOX or PHONE_NUMBER, "
                        + "not 'FAX'");
    }

    @Test
    void namesEveryMissingRequiredFlag() {
        assertThat(usageError("send", "--organization-id", "org-acme"))
                .isEqualTo("error: Missing required options: '--agent-handle=HANDLE', "
                        + "'--operation=ASSIGN|UNASSIGN', '--channel-type=MAILBOX|PHONE_NUMBER'");
        assertThat(usageError("send", "--organization-id", "org-acme", "--agent-handle", "a",
                "--operation", "ASSIGN", "--channel-type", "MAILBOX"))
                .isEqualTo("error: --channel-id is required for --operation ASSIGN");
    }

    @Test
    void rejectsBadNumbersDurationsRepeatsAndStrayWords() {
        assertThat(usageError("tail", "--max", "0"))
                .isEqualTo("error: Invalid value for option '--max': must be a positive whole number, not '0'");
        assertThat(usageError("tail", "--timeout", "30")).isEqualTo("error: Invalid value for option '--timeout': "
                + "must be a positive duration like 500ms, 30s, 2m or 1h, not '30'");
        assertThat(usageError("tail", "--max", "1", "--max", "2"))
                .isEqualTo("error: option '--max' (N) should be specified only once");
        assertThat(usageError("tail", "outcomes")).startsWith("error: Unmatched argument at index 1: 'outcomes'");
        assertThat(usageError("sned")).startsWith("error: Unmatched argument at index 0: 'sned'");
        assertThat(usageError(sendWith("--agent-handle", " ")))
                .isEqualTo("error: Invalid value for option '--agent-handle': must not be blank");
    }

    @Test
    void anUnknownOptionOfAnyCommandIsBadUsageWithThatCommandsUsage() {
        for (String[] command : List.of(new String[] {"send"}, new String[] {"tail"}, new String[] {"token"},
                new String[] {"directory", "load"}, new String[] {"directory", "show"}, new String[] {"dlt", "list"},
                new String[] {"dlt", "replay"}, new String[] {"schemas", "register"},
                new String[] {"schemas", "check"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--colour");
            CliRun run = CliRun.of(Map.of(), args.toArray(String[]::new));

            assertThat(run.status()).as(args.toString()).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
            assertThat(run.stdout()).isEmpty();
            assertThat(run.stderr()).startsWith("error: Unknown option: '--colour'")
                    .contains("Usage: java -jar channel-assignment-worker.jar " + String.join(" ", command) + " ");
        }
    }

    @Test
    void helpOfEveryCommandExitsWith0OnStdout() {
        for (String[] command : List.of(new String[] {}, new String[] {"send"}, new String[] {"tail"},
                new String[] {"token"}, new String[] {"directory"}, new String[] {"directory", "load"},
                new String[] {"directory", "show"}, new String[] {"dlt"}, new String[] {"dlt", "list"},
                new String[] {"dlt", "replay"}, new String[] {"schemas"}, new String[] {"schemas", "register"},
                new String[] {"schemas", "check"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            CliRun run = CliRun.of(Map.of(), args.toArray(String[]::new));

            assertThat(run.status()).as(args.toString()).isZero();
            assertThat(run.stderr()).isEmpty();
            assertThat(run.stdout()).startsWith("Usage: java -jar channel-assignment-worker.jar"
                    + (command.length == 0 ? "" : " " + String.join(" ", command)) + " ").contains("--help");
        }
    }

    @Test
    void aParentCommandWithoutItsSubcommandIsBadUsage() {
        assertThat(usageError("dlt")).isEqualTo("error: dlt needs list or replay");
        assertThat(usageError("directory")).isEqualTo("error: directory needs load or show");
        assertThat(usageError("schemas")).isEqualTo("error: schemas needs register or check");
    }

    @Test
    void badUsageExitsWith64AndPrintsTheUsageOnStderrOnly() {
        Output output = new Output();

        int status = ChannelAssignmentCli.run(new String[] {"send", "--colour", "red"}, output.out, output.err);

        assertThat(status).isEqualTo(ChannelAssignmentCli.BAD_USAGE).isEqualTo(64);
        assertThat(output.stdout()).isEmpty();
        assertThat(output.stderr()).startsWith("error: Unknown options: '--colour', 'red'").contains("Usage:");
    }

    @Test
    void helpPrintsTheUsageOnStdout() {
        Output output = new Output();

        int status = ChannelAssignmentCli.run(new String[] {"tail", "--help"}, output.out, output.err);

        assertThat(status).isZero();
        assertThat(output.stdout()).contains("Usage:", "--from-beginning", "Exit status");
        assertThat(output.stderr()).isEmpty();
    }

    @Test
    void handlesOnlyItsOwnCommandsSoTheWorkerKeepsItsArguments() {
        assertThat(ChannelAssignmentCli.handles(new String[] {"send"})).isTrue();
        assertThat(ChannelAssignmentCli.handles(new String[] {"tail", "--json"})).isTrue();
        assertThat(ChannelAssignmentCli.handles(new String[] {"--spring.kafka.bootstrap-servers=x:9092"})).isFalse();
        assertThat(ChannelAssignmentCli.handles(new String[] {})).isFalse();
    }

    @Test
    void printsAnAssignmentOnOneReadableLine() {
        assertThat(OutcomeText.readable(assigned().build())).isEqualTo("2026-11-27T02:19:15Z  demo-01  ASSIGN "
                + "MAILBOX  ASSIGNED changed=true  channel=" + MAILBOX_ID + " handle=sales-agent org=org-acme");
    }

    @Test
    void printsARejectionWithItsCodeHttpStatusAndMessageOnOneLine() {
        ChannelAssignmentOutcome rejected = assigned().setStatus(OutcomeStatus.REJECTED).setChanged(false)
                .setRejection(new Rejection(RejectionCode.CHANNEL_NOT_FOUND, 404, "no mailbox " + MAILBOX_ID
                        + "\n  in org-acme"))
                .setIdentity(null).build();

        assertThat(OutcomeText.readable(rejected)).isEqualTo("2026-11-27T02:19:15Z  demo-01  ASSIGN MAILBOX  "
                + "REJECTED CHANNEL_NOT_FOUND (404): no mailbox " + MAILBOX_ID + " in org-acme  channel="
                + MAILBOX_ID + " handle=sales-agent org=org-acme");
    }

    @Test
    void printsAnUnassignmentWithoutChannelWithADash() {
        ChannelAssignmentOutcome noop = assigned().setOperation(Operation.UNASSIGN)
                .setChannelType(ChannelType.PHONE_NUMBER).setStatus(OutcomeStatus.UNASSIGNED).setChanged(false)
                .setChannelId(null).build();

        assertThat(OutcomeText.readable(noop)).isEqualTo("2026-11-27T02:19:15Z  demo-01  UNASSIGN PHONE_NUMBER  "
                + "UNASSIGNED changed=false  channel=- handle=sales-agent org=org-acme");
    }

    @Test
    void printsJsonOnOneLineWithTheSchemasFieldNames() {
        ChannelAssignmentOutcome rejected = assigned().setStatus(OutcomeStatus.REJECTED).setChanged(false)
                .setRejection(new Rejection(RejectionCode.IDENTITY_NOT_FOUND, 404, "no \"sales\"\nagent")).build();

        String json = OutcomeText.json(rejected);

        assertThat(json).doesNotContain("\n");
        JsonNode node = JsonMapper.builder().build().readTree(json);
        assertThat(node.get("request_id").asString()).isEqualTo("demo-01");
        assertThat(node.get("status").asString()).isEqualTo("REJECTED");
        assertThat(node.get("changed").asBoolean()).isFalse();
        assertThat(node.get("rejection").get("http_status").asInt()).isEqualTo(404);
        assertThat(node.get("rejection").get("message").asString()).isEqualTo("no \"sales\"\nagent");
        assertThat(node.get("processed_at").asString()).isEqualTo("2026-11-27T02:19:15.123Z");
    }

    /** The first line of what a run that must be bad usage printed on stderr; nothing went to stdout. */
    private static String usageError(String... args) {
        CliRun run = CliRun.of(Map.of(), args);
        assertThat(run.status()).as(run.stderr()).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
        assertThat(run.stdout()).isEmpty();
        return run.stderr().lines().findFirst().orElseThrow();
    }

    private static String[] sendWith(String... extra) {
        String[] args = {"send", "--organization-id", "org-acme", "--operation", "UNASSIGN", "--channel-type",
                "MAILBOX"};
        String[] all = new String[args.length + extra.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return all;
    }

    private static ChannelAssignmentOutcome.Builder assigned() {
        return ChannelAssignmentOutcome.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setRequestId("demo-01")
                .setCorrelationId("wf-7")
                .setOrganizationId("org-acme")
                .setAgentHandle("sales-agent")
                .setOperation(Operation.ASSIGN)
                .setChannelType(ChannelType.MAILBOX)
                .setChannelId(MAILBOX_ID)
                .setStatus(OutcomeStatus.ASSIGNED)
                .setChanged(true)
                .setProcessedAt(Instant.parse("2026-11-27T02:19:15.123Z"));
    }

    /** stdout and stderr of one run, captured. */
    private static final class Output {
        private final ByteArrayOutputStream stdoutBytes = new ByteArrayOutputStream();
        private final ByteArrayOutputStream stderrBytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(stdoutBytes, true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(stderrBytes, true, StandardCharsets.UTF_8);

        String stdout() {
            return stdoutBytes.toString(StandardCharsets.UTF_8);
        }

        String stderr() {
            return stderrBytes.toString(StandardCharsets.UTF_8);
        }
    }
}
