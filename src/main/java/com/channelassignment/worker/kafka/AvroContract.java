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
import org.apache.avro.SystemLimitException;
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

    /**
     * No string or byte field of a record can be longer than the record, and no record is longer than a Kafka record
     * may be. Avro allocates a field's buffer from its length prefix before reading it, so a lying prefix in a tiny
     * record would otherwise ask for up to 2 GB. Avro reads these limits once, when its limits class loads.
     */
    static final int MAX_FIELD_BYTES = RecordBudget.KAFKA_DEFAULT_MAX_REQUEST_SIZE;

    static {
        limitAvroAllocations();
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
        requireAllocationLimits();
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
        } catch (IOException | RuntimeException e) {
            // Whatever decoding untrusted bytes throws says the bytes are wrong, not the worker: Avro answers a
            // corrupt length prefix with UnsupportedOperationException, a length beyond the limits with
            // SystemLimitException.
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

    public byte[] encodeRequest(AssignmentRequest request) {
        return encodeRequest(ChannelAssignmentRequest.newBuilder()
                .setRequestId(request.requestId())
                .setOrganizationId(request.organizationId())
                .setAgentHandle(request.agentHandle())
                .setOperation(com.channelassignment.worker.kafka.avro.Operation.valueOf(request.operation().name()))
                .setChannelType(
                        com.channelassignment.worker.kafka.avro.ChannelType.valueOf(request.channelType().name()))
                .setChannelId(request.channelId())
                .setRequestedAt(request.requestedAt())
                .setCorrelationId(request.correlationId())
                .build());
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

    /**
     * Sets Avro's allocation limits unless the JVM was started with its own. Called before any decoder runs; the
     * application's main method calls it first thing too, since Avro reads the limits only once.
     */
    public static void limitAvroAllocations() {
        for (String property : List.of(SystemLimitException.MAX_STRING_LENGTH_PROPERTY,
                SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY)) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, Integer.toString(MAX_FIELD_BYTES));
            }
        }
    }

    /** Fails loudly when Avro loaded its limits before they were set: decoding would then trust length prefixes. */
    private static void requireAllocationLimits() {
        try {
            SystemLimitException.checkMaxStringLength(Integer.MAX_VALUE - 8L);
        } catch (SystemLimitException expected) {
            return;
        }
        throw new IllegalStateException("Avro's string length limit is not in force: set -D"
                + SystemLimitException.MAX_STRING_LENGTH_PROPERTY + "=" + MAX_FIELD_BYTES
                + " (Avro read its limits before the worker could set them)");
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
