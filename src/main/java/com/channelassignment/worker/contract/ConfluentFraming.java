package com.channelassignment.worker.contract;

import com.channelassignment.worker.contract.registry.ConfluentHeader;
import com.channelassignment.worker.contract.registry.SchemaIds;
import com.channelassignment.worker.contract.registry.SchemaNotRegisteredException;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient;
import com.channelassignment.worker.contract.registry.SubjectNameStrategy;
import com.channelassignment.worker.contract.registry.UnknownSchemaException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * The Confluent wire format's Avro side ({@link ConfluentHeader}, then the Avro body), against a schema registry
 * ({@link SchemaIds}): each writer schema is fetched and parsed once per id, and each writer id is looked up once per
 * subject, so the registry is asked about new ids, never about every record.
 *
 * <p>A registry that cannot be reached is a dependency away ({@code SchemaRegistryUnavailableException}), and so is a
 * writer schema not yet registered ({@link SchemaNotRegisteredException}): the batch is retried, and no record is
 * dead-lettered for it. An id the registry does not know, or a schema that is not the kind expected, is
 * the record's fault ({@link UndecodableRecordException}).
 */
public final class ConfluentFraming {

    /** The framing of a Confluent-framed value, failing it as undecodable when there is no registry to read it. */
    static ConfluentFraming required(ConfluentFraming confluent, byte[] value) {
        if (confluent == null) {
            throw new UndecodableRecordException(("a Confluent-framed record (schema id %d), and no schema registry "
                    + "to find its writer schema in (the worker's channel-assignment.schema-registry.url, the CLI's "
                    + "--registry-url)").formatted(ConfluentHeader.idOf(value)), null);
        }
        return confluent;
    }

    private final SchemaIds ids;
    private final Map<Integer, Schema> writerSchemas = new ConcurrentHashMap<>();
    // By writer id: an id names one schema, read only as the record of the same name.
    private final Map<Integer, SpecificDatumReader<?>> readers = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    public ConfluentFraming(SchemaIds ids) {
        this.ids = ids;
    }

    public SchemaRegistryClient registry() {
        return ids.registry();
    }

    public SubjectNameStrategy subjects() {
        return ids.subjects();
    }

    /** The writer schema registered under the id, fetched and parsed once. */
    Schema writerSchema(int id) {
        Schema known = writerSchemas.get(id);
        if (known != null) {
            return known;
        }
        Schema schema = null;
        try {
            // References first, into the same parser, so the schema can name the types they define.
            Schema.Parser parser = new Schema.Parser();
            for (String text : ids.writerSchema(id)) {
                schema = parser.parse(text);
            }
        } catch (UnknownSchemaException e) {
            throw new UndecodableRecordException(e.getMessage(), e);
        } catch (SchemaParseException e) {
            throw new UndecodableRecordException("schema id %d is not an Avro schema the worker can read: %s"
                    .formatted(id, UndecodableRecordException.describe(e)), e);
        }
        writerSchemas.putIfAbsent(id, schema);
        return schema;
    }

    /** The value's body read as {@code type}, resolving the registered writer schema against the class's own. */
    @SuppressWarnings("unchecked")
    <T> T decode(byte[] value, Class<T> type, Schema readerSchema) {
        int id = ConfluentHeader.idOf(value);
        Schema writer = writerSchema(id);
        if (!writer.getFullName().equals(readerSchema.getFullName())) {
            throw new UndecodableRecordException("schema id %d is %s, not %s".formatted(id, writer.getFullName(),
                    readerSchema.getFullName()), null);
        }
        SpecificDatumReader<T> reader = (SpecificDatumReader<T>) readers.computeIfAbsent(id,
                key -> new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForClass(type)));
        BinaryDecoder body = DecoderFactory.get().binaryDecoder(value, ConfluentHeader.LENGTH,
                value.length - ConfluentHeader.LENGTH, decoders.get());
        decoders.set(body);
        try {
            return reader.read(null, body);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableRecordException("not a %s under schema id %d: %s".formatted(
                    readerSchema.getName(), id, UndecodableRecordException.describe(e)), e);
        }
    }

    /** Whether the Confluent-framed value names a schema of this full name. */
    boolean names(byte[] value, Schema schema) {
        return writerSchema(ConfluentHeader.idOf(value)).getFullName().equals(schema.getFullName());
    }

    /**
     * The header {@code schema} is written with on {@code topic}: its id under the subject the strategy names, looked
     * up once. Not registered (and not registered now, auto-registration being off): a dependency that is not ready.
     */
    byte[] header(String topic, Schema schema) {
        return ids.writerHeader(topic, schema.getFullName(), schema.toString()).orElseThrow(() ->
                new SchemaNotRegisteredException(("the writer schema %s is not registered under subject %s at %s: "
                        + "register it with the CLI's 'schemas register' (a development worker may set "
                        + "channel-assignment.schema-registry.auto-register=true)").formatted(schema.getFullName(),
                        ids.subject(topic, schema.getFullName()), registry().baseUrl())));
    }
}
