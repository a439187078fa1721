package com.channelassignment.worker.demo;

import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.RejectionCode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo stream, with the outcome each record must get. README.md ("Demo") lists the same table; the demo test
 * holds the worker to it.
 */
public final class DemoScenario {

    static final String ACME = "org-acme";
    static final String GLOBEX = "org-globex";
    static final String SALES_MAILBOX = "00000000-0000-4000-8000-00000000a101";
    static final String CONTESTED_MAILBOX = "00000000-0000-4000-8000-00000000a103";
    static final String SPARE_MAILBOX = "00000000-0000-4000-8000-00000000a104";
    static final String GLOBEX_MAILBOX = "00000000-0000-4000-8000-00000000a201";
    static final String TOLL_FREE_NUMBER = "00000000-0000-4000-8000-00000000b101";
    static final String LOCAL_NUMBER = "00000000-0000-4000-8000-00000000b102";
    static final String RELEASED_NUMBER = "00000000-0000-4000-8000-00000000b103";

    /** What a record must get: an outcome with this status, code and changed flag, or a dead letter. */
    public record Expected(OutcomeStatus status, RejectionCode code, Boolean changed, boolean deadLetter) {

        static Expected outcome(OutcomeStatus status, boolean changed) {
            return new Expected(status, null, changed, false);
        }

        static Expected rejected(RejectionCode code) {
            return new Expected(OutcomeStatus.REJECTED, code, false, false);
        }

        static Expected deadLettered() {
            return new Expected(null, null, null, true);
        }

        @Override
        public String toString() {
            if (deadLetter) {
                return "dead-lettered";
            }
            return status + (code == null ? "" : " " + code) + " changed=" + changed;
        }
    }

    /** One record of the demo stream. {@code requestId} is null for records that are not requests at all. */
    public record Step(String label, String key, byte[] value, String requestId, Expected expected) {
    }

    private final AvroContract contract;
    private final List<Step> steps = new ArrayList<>();

    private final WireFormat format;
    private final String topic;

    /** The demo stream in single-object encoding. */
    public DemoScenario(AvroContract contract) {
        this(contract, WireFormat.SINGLE_OBJECT, null);
    }

