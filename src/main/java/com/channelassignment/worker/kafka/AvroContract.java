package com.channelassignment.worker.kafka;

import com.channelassignment.worker.application.OutcomeEncoder;
import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.registry.ConfluentHeader;
import com.channelassignment.worker.contract.registry.SchemaIds;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelChange;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.domain.IdentityDetail;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.DirectoryChange;
import com.channelassignment.worker.kafka.avro.IdentityLifecycle;
import com.channelassignment.worker.kafka.avro.IdentityState;
import com.channelassignment.worker.kafka.avro.IdentityStatus;
import com.channelassignment.worker.kafka.avro.MailboxState;
import com.channelassignment.worker.kafka.avro.PhoneNumberLifecycle;
import com.channelassignment.worker.kafka.avro.PhoneNumberState;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.ClassSecurityValidator;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The wire contract: the Avro records of the schemas in {@code schemas/}, in either framing ({@link WireFormat}).
 * Single-object encoding (marker, CRC-64-AVRO fingerprint, binary body) needs nothing else: requests written by the
 * current schema or any released one are read through schema resolution. The Confluent wire format needs a schema
 * registry ({@link SchemaIds}) to name and find writer schemas; without one, a Confluent-framed record is unreadable.
 * The worker and the command-line client both read and write through it.
 */
public final class AvroContract implements OutcomeEncoder {

    public static final String RELEASED_REQUEST_SCHEMAS = "classpath*:schemas/released/*/channel-assignment-request.avsc";
    static final String RELEASED_OUTCOME_SCHEMAS = "classpath*:schemas/released/*/channel-assignment-outcome.avsc";

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

    static final int SINGLE_OBJECT_HEADER = 10;
    private static final int MAX_CHANGE_ID_LENGTH = 128;
    private static final int MAX_HANDLE_LENGTH = 255;
    private static final int MAX_ORGANIZATION_ID_LENGTH = 255;

    private final BinaryMessageDecoder<ChannelAssignmentRequest> requestDecoder;
    private final BinaryMessageDecoder<DirectoryChange> changeDecoder;
    private final BinaryMessageEncoder<DirectoryChange> changeEncoder;
    private final byte[] changeHeader;
    private final BinaryMessageEncoder<ChannelAssignmentRequest> requestEncoder;
    private final BinaryMessageEncoder<ChannelAssignmentOutcome> outcomeEncoder;
    private final BinaryMessageDecoder<ChannelAssignmentOutcome> outcomeDecoder;
    private final ConfluentFraming confluent;

    /** Single-object encoding only. */
    public AvroContract() {
        this(releasedRequestSchemas(), null);
    }

    /** Both framings: Confluent-framed records name their writer schemas in this registry. */
    public AvroContract(SchemaIds registry) {
        this(releasedRequestSchemas(), new ConfluentFraming(registry));
    }

    AvroContract(List<Schema> olderRequestSchemas) {
        this(olderRequestSchemas, null);
    }

    private AvroContract(List<Schema> olderRequestSchemas, ConfluentFraming confluent) {
        requireAllocationLimits();
        this.confluent = confluent;
        SpecificData model = SpecificData.getForClass(ChannelAssignmentRequest.class);
        requestDecoder = new BinaryMessageDecoder<>(model, ChannelAssignmentRequest.getClassSchema());
        olderRequestSchemas.forEach(requestDecoder::addSchema);
        requestEncoder = new BinaryMessageEncoder<>(model, ChannelAssignmentRequest.getClassSchema());
        outcomeEncoder = new BinaryMessageEncoder<>(model, ChannelAssignmentOutcome.getClassSchema());
        outcomeDecoder = new BinaryMessageDecoder<>(model, ChannelAssignmentOutcome.getClassSchema());
        // Idempotency records keep outcomes as they were first written: replays of older ones must still be read.
        releasedSchemas(RELEASED_OUTCOME_SCHEMAS).forEach(outcomeDecoder::addSchema);
        changeDecoder = new BinaryMessageDecoder<>(model, DirectoryChange.getClassSchema());
        changeEncoder = new BinaryMessageEncoder<>(model, DirectoryChange.getClassSchema());
        changeHeader = Arrays.copyOf(encode(() -> changeEncoder.encode(DirectoryChange.newBuilder()
                .setChangeId("").setOrganizationId("").setVersion(0).setChangedAt(Instant.EPOCH)
                .setEntry(new IdentityState("", "", IdentityLifecycle.active, Instant.EPOCH)).build())),
                SINGLE_OBJECT_HEADER);
    }

