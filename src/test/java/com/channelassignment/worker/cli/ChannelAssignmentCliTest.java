package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.Rejection;
import com.channelassignment.worker.kafka.avro.RejectionCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The command-line client's parsing and printing, without Kafka. */
class ChannelAssignmentCliTest {

    private static final String MAILBOX_ID = "6f1c2e1a-0000-4000-8000-0000000000a1";

    @Test
    void parsesSendWithDefaultsForWhatIsLeftOut() {
        CliCommand.Send send = (CliCommand.Send) CliArguments.parse("send", "--organization-id", "org-acme",
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
        CliCommand.Send send = (CliCommand.Send) CliArguments.parse("send", "--bootstrap-servers=broker:9093",
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
    void parsesTailWithItsLimitsAndFilters() {
        CliCommand.Tail tail = (CliCommand.Tail) CliArguments.parse("tail", "--from-beginning", "--max", "3",
                "--timeout", "2m", "--organization-id", "org-acme");

        assertThat(tail.fromBeginning()).isTrue();
        assertThat(tail.max()).isEqualTo(3);
        assertThat(tail.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(tail.shows(assigned().build())).isTrue();
        assertThat(tail.shows(assigned().setOrganizationId("org-other").build())).isFalse();
        CliCommand.Tail unbounded = (CliCommand.Tail) CliArguments.parse("tail");
        assertThat(unbounded.max()).isNull();
        assertThat(unbounded.timeout()).isNull();
        assertThat(unbounded.fromBeginning()).isFalse();
    }

    @Test
    void rejectsAnUnknownFlagByName() {
        assertThatThrownBy(() -> CliArguments.parse("tail", "--follow"))
                .isInstanceOf(CliUsageException.class).hasMessage("unknown flag --follow for tail");
        assertThatThrownBy(() -> CliArguments.parse("tail", "--channel-id", MAILBOX_ID))
                .isInstanceOf(CliUsageException.class).hasMessage("unknown flag --channel-id for tail");
    }

    @Test
    void rejectsAFlagWithoutItsValue() {
        assertThatThrownBy(() -> sendWith("--agent-handle"))
                .isInstanceOf(CliUsageException.class).hasMessage("--agent-handle needs a value");
        assertThatThrownBy(() -> CliArguments.parse("send", "--organization-id", "--agent-handle", "x"))
                .isInstanceOf(CliUsageException.class).hasMessage("--organization-id needs a value");
        assertThatThrownBy(() -> CliArguments.parse("tail", "--json=yes"))
                .isInstanceOf(CliUsageException.class).hasMessage("--json takes no value");
    }

    @Test
    void rejectsAnUnknownOperationOrChannelTypeListingTheChoices() {
        assertThatThrownBy(() -> CliArguments.parse("send", "--organization-id", "org-acme", "--agent-handle", "a",
                "--operation", "ASSIGNED", "--channel-type", "MAILBOX", "--channel-id", MAILBOX_ID))
                .isInstanceOf(CliUsageException.class)
                .hasMessage("--operation must be ASSIGN or UNASSIGN, not 'ASSIGNED'");
        assertThatThrownBy(() -> CliArguments.parse("send", "--organization-id", "org-acme", "--agent-handle", "a",
                "--operation", "UNASSIGN", "--channel-type", "FAX"))
                .isInstanceOf(CliUsageException.class)
                .hasMessage("--channel-type must be MAILBOX or PHONE_NUMBER, not 'FAX'");
    }

    @Test
    void namesEveryMissingRequiredFlag() {
        assertThatThrownBy(() -> CliArguments.parse("send", "--organization-id", "org-acme"))
                .isInstanceOf(CliUsageException.class)
                .hasMessage("send needs --agent-handle, --operation, --channel-type");
        assertThatThrownBy(() -> CliArguments.parse("send", "--organization-id", "org-acme", "--agent-handle", "a",
                "--operation", "ASSIGN", "--channel-type", "MAILBOX"))
                .isInstanceOf(CliUsageException.class)
                .hasMessage("--channel-id is required for --operation ASSIGN");
    }

    @Test
    void rejectsBadNumbersDurationsRepeatsAndStrayWords() {
        assertThatThrownBy(() -> CliArguments.parse("tail", "--max", "0"))
                .hasMessage("--max must be a positive whole number, not '0'");
        assertThatThrownBy(() -> CliArguments.parse("tail", "--timeout", "30"))
                .hasMessage("--timeout must be a positive duration like 500ms, 30s, 2m or 1h, not '30'");
        assertThatThrownBy(() -> CliArguments.parse("tail", "--max", "1", "--max", "2"))
                .hasMessage("--max is given twice");
        assertThatThrownBy(() -> CliArguments.parse("tail", "outcomes"))
                .hasMessage("unexpected argument 'outcomes': flags start with --");
        assertThatThrownBy(() -> CliArguments.parse("sned"))
                .hasMessage("unknown command 'sned': send, tail, token, directory or dlt");
        assertThatThrownBy(() -> sendWith("--agent-handle", " "))
                .hasMessage("--agent-handle must not be blank");
    }

    @Test
    void badUsageExitsWith64AndPrintsTheUsageOnStderrOnly() {
        Output output = new Output();

        int status = ChannelAssignmentCli.run(new String[] {"send", "--colour", "red"}, output.out, output.err);

        assertThat(status).isEqualTo(ChannelAssignmentCli.BAD_USAGE).isEqualTo(64);
        assertThat(output.stdout()).isEmpty();
        assertThat(output.stderr()).startsWith("error: unknown flag --colour for send\n").contains("Usage:");
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

    private static CliCommand sendWith(String... extra) {
        String[] args = {"send", "--organization-id", "org-acme", "--operation", "UNASSIGN", "--channel-type",
                "MAILBOX"};
        String[] all = new String[args.length + extra.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return CliArguments.parse(all);
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
