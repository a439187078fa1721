package com.channelassignment.worker.contract;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.IdentityDetail;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.IdentityStatus;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.Rejection;
import com.channelassignment.worker.kafka.avro.RejectionCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;

/**
 * Outcomes: written with the current schema, read when written with it or any released one. Idempotency records keep
 * outcomes as they were first written, so replays of older ones must still be read.
 */
final class OutcomeCodec {

    private final BinaryMessageEncoder<ChannelAssignmentOutcome> encoder;
    private final BinaryMessageDecoder<ChannelAssignmentOutcome> decoder;
    private final ConfluentFraming confluent;

    OutcomeCodec(SpecificData model, ConfluentFraming confluent) {
        this.confluent = confluent;
        encoder = new BinaryMessageEncoder<>(model, ChannelAssignmentOutcome.getClassSchema(),
                AvroContract.ENCODER_COPIES_BUFFER);
        decoder = new BinaryMessageDecoder<>(model, ChannelAssignmentOutcome.getClassSchema());
        ReleasedSchemas.outcomes().forEach(decoder::addSchema);
    }

    ChannelAssignmentOutcome decode(byte[] value) {
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return ConfluentFraming.required(confluent, value).decode(value, ChannelAssignmentOutcome.class,
                    ChannelAssignmentOutcome.getClassSchema());
        }
        try {
            return decoder.decode(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] encode(ChannelAssignmentOutcome outcome) {
        return AvroContract.encode(() -> encoder.encode(outcome));
    }

    static ChannelAssignmentOutcome toAvro(Outcome outcome) {
        AssignmentRequest request = outcome.request();
        return ChannelAssignmentOutcome.newBuilder()
                .setEventId(outcome.eventId().toString())
                .setRequestId(request.requestId())
                .setCorrelationId(request.correlationId())
                .setOrganizationId(request.organizationId())
                .setAgentHandle(request.agentHandle())
                .setOperation(com.channelassignment.worker.kafka.avro.Operation.valueOf(request.operation().name()))
                .setChannelType(
                        com.channelassignment.worker.kafka.avro.ChannelType.valueOf(request.channelType().name()))
                .setChannelId(outcome.channelId())
                .setStatus(OutcomeStatus.valueOf(outcome.status().name()))
                .setChanged(outcome.changed())
                .setRejection(outcome.rejection() == null ? null : new Rejection(
                        RejectionCode.valueOf(outcome.rejection().code().name()),
                        outcome.rejection().code().httpStatus(), outcome.rejection().message()))
                .setIdentity(outcome.identity() == null ? null : toAvro(outcome.identity()))
                .setProcessedAt(outcome.processedAt())
                .build();
    }

    private static com.channelassignment.worker.kafka.avro.IdentityDetail toAvro(IdentityDetail detail) {
        com.channelassignment.worker.kafka.avro.IdentityDetail avro =
                com.channelassignment.worker.kafka.avro.IdentityDetail.newBuilder()
                        .setId(detail.identity().id().toString())
                        .setOrganizationId(detail.identity().organizationId())
                        .setAgentHandle(detail.identity().agentHandle())
                        .setStatus(IdentityStatus.valueOf(detail.identity().status().name().toLowerCase(Locale.ROOT)))
                        .setCreatedAt(detail.identity().createdAt())
                        .setUpdatedAt(detail.identity().updatedAt())
                        .build();
        for (Channel channel : detail.channels()) {
            avro.put(ChannelContract.detailField(channel.type()).pos(),
                    ChannelContract.of(channel.type()).detail(channel));
        }
        return avro;
    }
}
