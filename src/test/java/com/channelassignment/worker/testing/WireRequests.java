package com.channelassignment.worker.testing;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import java.time.Instant;
import java.util.UUID;

/** Builds requests as producers put them on the wire; a test names only the fields that matter to it. */
public final class WireRequests {

    private final ChannelAssignmentRequest.Builder builder;

    private WireRequests(Operation operation) {
        builder = ChannelAssignmentRequest.newBuilder()
                .setRequestId("req-" + UUID.randomUUID())
                .setOrganizationId("org-abc123")
                .setAgentHandle("sales-agent")
                .setOperation(operation)
                .setChannelType(ChannelType.MAILBOX)
                .setChannelId(operation == Operation.ASSIGN ? UUID.randomUUID().toString() : null)
                .setRequestedAt(Instant.now())
                .setCorrelationId("corr-" + UUID.randomUUID());
    }

    public static WireRequests anAssignment() {
        return new WireRequests(Operation.ASSIGN);
    }

    public static WireRequests anUnassignment() {
        return new WireRequests(Operation.UNASSIGN);
    }

    public WireRequests withRequestId(String requestId) {
        builder.setRequestId(requestId);
        return this;
    }

    public WireRequests inOrganization(String organizationId) {
        builder.setOrganizationId(organizationId);
        return this;
    }

    public WireRequests forHandle(String handle) {
        builder.setAgentHandle(handle);
        return this;
    }

    public WireRequests ofMailbox(UUID mailboxId) {
        builder.setChannelType(ChannelType.MAILBOX).setChannelId(mailboxId == null ? null : mailboxId.toString());
        return this;
    }

    public WireRequests ofPhoneNumber(UUID phoneNumberId) {
        builder.setChannelType(ChannelType.PHONE_NUMBER)
                .setChannelId(phoneNumberId == null ? null : phoneNumberId.toString());
        return this;
    }

    public WireRequests ofType(ChannelType type) {
        builder.setChannelType(type);
        return this;
    }

    public WireRequests requestedAt(Instant requestedAt) {
        builder.setRequestedAt(requestedAt);
        return this;
    }

    public WireRequests withCorrelationId(String correlationId) {
        builder.setCorrelationId(correlationId);
        return this;
    }

    public ChannelAssignmentRequest build() {
        return builder.build();
    }
}
