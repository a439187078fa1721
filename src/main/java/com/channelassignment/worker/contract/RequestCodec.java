package com.channelassignment.worker.contract;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;

/** Channel assignment requests: written with the current schema, read when written with it or any released one. */
final class RequestCodec {

    private final BinaryMessageDecoder<ChannelAssignmentRequest> decoder;
    private final BinaryMessageEncoder<ChannelAssignmentRequest> encoder;
    private final ConfluentFraming confluent;

    RequestCodec(SpecificData model, List<Schema> olderSchemas, ConfluentFraming confluent) {
        this.confluent = confluent;
        decoder = new BinaryMessageDecoder<>(model, ChannelAssignmentRequest.getClassSchema());
        olderSchemas.forEach(decoder::addSchema);
        encoder = new BinaryMessageEncoder<>(model, ChannelAssignmentRequest.getClassSchema(),
                AvroContract.ENCODER_COPIES_BUFFER);
    }

    AssignmentRequest decode(byte[] value) {
        if (value == null) {
            throw new UndecodableRecordException("record has no value (tombstone)", null);
        }
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return toDomain(ConfluentFraming.required(confluent, value).decode(value, ChannelAssignmentRequest.class,
                    ChannelAssignmentRequest.getClassSchema()));
        }
        ChannelAssignmentRequest request;
        try {
            request = decoder.decode(value);
        } catch (IOException | RuntimeException e) {
            // Whatever decoding untrusted bytes throws says the bytes are wrong, not the worker: Avro answers a
            // corrupt length prefix with UnsupportedOperationException, a length beyond the limits with
            // SystemLimitException.
            throw new UndecodableRecordException("not a channel assignment request: "
                    + UndecodableRecordException.describe(e), e);
        }
        return toDomain(request);
    }

    byte[] encode(ChannelAssignmentRequest request) {
        return AvroContract.encode(() -> encoder.encode(request));
    }

    /** The request as the rules read it; building it never fails on content. */
    static AssignmentRequest toDomain(ChannelAssignmentRequest request) {
        return new AssignmentRequest(request.getRequestId(), request.getOrganizationId(), request.getAgentHandle(),
                Operation.valueOf(request.getOperation().name()),
                ChannelType.valueOf(request.getChannelType().name()),
                request.getChannelId(), request.getRequestedAt(), request.getCorrelationId());
    }

    static ChannelAssignmentRequest toAvro(AssignmentRequest request) {
        return ChannelAssignmentRequest.newBuilder()
                .setRequestId(request.requestId())
                .setOrganizationId(request.organizationId())
                .setAgentHandle(request.agentHandle())
                .setOperation(com.channelassignment.worker.kafka.avro.Operation.valueOf(request.operation().name()))
                .setChannelType(
                        com.channelassignment.worker.kafka.avro.ChannelType.valueOf(request.channelType().name()))
                .setChannelId(request.channelId())
                .setRequestedAt(request.requestedAt())
                .setCorrelationId(request.correlationId())
                .build();
    }
}
