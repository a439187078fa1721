package com.channelassignment.worker;

import com.channelassignment.worker.contract.WireHeaders;
import static com.channelassignment.worker.ConfigurationSources.applicationYml;
import static com.channelassignment.worker.ConfigurationSources.bindWorkerProperties;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.contract.registry.SubjectNameStrategy;
import com.channelassignment.worker.kafka.observe.RecordTracing;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * asyncapi/channel-assignment.yaml states the Kafka contract the code implements: it is a valid AsyncAPI 3.0 document,
 * its Avro payloads are the files of schemas/ under their full names, its channels are the default topics with their
 * default partitions and replicas, its headers are the ones the worker and the CLI write and read, and each message
 * comes in the Confluent wire format too, under the subjects {@link SubjectNameStrategy} names. Each check is also run
 * on a drifted copy of the document, which it must refuse.
 */
class AsyncApiContractTest {

    static final Path DOCUMENT = Path.of("asyncapi/channel-assignment.yaml");
    private static final Path SCHEMAS = Path.of("schemas");
    /** The AsyncAPI 3.0.0 JSON Schema, bundled: every definition it refers to sits in it under its own $id. */
    private static final String ASYNCAPI_SCHEMA = "asyncapi/3.0.0.json";
    private static final String AVRO_FORMAT = "application/vnd.apache.avro;version=1.9.0";
    /** A message in the Confluent wire format is keyed as its single-object twin, with this suffix. */
    private static final String CONFLUENT = "Confluent";

    private static final WorkerProperties.Topics TOPICS = bindWorkerProperties(Map.of()).topics();

    private final JsonNode document = read(DOCUMENT);

    @Test
    void isAValidAsyncApi30Document() {
        assertThat(document.path("asyncapi").asText()).isEqualTo("3.0.0");
        assertThat(specViolations(document)).as("%s against the AsyncAPI 3.0.0 schema", DOCUMENT).isEmpty();
        assertThat(referenceViolations(document)).as("$refs of %s", DOCUMENT).isEmpty();
    }

    @Test
    void payloadsAreTheAvroSchemasOfSchemasByTheirFullNames() {
        assertThat(payloadViolations(document)).as("Avro payloads of %s", DOCUMENT).isEmpty();
    }

    @Test
    void channelsAreTheDefaultTopics() {
        assertThat(channelViolations(document)).as("channels of %s", DOCUMENT).isEmpty();
    }

    @Test
    void headersAreTheOnesTheCodeWritesAndReads() {
        assertThat(headerViolations(document)).as("headers of %s", DOCUMENT).isEmpty();
    }

    @Test
    void everyMessageComesInTheConfluentFormatUnderTheSubjectsTheWorkerUses() {
        assertThat(framingViolations(document)).as("Confluent-framed messages of %s", DOCUMENT).isEmpty();
    }

