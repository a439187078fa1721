package com.channelassignment.worker.contract;

import com.channelassignment.worker.contract.registry.ConfluentHeader;
import com.channelassignment.worker.contract.registry.SchemaIds;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.DirectoryChange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * The wire contract: the Avro records of the schemas in {@code schemas/}, in either framing ({@link WireFormat}), one
 * codec per message (requests, outcomes, directory changes). Single-object encoding (marker, CRC-64-AVRO fingerprint,
 * binary body) needs nothing else: records written by the current schema or any released one are read through schema
 * resolution. The Confluent wire format needs a schema registry ({@link SchemaIds}) to name and find writer schemas;
 * without one, a Confluent-framed record is unreadable. The worker and the command-line client both read and write
 * through it.
 */
public final class AvroContract {

    static {
        // Loads WireLimits, which sets Avro's limits and trusted packages before any decoder is built.
        WireLimits.limitAvroAllocations();
    }

    private final RequestCodec requests;
    private final OutcomeCodec outcomes;
    private final DirectoryChangeCodec changes;
    private final ConfluentFraming confluent;

    /** Single-object encoding only. */
    public AvroContract() {
        this(ReleasedSchemas.requests(), null);
    }

    /** Both framings: Confluent-framed records name their writer schemas in this registry. */
    public AvroContract(SchemaIds registry) {
        this(ReleasedSchemas.requests(), new ConfluentFraming(registry));
    }

    AvroContract(List<Schema> olderRequestSchemas) {
        this(olderRequestSchemas, null);
    }

    private AvroContract(List<Schema> olderRequestSchemas, ConfluentFraming confluent) {
        WireLimits.requireAllocationLimits();
        this.confluent = confluent;
        SpecificData model = SpecificData.getForClass(ChannelAssignmentRequest.class);
        requests = new RequestCodec(model, olderRequestSchemas, confluent);
        outcomes = new OutcomeCodec(model, confluent);
        changes = new DirectoryChangeCodec(model, confluent);
    }

    /**
     * Whether the value is a directory change: the writer schema (its fingerprint or registry id) tells the two kinds
     * of record on the requests topic apart before either is decoded. Anything else is read as a request, and fails
     * there if it is not one.
     */
    public boolean isDirectoryChange(byte[] value) {
        return changes.isDirectoryChange(value);
    }

    /**
     * A directory change, checked so that whatever decodes can be stored: ids are UUIDs, strings fit their columns
     * and hold no NUL. A change that fails is undecodable, dead-lettered like a corrupt request.
     */
    public com.channelassignment.worker.domain.DirectoryChange decodeChange(byte[] value) {
        return changes.decode(value);
    }

    /**
     * Why the worker would dead-letter this change as undecodable, or null when it would read it: a producer such as
     * the CLI's directory load checks with the worker's own rules before it sends anything.
     */
    public static String problemWith(DirectoryChange change) {
        return DirectoryChangeCodec.problemWith(change);
    }

    public byte[] encodeChange(DirectoryChange change) {
        return changes.encode(change);
    }

    public byte[] encodeChange(com.channelassignment.worker.domain.DirectoryChange change) {
        return encodeChange(toAvro(change));
    }

    /** The wire form of a directory change. */
    public static DirectoryChange toAvro(com.channelassignment.worker.domain.DirectoryChange change) {
        return DirectoryChangeCodec.toAvro(change);
    }

    public DirectoryChange decodeChangeRecord(byte[] value) {
        return changes.decodeRecord(value);
    }

    public AssignmentRequest decodeRequest(byte[] value) {
        return requests.decode(value);
    }

    public byte[] encodeRequest(ChannelAssignmentRequest request) {
        return requests.encode(request);
    }

    public byte[] encodeRequest(AssignmentRequest request) {
        return encodeRequest(RequestCodec.toAvro(request));
    }

    public ChannelAssignmentOutcome decodeOutcome(byte[] value) {
        return outcomes.decode(value);
    }

    /** An outcome record written with the current schema, as a stored outcome of an older one is published again. */
    public byte[] encodeOutcome(ChannelAssignmentOutcome outcome) {
        return outcomes.encode(outcome);
    }

    /** An outcome as it is stored for replays and published: single-object encoded with the current schema. */
    public byte[] encodeOutcome(Outcome outcome) {
        return encodeOutcome(toAvro(outcome));
    }

    /** The wire form of an outcome. */
    /**
     * The channels an outcome's identity detail shows, by type (null for a type the identity holds none of), each
     * field for field as the outcome carries it, instants in ISO-8601.
     */
    public static Map<ChannelType, Map<String, Object>> channelDetails(
            com.channelassignment.worker.kafka.avro.IdentityDetail detail) {
        return ChannelContract.details(detail);
    }

    public static ChannelAssignmentOutcome toAvro(Outcome outcome) {
        return OutcomeCodec.toAvro(outcome);
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
            return ConfluentHeader.framed(confluent.header(topic, schema), singleObject, SingleObjectHeader.LENGTH);
        }
        throw new IllegalArgumentException("no wire format " + format);
    }

    /** The registry side of the Confluent format, or null when this contract reads single-object encoding only. */
    ConfluentFraming confluent() {
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

    interface Encoding {
        ByteBuffer run() throws IOException;
    }

    /**
     * Avro's {@code shouldCopy} for the codecs' encoders: false, so they hand back their thread's buffer rather than a
     * copy of it. {@link #encode} copies it into the record's bytes at once, before the thread encodes again; a copy
     * by Avro first would be one copy per outcome too many on the consume path.
     */
    static final boolean ENCODER_COPIES_BUFFER = false;

    static byte[] encode(Encoding encoding) {
        try {
            ByteBuffer buffer = encoding.run();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
