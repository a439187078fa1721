package com.channelassignment.worker.contract;

import com.channelassignment.worker.contract.registry.ConfluentHeader;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import java.util.Arrays;
import org.apache.avro.Schema;

/**
 * The records on the worker's topics in both wire formats: each value is read in the format its first byte names
 * (single-object or Confluent, {@link AvroContract}), and what the worker writes (outcomes, the HTTP API's requests)
 * is framed in the one configured. The Avro contract is the same in both; only the header naming the writer schema
 * differs.
 *
 * <p>Outcomes are stored for replays in single-object encoding, which needs no registry to read, and framed as
 * configured when they are published: a stored outcome written with the current schema only has its header swapped,
 * so publishing after the database commit cannot fail on what an outcome holds.
 */
public final class WireContract {

    private static final Schema REQUEST = ChannelAssignmentRequest.getClassSchema();
    private static final Schema OUTCOME = ChannelAssignmentOutcome.getClassSchema();

    private final AvroContract avro;
    private final WireFormat written;
    private final String requestsTopic;
    private final String outcomesTopic;
    private final byte[] outcomeHeader = SingleObjectHeader.of(OUTCOME);
    // The Confluent headers the worker writes, kept once their ids are known: every outcome needs one, and looking it
    // up again would print the schema to compare it on every record.
    private volatile byte[] confluentOutcomeHeader;
    private volatile byte[] confluentRequestHeader;

    /** {@code avro} reads the Confluent format only when built with a registry; then the worker may write it too. */
    public WireContract(AvroContract avro, WireFormat written, String requestsTopic, String outcomesTopic) {
        if (written == WireFormat.CONFLUENT && avro.confluent() == null) {
            throw new IllegalArgumentException("the Confluent wire format needs a schema registry");
        }
        this.avro = avro;
        this.written = written;
        this.requestsTopic = requestsTopic;
        this.outcomesTopic = outcomesTopic;
    }

    /** Registry-free: reads and writes single-object encoding only. */
    public static WireContract singleObject(AvroContract avro) {
        return new WireContract(avro, WireFormat.SINGLE_OBJECT, null, null);
    }

    public WireFormat written() {
        return written;
    }

    public AvroContract avro() {
        return avro;
    }

    /** Whether the value is a directory change rather than a request; both share the requests topic. */
    public boolean isDirectoryChange(byte[] value) {
        return avro.isDirectoryChange(value);
    }

    public AssignmentRequest decodeRequest(byte[] value) {
        return avro.decodeRequest(value);
    }

    public com.channelassignment.worker.domain.DirectoryChange decodeChange(byte[] value) {
        return avro.decodeChange(value);
    }

    public ChannelAssignmentOutcome decodeOutcome(byte[] value) {
        return avro.decodeOutcome(value);
    }

    /** A request in the configured format, as the HTTP API sends a call's request. */
    public byte[] encodeRequest(AssignmentRequest request) {
        byte[] singleObject = avro.encodeRequest(request);
        return written == WireFormat.SINGLE_OBJECT ? singleObject
                : ConfluentHeader.framed(confluentRequestHeader(), singleObject, SingleObjectHeader.LENGTH);
    }

    /**
     * A stored outcome as published in the configured format. Outcomes of an older schema, stored before an upgrade,
     * are read and written again with the current one.
     */
    public byte[] frameOutcome(byte[] stored) {
        byte[] current = Arrays.equals(stored, 0, outcomeHeader.length, outcomeHeader, 0, outcomeHeader.length)
                ? stored : avro.encodeOutcome(avro.decodeOutcome(stored));
        return written == WireFormat.SINGLE_OBJECT ? current
                : ConfluentHeader.framed(confluentOutcomeHeader(), current, SingleObjectHeader.LENGTH);
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
            header = confluent().header(outcomesTopic, OUTCOME);
            confluentOutcomeHeader = header;
        }
        return header;
    }

    private byte[] confluentRequestHeader() {
        byte[] header = confluentRequestHeader;
        if (header == null) {
            header = confluent().header(requestsTopic, REQUEST);
            confluentRequestHeader = header;
        }
        return header;
    }

    /** The registry side, or null when no schema registry is configured. */
    public ConfluentFraming confluent() {
        return avro.confluent();
    }
}