    @Test
    void aDocumentThatDriftedFromTheCodeIsRefused() {
        assertThat(specViolations(drifted(doc -> ((ObjectNode) doc.at("/operations/sendOutcome"))
                .put("action", "publish")))).as("an AsyncAPI 2 action").isNotEmpty();
        assertThat(specViolations(drifted(doc -> ((ObjectNode) doc).remove("info")))).as("no info").isNotEmpty();
        assertThat(referenceViolations(drifted(doc -> ((ObjectNode) doc.at("/operations/sendOutcome/channel"))
                .put("$ref", "#/channels/answers")))).as("a reference to no channel")
                .anyMatch(violation -> violation.contains("#/channels/answers"));

        assertThat(payloadViolations(drifted(doc -> ((ObjectNode) doc.at(
                "/components/messages/ChannelAssignmentOutcome/payload/schema"))
                .put("$ref", "../schemas/channel-assignment-answer.avsc"))))
                .as("a schema file that is not there")
                .anyMatch(violation -> violation.contains("channel-assignment-answer.avsc"))
                .anyMatch(violation -> violation.contains("channel-assignment-outcome.avsc"));
        assertThat(payloadViolations(drifted(doc -> ((ObjectNode) doc.at("/components/messages/DirectoryChange"))
                .put("name", "com.channelassignment.worker.kafka.avro.DirectoryUpdate"))))
                .as("a message named unlike its schema")
                .anyMatch(violation -> violation.contains("DirectoryUpdate"));

        assertThat(framingViolations(drifted(doc -> ((ObjectNode) doc.at(
                "/components/messages/ChannelAssignmentOutcomeConfluent/x-subjects"))
                .put("topic-record", "channel-assignment.outcomes-value"))))
                .as("a subject unlike the strategy's")
                .anyMatch(violation -> violation.contains("channel-assignment.outcomes-value"));
        assertThat(framingViolations(drifted(doc -> ((ObjectNode) doc.at("/channels/requests/messages"))
                .remove("DirectoryChangeConfluent"))))
                .as("a Confluent-framed message the channel does not carry")
                .anyMatch(violation -> violation.contains("DirectoryChangeConfluent"));
        assertThat(framingViolations(drifted(doc -> ((ObjectNode) doc.at(
                "/components/messages/ChannelAssignmentRequestConfluent/bindings/kafka"))
                .put("schemaIdPayloadEncoding", "apicurio-new"))))
                .as("another registry's framing")
                .anyMatch(violation -> violation.contains("apicurio-new"));

        assertThat(channelViolations(drifted(doc -> ((ObjectNode) doc.at("/channels/outcomes"))
                .put("address", "channel-assignment.answers")))).as("a topic renamed in the document only")
                .anyMatch(violation -> violation.contains("channel-assignment.answers"));
        assertThat(channelViolations(drifted(doc -> ((ObjectNode) doc.at("/channels/requests/bindings/kafka"))
                .put("partitions", 6)))).as("partitions unlike the default")
                .anyMatch(violation -> violation.contains("partitions"));

        assertThat(headerViolations(drifted(doc -> ((ObjectNode) doc.at("/components/schemas/OutcomeHeaders/properties"))
                .set("correlationId", ((ObjectNode) doc.at("/components/schemas/OutcomeHeaders/properties"))
                        .remove("correlation_id")))))
                .as("an outcome header renamed in the document only")
                .anyMatch(violation -> violation.contains("correlationId"));
        assertThat(headerViolations(drifted(doc -> ((ObjectNode) doc.at(
                "/components/messages/DeadLetter/headers/properties")).remove("dlt-original-value-sha256"))))
                .as("a dead-letter header left out")
                .anyMatch(violation -> violation.contains("dlt-original-value-sha256"));
        assertThat(headerViolations(drifted(doc -> ((ObjectNode) doc.at("/components/schemas/ReplayHeaders/properties"))
                .remove("dlt-replay-of")))).as("the replay mark left out")
                .anyMatch(violation -> violation.contains("dlt-replay-of"));
    }

    // --- the checks: each returns what is wrong, empty when nothing is ---

