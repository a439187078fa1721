package com.channelassignment.worker.kafka;

import com.channelassignment.worker.application.OutcomeEncoder;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.IdentityDetail;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.IdentityStatus;
import com.channelassignment.worker.kafka.avro.MailboxDetail;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.PhoneNumberDetail;
import com.channelassignment.worker.kafka.avro.PhoneNumberType;
import com.channelassignment.worker.kafka.avro.Rejection;
import com.channelassignment.worker.kafka.avro.RejectionCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.ClassSecurityValidator;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The wire contract: Avro single-object encoding (marker, CRC-64-AVRO fingerprint, binary body) of the schemas in
 * {@code schemas/}. Requests written by the current schema or any released one are read through schema resolution.
 */
public final class AvroContract implements OutcomeEncoder {

    public static final String RELEASED_REQUEST_SCHEMAS = "classpath*:schemas/released/*/channel-assignment-request.avsc";

    static {
        // Avro 1.12.2 only instantiates classes from trusted packages; the generated contract classes must be.
        String generatedPackage = ChannelAssignmentRequest.class.getPackageName();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                type -> type.getPackageName().equals(generatedPackage)));
    }

    private final BinaryMessageDecoder<ChannelAssignmentRequest> requestDecoder;
    private final BinaryMessageEncoder<ChannelAssignmentRequest> requestEncoder;
    private final BinaryMessageEncoder<ChannelAssignmentOutcome> outcomeEncoder;
    private final BinaryMessageDecoder<ChannelAssignmentOutcome> outcomeDecoder;

    public AvroContract() {
        this(releasedRequestSchemas());
    }

    AvroContract(List<Schema> olderRequestSchemas) {
        SpecificData model = SpecificData.getForClass(ChannelAssignmentRequest.class);
        requestDecoder = new BinaryMessageDecoder<>(model, ChannelAssignmentRequest.getClassSchema());
        olderRequestSchemas.forEach(requestDecoder::addSchema);
        requestEncoder = new BinaryMessageEncoder<>(model, ChannelAssignmentRequest.getClassSchema());
        outcomeEncoder = new BinaryMessageEncoder<>(model, ChannelAssignmentOutcome.getClassSchema());
        outcomeDecoder = new BinaryMessageDecoder<>(model, ChannelAssignmentOutcome.getClassSchema());
    }

    public AssignmentRequest decodeRequest(byte[] value) {
        if (value == null) {
            throw new UndecodableRecordException("record has no value (tombstone)", null);
        }
        ChannelAssignmentRequest request;
        try {
            request = requestDecoder.decode(value);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // Whatever decoding untrusted bytes throws says the bytes are wrong, not the worker: Avro answers a
            // corrupt length prefix with UnsupportedOperationException, or tries to allocate a gigantic array.
            throw new UndecodableRecordException("not a channel assignment request: " + describe(e), e);
        }
        return new AssignmentRequest(request.getRequestId(), request.getOrganizationId(), request.getAgentHandle(),
                Operation.valueOf(request.getOperation().name()),
                ChannelType.valueOf(request.getChannelType().name()),
                request.getChannelId(), request.getRequestedAt(), request.getCorrelationId());
    }

    public byte[] encodeRequest(ChannelAssignmentRequest request) {
        return encode(() -> requestEncoder.encode(request));
    }

    public ChannelAssignmentOutcome decodeOutcome(byte[] value) {
        try {
            return outcomeDecoder.decode(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] encode(Outcome outcome) {
        return encode(() -> outcomeEncoder.encode(toAvro(outcome)));
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
        return com.channelassignment.worker.kafka.avro.IdentityDetail.newBuilder()
                .setId(detail.identity().id().toString())
                .setOrganizationId(detail.identity().organizationId())
                .setAgentHandle(detail.identity().agentHandle())
                .setStatus(IdentityStatus.valueOf(detail.identity().status().name().toLowerCase(Locale.ROOT)))
                .setCreatedAt(detail.identity().createdAt())
                .setUpdatedAt(detail.identity().updatedAt())
                .setMailbox(detail.mailbox() == null ? null : toAvro(detail.mailbox()))
                .setPhoneNumber(detail.phoneNumber() == null ? null : toAvro(detail.phoneNumber()))
                .build();
    }

    private static MailboxDetail toAvro(Mailbox mailbox) {
        return new MailboxDetail(mailbox.id().toString(), mailbox.emailAddress(), mailbox.displayName(),
                mailbox.createdAt(), mailbox.updatedAt());
    }

    private static PhoneNumberDetail toAvro(PhoneNumber phoneNumber) {
        return new PhoneNumberDetail(phoneNumber.id().toString(), phoneNumber.number(),
                PhoneNumberType.valueOf(phoneNumber.numberType().name().toLowerCase(Locale.ROOT)),
                phoneNumber.createdAt(), phoneNumber.updatedAt());
    }

    /** Every released request schema kept under {@code schemas/released}, as shipped on the classpath. */
    public static List<Schema> releasedRequestSchemas() {
        try {
            List<Schema> schemas = new ArrayList<>();
            for (Resource resource : new PathMatchingResourcePatternResolver().getResources(RELEASED_REQUEST_SCHEMAS)) {
                try (InputStream in = resource.getInputStream()) {
                    schemas.add(new Schema.Parser().parse(in));
                }
            }
            return schemas;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the released request schemas", e);
        }
    }

    private interface Encoding {
        ByteBuffer run() throws IOException;
    }

    private static byte[] encode(Encoding encoding) {
        try {
            ByteBuffer buffer = encoding.run();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