    /**
     * Whether the value is a directory change: single-object encoding names the writer schema by its fingerprint, so
     * the two kinds of record on the requests topic are told apart before either is decoded. Anything else is read
     * as a request, and fails there if it is not one.
     */
    public boolean isDirectoryChange(byte[] value) {
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return confluent(value).names(value, DirectoryChange.getClassSchema());
        }
        return value != null && value.length >= SINGLE_OBJECT_HEADER
                && Arrays.equals(value, 0, SINGLE_OBJECT_HEADER, changeHeader, 0, SINGLE_OBJECT_HEADER);
    }

    /**
     * A directory change, checked so that whatever decodes can be stored: ids are UUIDs, strings fit their columns
     * and hold no NUL. A change that fails is undecodable, dead-lettered like a corrupt request.
     */
    public com.channelassignment.worker.domain.DirectoryChange decodeChange(byte[] value) {
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return checked(confluent(value).decode(value, DirectoryChange.class, DirectoryChange.getClassSchema()));
        }
        DirectoryChange change;
        try {
            change = changeDecoder.decode(value);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableRecordException("not a directory change: " + describe(e), e);
        }
        return checked(change);
    }

    /** The change as the directory stores it, or undecodable when it could not be stored. */
    static com.channelassignment.worker.domain.DirectoryChange checked(DirectoryChange change) {
        try {
            return toDomain(change);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UndecodableRecordException("directory change " + capped(change.getChangeId())
                    + " cannot be applied: " + describe(e), e);
        }
    }

    /**
     * Why the worker would dead-letter this change as undecodable, or null when it would read it: a producer such as
     * the CLI's directory load checks with the worker's own rules before it sends anything.
     */
    public static String problemWith(DirectoryChange change) {
        try {
            toDomain(change);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } catch (NullPointerException e) {
            return describe(e);
        }
    }

    private static com.channelassignment.worker.domain.DirectoryChange toDomain(DirectoryChange change) {
        String changeId = text("change_id", change.getChangeId(), MAX_CHANGE_ID_LENGTH);
        String organization = text("organization_id", change.getOrganizationId(), MAX_ORGANIZATION_ID_LENGTH);
        if (organization.isBlank()) {
            throw new IllegalArgumentException("organization_id is blank");
        }
        Instant changedAt = change.getChangedAt();
        Object entry = change.getEntry();
        if (entry instanceof IdentityState identity) {
            String handle = text("agent_handle", identity.getAgentHandle(), MAX_HANDLE_LENGTH + 1);
            handle = handle.startsWith("@") ? handle.substring(1) : handle;
            if (handle.isEmpty() || handle.length() > MAX_HANDLE_LENGTH || handle.startsWith("@")) {
                throw new IllegalArgumentException("agent_handle must be 1 to 255 characters after one leading @");
            }
            return new IdentityChange(changeId, change.getVersion(), new Identity(uuid(identity.getId()),
                    organization, handle, com.channelassignment.worker.domain.IdentityStatus.valueOf(
                            identity.getStatus().name().toUpperCase(Locale.ROOT)),
                    identity.getCreatedAt(), changedAt));
        }
        if (entry instanceof MailboxState mailbox) {
            return new ChannelChange(changeId, change.getVersion(), new Mailbox(uuid(mailbox.getId()), organization,
                    text("email_address", mailbox.getEmailAddress(), MAX_FIELD_BYTES),
                    mailbox.getDisplayName() == null ? null
                            : text("display_name", mailbox.getDisplayName(), MAX_FIELD_BYTES),
                    mailbox.getDeleted(), mailbox.getCreatedAt(), changedAt));
        }
        if (entry instanceof PhoneNumberState number) {
            return new ChannelChange(changeId, change.getVersion(), new PhoneNumber(uuid(number.getId()),
                    organization, text("number", number.getNumber(), MAX_FIELD_BYTES),
                    com.channelassignment.worker.domain.PhoneNumberType.valueOf(
                            number.getType().name().toUpperCase(Locale.ROOT)),
                    PhoneNumberStatus.valueOf(number.getStatus().name().toUpperCase(Locale.ROOT)),
                    number.getCreatedAt(), changedAt));
        }
        throw new IllegalArgumentException("unknown directory entry " + (entry == null ? null : entry.getClass()));
    }

    public byte[] encodeChange(DirectoryChange change) {
        return encode(() -> changeEncoder.encode(change));
    }

    public byte[] encodeChange(com.channelassignment.worker.domain.DirectoryChange change) {
        return encodeChange(toAvro(change));
    }

    /** The wire form of a directory change. */
    public static DirectoryChange toAvro(com.channelassignment.worker.domain.DirectoryChange change) {
        DirectoryChange.Builder builder = DirectoryChange.newBuilder().setChangeId(change.changeId())
                .setOrganizationId(change.organizationId()).setVersion(change.version())
                .setChangedAt(change.changedAt());
        if (change instanceof IdentityChange identityChange) {
            Identity identity = identityChange.identity();
            return builder.setEntry(new IdentityState(identity.id().toString(), identity.agentHandle(),
                    IdentityLifecycle.valueOf(identity.status().name().toLowerCase(Locale.ROOT)),
                    identity.createdAt())).build();
        }
        if (change instanceof ChannelChange channelChange && channelChange.channel() instanceof Mailbox mailbox) {
            return builder.setEntry(new MailboxState(mailbox.id().toString(), mailbox.emailAddress(),
                    mailbox.displayName(), mailbox.deleted(), mailbox.createdAt())).build();
        }
        if (change instanceof ChannelChange channelChange && channelChange.channel() instanceof PhoneNumber number) {
            return builder.setEntry(new PhoneNumberState(number.id().toString(), number.number(),
                    PhoneNumberType.valueOf(number.numberType().name().toLowerCase(Locale.ROOT)),
                    PhoneNumberLifecycle.valueOf(number.status().name().toLowerCase(Locale.ROOT)),
                    number.createdAt())).build();
        }
        throw new IllegalArgumentException("no wire form for " + change);
    }

    public DirectoryChange decodeChangeRecord(byte[] value) {
        try {
            return changeDecoder.decode(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " is longer than " + maxLength + " characters");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " holds a NUL character");
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " is empty");
        }
        return value;
    }

    private static UUID uuid(String value) {
        UUID id = UUID.fromString(value);
        if (!id.toString().equals(value.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(value + " is not a canonical UUID");
        }
        return id;
    }

    private static String capped(String value) {
        return value.length() <= MAX_CHANGE_ID_LENGTH ? value : value.substring(0, MAX_CHANGE_ID_LENGTH) + "...";
    }

    public AssignmentRequest decodeRequest(byte[] value) {
        if (value == null) {
            throw new UndecodableRecordException("record has no value (tombstone)", null);
        }
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return toDomain(confluent(value).decode(value, ChannelAssignmentRequest.class,
                    ChannelAssignmentRequest.getClassSchema()));
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
        return toDomain(request);
    }

    /** The request as the rules read it; building it never fails on content. */
    static AssignmentRequest toDomain(ChannelAssignmentRequest request) {
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
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return confluent(value).decode(value, ChannelAssignmentOutcome.class,
                    ChannelAssignmentOutcome.getClassSchema());
        }
        try {
            return outcomeDecoder.decode(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An outcome record written with the current schema, as a stored outcome of an older one is published again. */
    public byte[] encodeOutcome(ChannelAssignmentOutcome outcome) {
        return encode(() -> outcomeEncoder.encode(outcome));
    }

    /** A request as written to {@code topic} in {@code format}. */
    public byte[] encodeRequest(ChannelAssignmentRequest request, WireFormat format, String topic) {
        return framed(encodeRequest(request), format, topic, ChannelAssignmentRequest.getClassSchema());
    }

    /** A directory change as written to {@code topic} in {@code format}. */
    public byte[] encodeChange(DirectoryChange change, WireFormat format, String topic) {
        return framed(encodeChange(change), format, topic, DirectoryChange.getClassSchema());
    }

    /**
     * A single-object record of {@code schema} (the current one) in {@code format}: for the Confluent format, the same
     * body under the id the schema has on {@code topic}.
     */
    byte[] framed(byte[] singleObject, WireFormat format, String topic, Schema schema) {
        if (format == WireFormat.SINGLE_OBJECT) {
            return singleObject;
        }
        if (format == WireFormat.CONFLUENT) {
            if (confluent == null) {
                throw new IllegalStateException("the Confluent wire format needs a schema registry");
            }
            return ConfluentHeader.framed(confluent.header(topic, schema), singleObject, SINGLE_OBJECT_HEADER);
        }
        throw new IllegalArgumentException("no wire format " + format);
    }

    /** The registry side of the Confluent format, or null when this contract reads single-object encoding only. */
    ConfluentFraming confluent() {
        return confluent;
    }

    private ConfluentFraming confluent(byte[] value) {
        if (confluent == null) {
            throw new UndecodableRecordException(("a Confluent-framed record (schema id %d), and no schema registry "
                    + "to find its writer schema in (the worker's channel-assignment.schema-registry.url, the CLI's "
                    + "--registry-url)").formatted(ConfluentHeader.idOf(value)), null);
        }
        return confluent;
    }

    /** A record schema as a registry and a serializer hold it: its full name and Avro's {@code Schema.toString()}. */
    public record SchemaText(String fullName, String text) {

        static SchemaText of(Schema schema) {
            return new SchemaText(schema.getFullName(), schema.toString());
        }
    }

    /** The three schemas of the contract: request, directory change and outcome, each as written. */
    public static List<SchemaText> writerSchemas() {
        return List.of(SchemaText.of(ChannelAssignmentRequest.getClassSchema()),
                SchemaText.of(DirectoryChange.getClassSchema()), SchemaText.of(ChannelAssignmentOutcome.getClassSchema()));
    }

    /**
     * The single-object header a schema's records start with: the marker {@code C3 01} and the schema's CRC-64-AVRO
     * fingerprint, little-endian.
     */
    static byte[] singleObjectHeader(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        byte[] header = new byte[SINGLE_OBJECT_HEADER];
        header[0] = (byte) 0xC3;
        header[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
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
        return releasedSchemas(RELEASED_REQUEST_SCHEMAS);
    }

    /**
     * The released schemas matching the pattern. Released outcome schemas name the enums of the request schema released
     * beside them, which is parsed first.
     */
    private static List<Schema> releasedSchemas(String pattern) {
        try {
            List<Schema> schemas = new ArrayList<>();
            for (Resource resource : new PathMatchingResourcePatternResolver().getResources(pattern)) {
                Schema.Parser parser = new Schema.Parser();
                Resource request = resource.createRelative("channel-assignment-request.avsc");
                if (!request.getFilename().equals(resource.getFilename()) && request.exists()) {
                    try (InputStream in = request.getInputStream()) {
                        parser.parse(in);
                    }
                }
                try (InputStream in = resource.getInputStream()) {
                    schemas.add(parser.parse(in));
                }
            }
            return schemas;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the released schemas " + pattern, e);
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

    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