    /** The demo stream's requests framed in {@code format} for {@code topic}; the garbage record stays garbage. */
    public DemoScenario(AvroContract contract, WireFormat format, String topic) {
        this.contract = contract;
        this.format = format;
        this.topic = topic;
        request("assign a mailbox to @sales-agent", "demo-01", ACME, "@sales-agent", Operation.ASSIGN,
                ChannelType.MAILBOX, SALES_MAILBOX, Expected.outcome(OutcomeStatus.ASSIGNED, true));
        request("assign a toll-free number to sales-agent", "demo-02", ACME, "sales-agent", Operation.ASSIGN,
                ChannelType.PHONE_NUMBER, TOLL_FREE_NUMBER, Expected.outcome(OutcomeStatus.ASSIGNED, true));
        request("duplicate of demo-01 (re-sent after a timeout)", "demo-01", ACME, "@sales-agent", Operation.ASSIGN,
                ChannelType.MAILBOX, SALES_MAILBOX, Expected.outcome(OutcomeStatus.ASSIGNED, true));
        request("assign the mailbox sales-agent already holds", "demo-04", ACME, "sales-agent", Operation.ASSIGN,
                ChannelType.MAILBOX, SALES_MAILBOX, Expected.outcome(OutcomeStatus.ASSIGNED, false));
        request("reuse demo-01's key for an unassignment", "demo-01", ACME, "sales-agent", Operation.UNASSIGN,
                ChannelType.MAILBOX, null, Expected.rejected(RejectionCode.IDEMPOTENCY_KEY_REUSED));
        request("take org-globex's mailbox from org-acme", "demo-06", ACME, "support-agent", Operation.ASSIGN,
                ChannelType.MAILBOX, GLOBEX_MAILBOX, Expected.rejected(RejectionCode.CHANNEL_NOT_FOUND));
        request("race: race-a claims the contested mailbox", "demo-07", ACME, "race-a", Operation.ASSIGN,
                ChannelType.MAILBOX, CONTESTED_MAILBOX, Expected.outcome(OutcomeStatus.ASSIGNED, true));
        request("race: race-b claims the same mailbox", "demo-08", ACME, "race-b", Operation.ASSIGN,
                ChannelType.MAILBOX, CONTESTED_MAILBOX, Expected.rejected(RejectionCode.CHANNEL_ALREADY_ASSIGNED));
        request("support-agent already has a mailbox", "demo-09", ACME, "support-agent", Operation.ASSIGN,
                ChannelType.MAILBOX, SPARE_MAILBOX, Expected.rejected(RejectionCode.IDENTITY_CHANNEL_OCCUPIED));
        request("unassign sales-agent's phone number", "demo-10", ACME, "sales-agent", Operation.UNASSIGN,
                ChannelType.PHONE_NUMBER, null, Expected.outcome(OutcomeStatus.UNASSIGNED, true));
        request("unassign it again", "demo-11", ACME, "sales-agent", Operation.UNASSIGN,
                ChannelType.PHONE_NUMBER, null, Expected.outcome(OutcomeStatus.UNASSIGNED, false));
        request("the paused night-shift gets the freed number", "demo-12", ACME, "night-shift", Operation.ASSIGN,
                ChannelType.PHONE_NUMBER, TOLL_FREE_NUMBER, Expected.outcome(OutcomeStatus.ASSIGNED, true));
        request("no organization", "demo-13", null, "sales-agent", Operation.ASSIGN,
                ChannelType.MAILBOX, SPARE_MAILBOX, Expected.rejected(RejectionCode.ORGANIZATION_MISSING));
        request("malformed channel id", "demo-14", ACME, "race-b", Operation.ASSIGN,
                ChannelType.MAILBOX, "a103-not-a-uuid", Expected.rejected(RejectionCode.INVALID_REQUEST));
        request("unknown handle", "demo-15", ACME, "nobody", Operation.ASSIGN,
                ChannelType.MAILBOX, SPARE_MAILBOX, Expected.rejected(RejectionCode.IDENTITY_NOT_FOUND));
        request("deleted identity", "demo-16", ACME, "former-agent", Operation.UNASSIGN,
                ChannelType.MAILBOX, null, Expected.rejected(RejectionCode.IDENTITY_NOT_FOUND));
        request("released phone number", "demo-17", ACME, "race-b", Operation.ASSIGN,
                ChannelType.PHONE_NUMBER, RELEASED_NUMBER, Expected.rejected(RejectionCode.CHANNEL_NOT_FOUND));
        steps.add(new Step("garbage bytes on the request topic", ACME,
                "{\"this\": \"is not avro\"}".getBytes(StandardCharsets.UTF_8), null, Expected.deadLettered()));
        request("a valid request after the garbage", "demo-19", ACME, "race-b", Operation.ASSIGN,
                ChannelType.PHONE_NUMBER, LOCAL_NUMBER, Expected.outcome(OutcomeStatus.ASSIGNED, true));
    }

    public List<Step> steps() {
        return List.copyOf(steps);
    }

    private void request(String label, String requestId, String organizationId, String handle, Operation operation,
            ChannelType type, String channelId, Expected expected) {
        ChannelAssignmentRequest request = ChannelAssignmentRequest.newBuilder()
                .setRequestId(requestId)
                .setOrganizationId(organizationId)
                .setAgentHandle(handle)
                .setOperation(operation)
                .setChannelType(type)
                .setChannelId(channelId)
                .setRequestedAt(Instant.now())
                .setCorrelationId("demo-workflow")
                .build();
        // Keyed by organization, as producers are told to: one organization's requests stay in order.
        steps.add(new Step(label, organizationId == null ? "no-organization" : organizationId,
                contract.encodeRequest(request, format, topic), requestId, expected));
    }
}
