package com.channelassignment.worker.kafka;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.DirectoryChange;
import java.util.Arrays;
import org.apache.avro.Schema;

/**
 * The records on the worker's topics in both wire formats: each value is read in the format its first byte names
 * (single-object or Confluent), and what the worker writes (outcomes, the HTTP API's requests) is framed in the one
 * configured. The Avro contract is the same in both; only the header naming the writer schema differs.
 *
 * <p>Outcomes are stored for replays in single-object encoding, which needs no registry to read, and framed as
 * configured when they are published: a stored outcome written with the current schema only has its header swapped,
 * so publishing after the database commit cannot fail on what an outcome holds.
 */
public final class WireContract {

    private static final Schema REQUEST = ChannelAssignmentRequest.getClassSchema();
    private static final Schema CHANGE = DirectoryChange.getClassSchema();
    private static final Schema OUTCOME = ChannelAssignmentOutcome.getClassSchema();

    private final AvroContract avro;
    private final WireFormat written;
    private final ConfluentFraming confluent;
    private final String requestsTopic;
    private final String outcomesTopic;
    private final byte[] outcomeHeader = AvroContract.singleObjectHeader(OUTCOME);
    // The Confluent headers the worker writes, once their ids are known: every outcome needs one.
    private volatile byte[] confluentOutcomeHeader;
    private volatile byte[] confluentRequestHeader;

    /** {@code confluent} is null when no schema registry is configured; then the worker writes single-object only. */
    public WireContract(AvroContract avro, WireFormat written, ConfluentFraming confluent, String requestsTopic,
            String outcomesTopic) {
        if (written == WireFormat.CONFLUENT && confluent == null) {
            throw new IllegalArgumentException("the Confluent wire format needs a schema registry");
        }
        this.avro = avro;
        this.written = written;
        this.confluent = confluent;
        this.requestsTopic = requestsTopic;
        this.outcomesTopic = outcomesTopic;
    }

    /** Registry-free: reads and writes single-object encoding only. */
    public static WireContract singleObject(AvroContract avro) {
        return new WireContract(avro, WireFormat.SINGLE_OBJECT, null, null, null);
    }

    public WireFormat written() {
        return written;
    }

    public AvroContract avro() {
        return avro;
    }

    /** Whether the value is a directory change rather than a request; both share the requests topic. */
    public boolean isDirectoryChange(byte[] value) {
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return registry(value).writerSchema(ConfluentFraming.idOf(value)).getFullName()
                    .equals(CHANGE.getFullName());
        }
        return avro.isDirectoryChange(value);
    }

    public AssignmentRequest decodeRequest(byte[] value) {
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return AvroContract.toDomain(registry(value).decode(value, ChannelAssignmentRequest.class, REQUEST));
        }
        return avro.decodeRequest(value);
    }

    public com.channelassignment.worker.domain.DirectoryChange decodeChange(byte[] value) {
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return AvroContract.checked(registry(value).decode(value, DirectoryChange.class, CHANGE));
        }
        return avro.decodeChange(value);
    }

    public ChannelAssignmentOutcome decodeOutcome(byte[] value) {
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return registry(value).decode(value, ChannelAssignmentOutcome.class, OUTCOME);
        }
        return avro.decodeOutcome(value);
    }

    /** A request in the configured format, as the HTTP API sends a call's request. */
    public byte[] encodeRequest(AssignmentRequest request) {
        byte[] singleObject = avro.encodeRequest(request);
        if (written == WireFormat.SINGLE_OBJECT) {
            return singleObject;
        }
        return ConfluentFraming.framed(confluentRequestHeader(), singleObject, AvroContract.SINGLE_OBJECT_HEADER);
    }

    /**
     * A stored outcome as published in the configured format. Outcomes of an older schema, stored before an upgrade,
     * are read and written again with the current one.
     */
    public byte[] frameOutcome(byte[] stored) {
        byte[] current = Arrays.equals(stored, 0, outcomeHeader.length, outcomeHeader, 0, outcomeHeader.length)
                ? stored : avro.encodeOutcome(avro.decodeOutcome(stored));
        if (written == WireFormat.SINGLE_OBJECT) {
            return current;
        }
        return ConfluentFraming.framed(confluentOutcomeHeader(), current, AvroContract.SINGLE_OBJECT_HEADER);
    }

    /**
     * Fails, as a dependency that is not ready, until the schemas the worker writes are known in the registry: checked
     * before a batch is applied, so nothing is committed that could not then be published.
     */
    public void requireWriterSchemas() {
        if (written == WireFormat.CONFLUENT) {
            confluentOutcomeHeader();
        }
    }

    /** The same check for the HTTP API's requests. */
    public void requireRequestSchema() {
        if (written == WireFormat.CONFLUENT) {
            confluentRequestHeader();
        }
    }

    private byte[] confluentOutcomeHeader() {
        byte[] header = confluentOutcomeHeader;
        if (header == null) {
            header = confluent.header(outcomesTopic, OUTCOME);
            confluentOutcomeHeader = header;
        }
        return header;
    }

    private byte[] confluentRequestHeader() {
        byte[] header = confluentRequestHeader;
        if (header == null) {
            header = confluent.header(requestsTopic, REQUEST);
            confluentRequestHeader = header;
        }
        return header;
    }

    public ConfluentFraming confluent() {
        return confluent;
    }

    private ConfluentFraming registry(byte[] value) {
        if (confluent == null) {
            throw new UndecodableRecordException(("a Confluent-framed record (schema id %d), and no schema registry is "
                    + "configured (channel-assignment.schema-registry.url)").formatted(ConfluentFraming.idOf(value)),
                    null);
        }
        return confluent;
    }
}
