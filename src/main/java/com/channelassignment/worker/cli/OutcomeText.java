package com.channelassignment.worker.cli;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.Rejection;
import java.time.temporal.ChronoUnit;

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
