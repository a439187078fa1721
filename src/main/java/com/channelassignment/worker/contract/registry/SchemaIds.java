package com.channelassignment.worker.contract.registry;

import com.channelassignment.worker.contract.registry.SchemaRegistryClient.Reference;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient.RegisteredSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the Confluent wire format asks a schema registry, for the worker and the CLI alike: the header a writer's
 * schema gets under its subject (looked up once per subject, registered first when auto-registration is on), and the
 * schema text an id names. Parsing that text is Avro's business, left to the caller, which caches what it parses.
 */
public final class SchemaIds {

    private final SchemaRegistryClient registry;
    private final SubjectNameStrategy subjects;
    private final boolean autoRegister;
    private final Map<String, byte[]> writerHeaders = new ConcurrentHashMap<>();

    public SchemaIds(SchemaRegistryClient registry, SubjectNameStrategy subjects, boolean autoRegister) {
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

    /** The subject a record of this kind on this topic is registered under. */
    public String subject(String topic, String recordFullName) {
        return subjects.subject(topic, recordFullName);
    }

    /**
     * The Confluent header of records of this schema on this topic: its id under the subject, looked up once. Empty
     * when the subject does not hold the schema and auto-registration is off.
     */
    public Optional<byte[]> writerHeader(String topic, String recordFullName, String schemaText) {
        String subject = subject(topic, recordFullName);
        byte[] header = writerHeaders.get(subject);
        if (header != null) {
            return Optional.of(header);
        }
        Optional<Integer> id = registry.lookUp(subject, schemaText).map(SchemaRegistryClient.Registered::id);
        if (id.isEmpty() && autoRegister) {
            id = Optional.of(registry.register(subject, schemaText).id());
        }
        id.ifPresent(known -> writerHeaders.putIfAbsent(subject, ConfluentHeader.of(known)));
        return id.map(known -> writerHeaders.get(subject));
    }

    /**
     * The schema registered under the id, after the schemas it references (each before those that name it), as
     * texts to parse in this order with one parser. An id or reference the registry lacks is an
     * {@link UnknownSchemaException}.
     */
    public List<String> writerSchema(int id) {
        RegisteredSchema registered = registry.schemaById(id).orElseThrow(() -> new UnknownSchemaException(
                "schema id %d is not in the schema registry at %s".formatted(id, registry.baseUrl())));
        List<String> texts = new ArrayList<>();
        withReferences(registered, texts);
        return List.copyOf(texts);
    }

    private void withReferences(RegisteredSchema registered, List<String> texts) {
        for (Reference reference : registered.references()) {
            RegisteredSchema referenced = registry.schemaOf(reference.subject(), reference.version())
                    .orElseThrow(() -> new UnknownSchemaException("schema reference %s (subject %s version %d) "
                            .formatted(reference.name(), reference.subject(), reference.version())
                            + "is not in the schema registry"));
            withReferences(referenced, texts);
        }
        texts.add(registered.schema());
    }
}
