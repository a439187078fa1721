package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.registry.SchemaIds;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** What {@code send}, {@code tail} and {@code token} were asked to do, as values checked when they are made. */
sealed interface CliCommand permits CliCommand.Send, CliCommand.Tail, CliCommand.Token {

    /**
     * What every command needs to reach the cluster and read outcomes; {@code registry} is null when none was named,
     * and then Confluent-framed records cannot be read.
     */
    record Connection(KafkaClients kafka, String outcomesTopic, boolean json, SchemaIds registry) {

        String bootstrapServers() {
            return kafka.bootstrapServers();
        }
    }

    /** Produce one request, then (unless {@code waitForOutcome} is false) wait for its outcome. */
    record Send(Connection connection, WireFormat wireFormat, String requestsTopic, String requestId, String organizationId,
            String agentHandle, Operation operation, ChannelType channelType, String channelId, String correlationId,
            Duration timeout, boolean waitForOutcome) implements CliCommand {

        public Send {
            // The schema allows it, but an ASSIGN without a channel is always a typing mistake at a terminal.
            if (operation == Operation.ASSIGN && channelId == null) {
                throw new CliUsageException("--channel-id is required for --operation ASSIGN");
            }
        }

        ChannelAssignmentRequest toRequest(Instant requestedAt) {
            return ChannelAssignmentRequest.newBuilder()
                    .setRequestId(requestId)
                    .setOrganizationId(organizationId)
                    .setAgentHandle(agentHandle)
                    .setOperation(operation)
                    .setChannelType(channelType)
                    .setChannelId(channelId)
                    .setRequestedAt(requestedAt)
                    .setCorrelationId(correlationId)
                    .build();
        }
    }

    /** Follow the outcomes topic; {@code max} and {@code timeout} are null when unbounded. */
    record Tail(Connection connection, boolean fromBeginning, Integer max, Duration timeout, String organizationId,
            String requestId) implements CliCommand {

        boolean shows(ChannelAssignmentOutcome outcome) {
            return (organizationId == null || organizationId.equals(outcome.getOrganizationId()))
                    && (requestId == null || requestId.equals(outcome.getRequestId()));
        }
    }

    /** Print a bearer token for the HTTP API naming {@code organizationId}, signed with the key in the file. */
    record Token(String organizationId, Path privateKey, Duration ttl, String organizationClaim) implements CliCommand {
    }
}
