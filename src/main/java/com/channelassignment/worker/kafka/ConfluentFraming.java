package com.channelassignment.worker.kafka;

import com.channelassignment.worker.application.DependencyUnavailableException;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient;
import com.channelassignment.worker.contract.registry.SubjectNameStrategy;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient.Reference;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient.RegisteredSchema;
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
 * The Confluent wire format against a schema registry: {@code 00}, the writer schema's 4-byte registry id, the Avro
 * body. Each writer schema is fetched once per id, and each of the worker's own writer ids is looked up once per
 * subject: the registry is asked about new ids, never about every record.
 *
 * <p>A registry that cannot be reached is a dependency away ({@code SchemaRegistryUnavailableException}), and so is a
 * writer schema not yet registered ({@link DependencyUnavailableException}): the batch is retried, and no record is
 * dead-lettered for it. An id the registry does not know, or a schema that is not the kind expected, is
 * the record's fault ({@link UndecodableRecordException}).
 */
public final class ConfluentFraming {

    static final byte MAGIC = 0;
    static final int HEADER_LENGTH = 5;

    private final SchemaRegistryClient registry;
    private final SubjectNameStrategy subjects;
    private final boolean autoRegister;
    private final Map<Integer, Schema> writerSchemas = new ConcurrentHashMap<>();
    // By writer id: an id names one schema, read only as the record of the same name.
    private final Map<Integer, SpecificDatumReader<?>> readers = new ConcurrentHashMap<>();
    private final Map<String, byte[]> writerHeaders = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

    public ConfluentFraming(SchemaRegistryClient registry, SubjectNameStrategy subjects, boolean autoRegister) {
        this.registry = registry;
        this.subjects = subjects;
        this.autoRegister = autoRegister;
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    public SubjectNameStrategy subjects() {
        return subjects;
    }

    /** The registry id a Confluent-framed value names. */
    static int idOf(byte[] value) {
        return ((value[1] & 0xFF) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF);
    }

    /** The writer schema registered under the id, fetched once. */
    Schema writerSchema(int id) {
        Schema known = writerSchemas.get(id);
        if (known != null) {
            return known;
        }
        RegisteredSchema registered = registry.schemaById(id).orElseThrow(() -> new UndecodableRecordException(
                "schema id %d is not in the schema registry at %s".formatted(id, registry.baseUrl()), null));
        Schema schema;
        try {
            schema = parse(registered, new Schema.Parser());
        } catch (SchemaParseException e) {
            throw new UndecodableRecordException("schema id %d is not an Avro schema the worker can read: %s"
                    .formatted(id, AvroContract.describe(e)), e);
        }
        writerSchemas.putIfAbsent(id, schema);
        return schema;
    }

    /** References first, into the same parser, so the schema can name the types they define. */
    private Schema parse(RegisteredSchema registered, Schema.Parser parser) {
        for (Reference reference : registered.references()) {
            RegisteredSchema referenced = registry.schemaOf(reference.subject(), reference.version())
                    .orElseThrow(() -> new UndecodableRecordException("schema reference %s (subject %s version %d) "
                            .formatted(reference.name(), reference.subject(), reference.version())
                            + "is not in the schema registry", null));
            parse(referenced, parser);
        }
        return parser.parse(registered.schema());
    }

    /** The value's body read as {@code type}, resolving the registered writer schema against the class's own. */
    @SuppressWarnings("unchecked")
    <T> T decode(byte[] value, Class<T> type, Schema readerSchema) {
        int id = idOf(value);
        Schema writer = writerSchema(id);
        if (!writer.getFullName().equals(readerSchema.getFullName())) {
            throw new UndecodableRecordException("schema id %d is %s, not %s".formatted(id, writer.getFullName(),
                    readerSchema.getFullName()), null);
        }
        SpecificDatumReader<T> reader = (SpecificDatumReader<T>) readers.computeIfAbsent(id,
                key -> new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForClass(type)));
        BinaryDecoder body = DecoderFactory.get().binaryDecoder(value, HEADER_LENGTH, value.length - HEADER_LENGTH,
                decoders.get());
        decoders.set(body);
        try {
            return reader.read(null, body);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableRecordException("not a %s under schema id %d: %s".formatted(
                    readerSchema.getName(), id, AvroContract.describe(e)), e);
        }
    }

    /**
     * The header the worker writes {@code schema} with on {@code topic}: its id under the subject the strategy names,
     * looked up once. Not registered: registered when auto-registration is on, else a dependency that is not ready.
     */
    byte[] header(String topic, Schema schema) {
        String subject = subjects.subject(topic, schema.getFullName());
        byte[] header = writerHeaders.get(subject);
        if (header != null) {
            return header;
        }
        String text = schema.toString();
        int id = registry.lookUp(subject, text).map(SchemaRegistryClient.Registered::id)
                .orElseGet(() -> registerOrRefuse(subject, text));
        header = new byte[] {MAGIC, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
        writerHeaders.putIfAbsent(subject, header);
        return header;
    }

    private int registerOrRefuse(String subject, String schema) {
        if (!autoRegister) {
            throw new DependencyUnavailableException(("the worker's writer schema is not registered under subject %s "
                    + "at %s: register it (the CLI's 'schemas register') or, for development, set "
                    + "channel-assignment.schema-registry.auto-register=true").formatted(subject, registry.baseUrl()),
                    null);
        }
        return registry.register(subject, schema).id();
    }

    /** {@code header} followed by {@code value} from {@code offset} on. */
    static byte[] framed(byte[] header, byte[] value, int offset) {
        byte[] framed = new byte[header.length + value.length - offset];
        System.arraycopy(header, 0, framed, 0, header.length);
        System.arraycopy(value, offset, framed, header.length, value.length - offset);
        return framed;
    }
}
