package com.channelassignment.worker.cli;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.Rejection;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** How the command-line client prints an outcome: one readable line for people, one JSON object for scripts. */
final class OutcomeText {

    private OutcomeText() {
    }

    /** {@code 2026-11-27T02:19:15Z  req-1  ASSIGN MAILBOX  ASSIGNED changed=true  channel=… handle=… org=…}. */
    static String readable(ChannelAssignmentOutcome outcome) {
        return "%s  %s  %s %s  %s  channel=%s handle=%s org=%s".formatted(
                outcome.getProcessedAt().truncatedTo(ChronoUnit.SECONDS), outcome.getRequestId(),
                outcome.getOperation(), outcome.getChannelType(), result(outcome),
                orDash(outcome.getChannelId()), outcome.getAgentHandle(), orDash(outcome.getOrganizationId()));
    }

    /** Avro's own rendering of a record is JSON on one line, with the schema's field names. */
    static String json(ChannelAssignmentOutcome outcome) {
        return outcome.toString();
    }

    /** One outcome on one line, flushed: a script reading the output sees each as it arrives. */
    static void print(PrintStream out, ChannelAssignmentOutcome outcome, boolean json) {
        out.println(json ? json(outcome) : readable(outcome));
        out.flush();
    }

    /** A header's value as UTF-8 text, or null when the record has no such header. */
    static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String result(ChannelAssignmentOutcome outcome) {
        Rejection rejection = outcome.getRejection();
        if (rejection == null) {
            return outcome.getStatus() + " changed=" + outcome.getChanged();
        }
        // One outcome, one line: a multi-line message would break `grep` and `wc -l` on the output.
        return "%s %s (%d): %s".formatted(outcome.getStatus(), rejection.getCode(), rejection.getHttpStatus(),
                rejection.getMessage().replaceAll("\\s*\\R\\s*", " "));
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