    static List<String> specViolations(JsonNode document) {
        JsonNode spec = read(Path.of("src/test/resources").resolve(ASYNCAPI_SCHEMA));
        Map<String, String> byId = new LinkedHashMap<>();
        byId.put(spec.path("$id").asText(), spec.toString());
        spec.path("definitions").forEach(definition -> byId.put(definition.path("$id").asText(), definition.toString()));
        // Every $id is served from the bundle: nothing is ever fetched.
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getDraft7(),
                builder -> builder.schemas(byId));
        List<String> violations = new ArrayList<>();
        for (Error error : registry.getSchema(SchemaLocation.of(spec.path("$id").asText()))
                .validate(document.toString(), InputFormat.JSON)) {
            violations.add(error.getInstanceLocation() + ": " + error.getMessage());
        }
        return violations;
    }

    /** Local $refs name a node of the document; other $refs name a file beside it. */
    static List<String> referenceViolations(JsonNode document) {
        List<String> violations = new ArrayList<>();
        references(document).forEach(ref -> {
            if (ref.startsWith("#")) {
                if (document.at(ref.substring(1)).isMissingNode()) {
                    violations.add(ref + " names nothing in the document");
                }
            } else if (!Files.isRegularFile(DOCUMENT.resolveSibling(ref).normalize())) {
                violations.add(ref + " is no file");
            }
        });
        return violations;
    }

    /**
     * Every Avro payload is a file of schemas/ that parses, under the message's name; every schema of schemas/ is a
     * payload.
     */
    static List<String> payloadViolations(JsonNode document) {
        List<String> violations = new ArrayList<>();
        Map<String, Path> referenced = new LinkedHashMap<>();
        document.path("components").path("messages").properties().forEach(entry -> {
            JsonNode payload = entry.getValue().path("payload");
            if (!payload.has("schemaFormat")) {
                return;
            }
            if (!AVRO_FORMAT.equals(payload.path("schemaFormat").asText())) {
                violations.add(entry.getKey() + ": schemaFormat " + payload.path("schemaFormat").asText());
                return;
            }
            referenced.put(entry.getKey(),
                    DOCUMENT.resolveSibling(payload.path("schema").path("$ref").asText()).normalize());
        });
        Set<Path> schemaFiles = new TreeSet<>();
        try (Stream<Path> files = Files.list(SCHEMAS)) {
            files.filter(file -> file.toString().endsWith(".avsc")).map(Path::normalize).forEach(schemaFiles::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!new TreeSet<>(referenced.values()).equals(schemaFiles)) {
            violations.add("Avro payloads " + new TreeSet<>(referenced.values()) + " are not the schemas "
                    + schemaFiles);
        }
        Set<Path> toParse = new TreeSet<>(schemaFiles);
        referenced.values().stream().filter(Files::isRegularFile).forEach(toParse::add);
        Map<Path, Schema> schemas;
        try {
            schemas = parseTogether(new ArrayList<>(toParse));
        } catch (IOException | AvroRuntimeException e) {
            violations.add("the schemas " + toParse + " do not parse as Avro: " + e.getMessage());
            return violations;
        }
        referenced.forEach((message, file) -> {
            Schema schema = schemas.get(file);
            String name = document.path("components").path("messages").path(message).path("name").asText();
            if (schema == null) {
                violations.add(message + ": " + file + " is no file");
            } else if (!schema.getFullName().equals(name) || !schema.getName().equals(twinOf(message))) {
                violations.add(message + ": named " + name + ", but " + file + " is " + schema.getFullName());
            }
        });
        return violations;
    }

    /**
     * The schemas parsed as the build's Avro plugin parses them, with the names the others define: each in turn, the
     * one whose names are not yet defined put after the others.
     */
    private static Map<Path, Schema> parseTogether(List<Path> files) throws IOException {
        List<Path> order = new ArrayList<>(files);
        AvroRuntimeException last = null;
        for (int attempt = 0; attempt <= files.size() * files.size(); attempt++) {
            Schema.Parser parser = new Schema.Parser();
            Map<Path, Schema> parsed = new LinkedHashMap<>();
            Path current = null;
            try {
                for (Path file : order) {
                    current = file;
                    parsed.put(file, parser.parse(file.toFile()));
                }
                return parsed;
            } catch (AvroRuntimeException e) {
                last = e;
                order.remove(current);
                order.add(current);
            }
        }
        throw last;
    }

    /** The channels' addresses and Kafka bindings are the worker's topic defaults. */
    static List<String> channelViolations(JsonNode document) {
        List<String> violations = new ArrayList<>();
        Map<String, String> addresses = Map.of("requests", TOPICS.requests(), "outcomes", TOPICS.outcomes(),
                "deadLetter", TOPICS.deadLetter());
        JsonNode channels = document.path("channels");
        Set<String> names = new TreeSet<>();
        channels.fieldNames().forEachRemaining(names::add);
        if (!names.equals(new TreeSet<>(addresses.keySet()))) {
            violations.add("channels " + names + ", not " + new TreeSet<>(addresses.keySet()));
        }
        addresses.forEach((name, topic) -> {
            JsonNode channel = channels.path(name);
            if (!topic.equals(channel.path("address").asText())) {
                violations.add(name + ": address " + channel.path("address").asText() + ", default topic " + topic);
            }
            JsonNode kafka = channel.path("bindings").path("kafka");
            if (kafka.path("partitions").asInt() != TOPICS.partitions()) {
                violations.add(name + ": partitions " + kafka.path("partitions") + ", default " + TOPICS.partitions());
            }
            if (kafka.path("replicas").asInt() != TOPICS.replicationFactor()) {
                violations.add(name + ": replicas " + kafka.path("replicas") + ", default "
                        + TOPICS.replicationFactor());
            }
        });
        // The worker reads what it wrote the way it tells outcome consumers to.
        String isolation = document.at("/operations/sendOutcome/x-kafka-consumer-configuration/isolation.level")
                .asText();
        Object configured = applicationYml().get("spring.kafka.consumer.isolation-level");
        if (!isolation.equals(String.valueOf(configured).replace('-', '_'))) {
            violations.add("outcomes read with isolation.level " + isolation + ", the worker with " + configured);
        }
        return violations;
    }

    /** Header names as the code writes and reads them: outcomes, dead letters and replays. */
    static List<String> headerViolations(JsonNode document) {
        List<String> violations = new ArrayList<>();
        String replayOf = cliDeadLetterHeader("REPLAY_OF");

        JsonNode outcome = resolve(document, document.at("/components/messages/ChannelAssignmentOutcome/headers"));
        expectHeaders(violations, "outcome", outcome, Set.of(WireHeaders.REQUEST_ID,
                WireHeaders.CORRELATION_ID, WireHeaders.TRUNCATED,
                RecordTracing.TRACEPARENT));
        if (!contains(outcome.path("required"), WireHeaders.REQUEST_ID)) {
            violations.add("outcome: " + WireHeaders.REQUEST_ID + " is not required");
        }

        JsonNode deadLetter = document.at("/components/messages/DeadLetter/headers");
        Set<String> deadLetterHeaders = Set.of(
                KafkaHeaders.DLT_ORIGINAL_TOPIC, KafkaHeaders.DLT_ORIGINAL_PARTITION, KafkaHeaders.DLT_ORIGINAL_OFFSET,
                KafkaHeaders.DLT_ORIGINAL_TIMESTAMP, KafkaHeaders.DLT_ORIGINAL_TIMESTAMP_TYPE,
                KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP, KafkaHeaders.DLT_EXCEPTION_FQCN,
                KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN, KafkaHeaders.DLT_EXCEPTION_MESSAGE,
                WireHeaders.ORIGINAL_VALUE_SIZE,
                WireHeaders.ORIGINAL_VALUE_SHA256,
                WireHeaders.ORIGINAL_KEY_SIZE,
                WireHeaders.ORIGINAL_KEY_SHA256,
                WireHeaders.TRUNCATED, replayOf, RecordTracing.TRACEPARENT);
        expectHeaders(violations, "dead letter", deadLetter, deadLetterHeaders);
        // Every header the CLI's dlt commands read is one the document gives the dead letters.
        cliDeadLetterHeaders().forEach(header -> {
            if (!deadLetter.path("properties").has(header)) {
                violations.add("dead letter: the CLI reads " + header + ", the document does not state it");
            }
        });
        for (String required : List.of(KafkaHeaders.DLT_ORIGINAL_TOPIC, KafkaHeaders.DLT_ORIGINAL_PARTITION,
                KafkaHeaders.DLT_ORIGINAL_OFFSET, KafkaHeaders.DLT_EXCEPTION_FQCN)) {
            if (!contains(deadLetter.path("required"), required)) {
                violations.add("dead letter: " + required + " is not required");
            }
        }

        for (String message : List.of("ChannelAssignmentRequest", "DirectoryChange")) {
            JsonNode headers = resolve(document, document.at("/components/messages/" + message + "/headers"));
            expectHeaders(violations, message, headers, Set.of(replayOf, RecordTracing.TRACEPARENT));
        }
        return violations;
    }

    /**
     * Each Avro message {@code X} has a twin {@code XConfluent}: the same record, payload and headers, in the same
     * channels and operations, with the Kafka binding of the Confluent wire format, the default strategy's lookup, and
     * the subject each {@link SubjectNameStrategy} gives it on its channel's topic.
     */
    static List<String> framingViolations(JsonNode document) {
        List<String> violations = new ArrayList<>();
        JsonNode messages = document.path("components").path("messages");
        SubjectNameStrategy defaultStrategy = bindWorkerProperties(Map.of()).schemaRegistry().subjectNameStrategy();
        String lookup = defaultStrategy.confluentClassName()
                .substring(defaultStrategy.confluentClassName().lastIndexOf('.') + 1);
        messages.properties().forEach(entry -> {
            String single = entry.getKey();
            if (single.endsWith(CONFLUENT) || !entry.getValue().path("payload").has("schemaFormat")) {
                return;
            }
            String twin = single + CONFLUENT;
            JsonNode message = entry.getValue();
            JsonNode confluent = messages.path(twin);
            if (confluent.isMissingNode()) {
                violations.add(single + ": no " + twin);
                return;
            }
            for (String field : List.of("name", "payload", "contentType")) {
                if (!message.path(field).equals(confluent.path(field))) {
                    violations.add(twin + ": " + field + " unlike " + single + "'s");
                }
            }
            if (!resolve(document, message.path("headers")).equals(resolve(document, confluent.path("headers")))) {
                violations.add(twin + ": headers unlike " + single + "'s");
            }
            JsonNode kafka = confluent.path("bindings").path("kafka");
            Map<String, String> binding = Map.of("schemaIdLocation", "payload", "schemaIdPayloadEncoding",
                    "confluent", "schemaLookupStrategy", lookup);
            binding.forEach((field, expected) -> {
                if (!expected.equals(kafka.path(field).asText())) {
                    violations.add(twin + ": " + field + " " + kafka.path(field).asText() + ", not " + expected);
                }
            });
            if (!message.path("bindings").path("kafka").path("key")
                    .equals(kafka.path("key"))) {
                violations.add(twin + ": key unlike " + single + "'s");
            }
            List<String> channels = new ArrayList<>();
            document.path("channels").properties().forEach(channel -> {
                boolean carriesSingle = channel.getValue().path("messages").has(single);
                if (carriesSingle) {
                    channels.add(channel.getValue().path("address").asText());
                }
                if (carriesSingle != channel.getValue().path("messages").has(twin)) {
                    violations.add("channel " + channel.getKey() + ": carries one of " + single + " and " + twin);
                }
            });
            document.path("operations").properties().forEach(operation -> {
                Set<String> named = new TreeSet<>();
                operation.getValue().path("messages").forEach(ref -> named.add(ref.path("$ref").asText()
                        .substring(ref.path("$ref").asText().lastIndexOf('/') + 1)));
                if (named.contains(single) != named.contains(twin)) {
                    violations.add("operation " + operation.getKey() + ": names one of " + single + " and " + twin);
                }
            });
            JsonNode subjects = confluent.path("x-subjects");
            Set<String> stated = new TreeSet<>();
            subjects.fieldNames().forEachRemaining(stated::add);
            Set<String> strategies = new TreeSet<>();
            for (SubjectNameStrategy strategy : SubjectNameStrategy.values()) {
                strategies.add(strategy.settingValue());
                for (String topic : channels) {
                    String subject = strategy.subject(topic, message.path("name").asText());
                    if (!subject.equals(subjects.path(strategy.settingValue()).asText())) {
                        violations.add(twin + ": subject under " + strategy.settingValue() + " is "
                                + subjects.path(strategy.settingValue()).asText() + ", the worker's " + subject);
                    }
                }
            }
            if (!stated.equals(strategies)) {
                violations.add(twin + ": x-subjects for " + stated + ", the strategies are " + strategies);
            }
        });
        return violations;
    }

    /** The single-object message a Confluent-framed one is the twin of; a single-object message itself. */
    private static String twinOf(String message) {
        return message.endsWith(CONFLUENT) ? message.substring(0, message.length() - CONFLUENT.length()) : message;
    }

    private static void expectHeaders(List<String> violations, String what, JsonNode headers, Set<String> expected) {
        Set<String> stated = new TreeSet<>();
        headers.path("properties").fieldNames().forEachRemaining(stated::add);
        if (!stated.equals(new TreeSet<>(expected))) {
            violations.add(what + ": headers " + stated + ", the code's " + new TreeSet<>(expected));
        }
    }

    /** The header names the CLI's dead-letter reader knows: its class is the CLI's own, so read reflectively. */
    private static Set<String> cliDeadLetterHeaders() {
        Set<String> headers = new TreeSet<>();
        for (Field field : cliDeadLetter().getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                headers.add(staticString(field));
            }
        }
        assertThat(headers).as("header names of the CLI's DeadLetter").isNotEmpty();
        return headers;
    }

    private static String cliDeadLetterHeader(String name) {
        try {
            return staticString(cliDeadLetter().getDeclaredField(name));
        } catch (NoSuchFieldException e) {
            throw new AssertionError("the CLI's DeadLetter has no " + name, e);
        }
    }

    private static Class<?> cliDeadLetter() {
        try {
            return Class.forName("com.channelassignment.worker.cli.DeadLetter");
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static String staticString(Field field) {
        try {
            field.setAccessible(true);
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    // --- reading the document ---

    static JsonNode read(Path file) {
        try {
            return file.toString().endsWith(".json") ? new JsonMapper().readTree(file.toFile())
                    : new YAMLMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode drifted(Consumer<JsonNode> change) {
        JsonNode copy = document.deepCopy();
        change.accept(copy);
        return copy;
    }

    private static JsonNode resolve(JsonNode document, JsonNode node) {
        JsonNode ref = node.get("$ref");
        return ref != null && ref.asText().startsWith("#") ? resolve(document, document.at(ref.asText().substring(1)))
                : node;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode element : array) {
            if (element.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> references(JsonNode node) {
        List<String> refs = new ArrayList<>();
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getKey().equals("$ref") && field.getValue().isTextual()) {
                    refs.add(field.getValue().asText());
                } else {
                    refs.addAll(references(field.getValue()));
                }
            }
        } else if (node.isArray()) {
            node.forEach(element -> refs.addAll(references(element)));
        }
        return refs;
    }
}
