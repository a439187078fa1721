package com.channelassignment.worker.domain;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import java.time.Instant;
import java.util.UUID;

/**
 * Test data builder for channel assignment requests: valid defaults, so a test names only what matters to it. Builds
 * the domain's request, or the Avro record a producer puts on the wire ({@link #buildWire}).
 */
public final class AssignmentRequests {

    public static final String ORGANIZATION = "org-abc123";
    public static final String HANDLE = "sales-bot";
    public static final Instant REQUESTED_AT = Instant.parse("2025-01-15T10:15:30.123Z");

    private String requestId = "req-" + UUID.randomUUID();
    private String organizationId = ORGANIZATION;
    private String agentHandle = HANDLE;
    private Operation operation;
    private ChannelType channelType = ChannelType.MAILBOX;
    private String channelId;
    private Instant requestedAt = REQUESTED_AT;
    private String correlationId = "corr-" + UUID.randomUUID();

    private AssignmentRequests(Operation operation, String channelId) {
        this.operation = operation;
        this.channelId = channelId;
    }

    /** An ASSIGN of a random mailbox id to {@value #HANDLE} in {@value #ORGANIZATION}. */
    public static AssignmentRequests anAssignment() {
        return new AssignmentRequests(Operation.ASSIGN, UUID.randomUUID().toString());
    }

    /** An UNASSIGN of the mailbox of {@value #HANDLE} in {@value #ORGANIZATION}, without a channel id. */
    public static AssignmentRequests anUnassignment() {
        return new AssignmentRequests(Operation.UNASSIGN, null);
    }

    public AssignmentRequests withRequestId(String requestId) {
        this.requestId = requestId;
        return this;
    }

    public AssignmentRequests inOrganization(String organizationId) {
        this.organizationId = organizationId;
        return this;
    }

    public AssignmentRequests withoutOrganization() {
        return inOrganization(null);
    }

    public AssignmentRequests forHandle(String agentHandle) {
        this.agentHandle = agentHandle;
        return this;
    }

    public AssignmentRequests withOperation(Operation operation) {
        this.operation = operation;
        return this;
    }

    public AssignmentRequests ofType(ChannelType channelType) {
        this.channelType = channelType;
        return this;
    }

    /** The channel's id and type. */
    public AssignmentRequests ofChannel(Channel channel) {
        return ofType(channel.type()).ofChannel(channel.id());
    }

    /** A mailbox by id; null for none. */
    public AssignmentRequests ofMailbox(UUID mailboxId) {
        return ofType(ChannelType.MAILBOX).withChannelId(mailboxId == null ? null : mailboxId.toString());
    }

    /** A phone number by id; null for none. */
    public AssignmentRequests ofPhoneNumber(UUID phoneNumberId) {
        return ofType(ChannelType.PHONE_NUMBER).withChannelId(phoneNumberId == null ? null
                : phoneNumberId.toString());
    }

    public AssignmentRequests ofChannel(UUID channelId) {
        return withChannelId(channelId.toString());
    }

    /** The channel_id exactly as the producer wrote it, valid or not; null for none. */
    public AssignmentRequests withChannelId(String channelId) {
        this.channelId = channelId;
        return this;
    }

    public AssignmentRequests requestedAt(Instant requestedAt) {
        this.requestedAt = requestedAt;
        return this;
    }

    public AssignmentRequests withCorrelationId(String correlationId) {
        this.correlationId = correlationId;
        return this;
    }

    public AssignmentRequest build() {
        return new AssignmentRequest(requestId, organizationId, agentHandle, operation, channelType, channelId,
                requestedAt, correlationId);
    }

    /** The request as a producer writes it on the requests topic. */
    public ChannelAssignmentRequest buildWire() {
        return ChannelAssignmentRequest.newBuilder()
                .setRequestId(requestId)
                .setOrganizationId(organizationId)
                .setAgentHandle(agentHandle)
                .setOperation(com.channelassignment.worker.kafka.avro.Operation.valueOf(operation.name()))
                .setChannelType(com.channelassignment.worker.kafka.avro.ChannelType.valueOf(channelType.name()))
                .setChannelId(channelId)
                .setRequestedAt(requestedAt)
                .setCorrelationId(correlationId)
                .build();
    }
}
