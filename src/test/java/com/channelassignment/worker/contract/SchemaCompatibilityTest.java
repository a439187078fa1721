package com.channelassignment.worker.contract;

import com.channelassignment.worker.contract.AvroContract;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.Rejection;
import com.channelassignment.worker.kafka.avro.RejectionCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The current schemas and every released version must read each other: the worker reads requests a released version
 * wrote (still in the topic when it is upgraded), and listeners built against a released version read the outcomes
 * the current worker writes. Each directory under {@code schemas/released} is one released version.
 */
class SchemaCompatibilityTest {

    private static final Path RELEASED = Path.of("schemas", "released");
    private static final String REQUEST_FILE = "channel-assignment-request.avsc";
    private static final String OUTCOME_FILE = "channel-assignment-outcome.avsc";
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Sets Avro's limits and trusted packages before this class decodes anything, as the worker does at startup.
        new AvroContract();
    }

    /** One released version's schemas. */
    record ReleasedVersion(String name, Schema request, Schema outcome) {

        static ReleasedVersion read(Path directory) {
            try {
                // One parser for both: the outcome schema names Operation and ChannelType, defined in the request.
                Schema.Parser parser = new Schema.Parser();
                Schema request = parser.parse(directory.resolve(REQUEST_FILE).toFile());
                Schema outcome = parser.parse(directory.resolve(OUTCOME_FILE).toFile());
                return new ReleasedVersion(directory.getFileName().toString(), request, outcome);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read released schemas in " + directory, e);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A break that was accepted knowingly: readers of that released version fail on this symbol of this enum, and on
     * nothing else. The test holds each entry to still be needed, so the list cannot outlive the break.
     */
    record KnownBreak(String version, String enumName, String symbol, String why) {
    }

    static final List<KnownBreak> KNOWN_BREAKS = List.of(
            new KnownBreak("v1", "IdentityStatus", "deleted", "directory changes (issue 14) report a deleted identity "
                    + "on the outcomes of the links its deletion ended; v1 has no enum defaults, so a v1 listener "
                    + "fails on those outcomes. Retire v1 to drop this entry."));

    static List<ReleasedVersion> releasedVersions() throws IOException {
        List<ReleasedVersion> versions = new ArrayList<>();
        try (Stream<Path> directories = Files.list(RELEASED)) {
            directories.filter(Files::isDirectory).sorted().map(ReleasedVersion::read).forEach(versions::add);
        }
        if (versions.isEmpty()) {
            throw new IllegalStateException("no released schema versions under " + RELEASED.toAbsolutePath());
        }
        return versions;
    }

    @Test
    void findsReleasedVersions() throws IOException {
        assertThat(releasedVersions()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releasedVersions")
    void currentSchemasAndReleasedVersionReadEachOther(ReleasedVersion released) {
        assertThat(problems(ChannelAssignmentRequest.getClassSchema(), ChannelAssignmentOutcome.getClassSchema(),
                released)).isEmpty();
    }

    @Test
    void everyEnumOfTheContractHasADefault() {
        Map<String, Schema> enums = enums(ChannelAssignmentRequest.getClassSchema());
        enums.putAll(enums(ChannelAssignmentOutcome.getClassSchema()));
        enums.putAll(enums(com.channelassignment.worker.kafka.avro.DirectoryChange.getClassSchema()));

        assertThat(enums).containsOnlyKeys(avro("Operation"), avro("ChannelType"), avro("OutcomeStatus"),
                avro("RejectionCode"), avro("IdentityStatus"), avro("PhoneNumberType"), avro("IdentityLifecycle"),
                avro("PhoneNumberLifecycle"));
        enums.values().forEach(schema -> assertThat(schema.getEnumDefault()).as(schema.getFullName()).isNotNull());
    }

    /** Python's avro, avsc and AsyncAPI's parser take one file at a time: no file may lean on another's types. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"channel-assignment-request.avsc",
            "channel-assignment-outcome.avsc", "channel-assignment-directory-change.avsc"})
    void everySchemaFileParsesOnItsOwnAsTheSchemaTheWorkerWrites(String file) throws IOException {
        Schema parsed = new Schema.Parser().parse(java.nio.file.Path.of("schemas", file).toFile());

        // The generated classes' schemas carry avro.java.string, which the parsing form leaves out like every prop.
        assertThat(SchemaNormalization.toParsingForm(parsed)).isIn(
                SchemaNormalization.toParsingForm(ChannelAssignmentRequest.getClassSchema()),
                SchemaNormalization.toParsingForm(ChannelAssignmentOutcome.getClassSchema()),
                SchemaNormalization.toParsingForm(com.channelassignment.worker.kafka.avro.DirectoryChange
                        .getClassSchema()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releasedVersions")
    void reportsNewRequiredFieldAsUnreadableForNewReaders(ReleasedVersion released) {
        Schema outcome = ChannelAssignmentOutcome.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        outcome.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("tenant_region", Schema.create(Schema.Type.STRING), "required, no default"));
        Schema withRequiredField = Schema.createRecord(outcome.getName(), outcome.getDoc(), outcome.getNamespace(),
                false, fields);

        assertThat(problems(ChannelAssignmentRequest.getClassSchema(), withRequiredField, released))
                .singleElement().asString()
                .contains("the current outcome schema cannot read what " + released + " wrote")
                .contains("tenant_region");
    }

    /** A listener whose schema has no default for an enum breaks on the first symbol it does not know. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("releasedVersions")
    void reportsNewSymbolAsUnreadableForReleasedReadersWithoutADefault(ReleasedVersion released) {
        Schema withNewCode = withNewRejectionCode("RATE_LIMITED");
        boolean releasedReaderHasDefault = enums(released.outcome()).get(avro("RejectionCode")).getEnumDefault() != null;

        List<String> problems = problems(ChannelAssignmentRequest.getClassSchema(), withNewCode, released);

        if (releasedReaderHasDefault) {
            assertThat(problems).isEmpty();
        } else {
            assertThat(problems).singleElement().asString()
                    .contains(released + "'s outcome readers cannot read what the current schema writes");
        }
    }

    @Test
    void releasedVersionOneHasNoEnumDefaultsSoNoEnumMayGainASymbolWhileItIsKept() throws IOException {
        ReleasedVersion v1 = releasedVersions().stream().filter(version -> version.name().equals("v1"))
                .findFirst().orElseThrow();

        assertThat(problems(ChannelAssignmentRequest.getClassSchema(), withNewRejectionCode("RATE_LIMITED"), v1))
                .isNotEmpty();
    }

    @Test
    void everyKnownBreakIsStillABreak() throws IOException {
        for (KnownBreak known : KNOWN_BREAKS) {
            ReleasedVersion released = releasedVersions().stream()
                    .filter(version -> version.name().equals(known.version())).findFirst()
                    .orElseThrow(() -> new AssertionError(known + " names a version that is not kept"));
            Schema currentEnum = enums(ChannelAssignmentOutcome.getClassSchema()).get(avro(known.enumName()));
            Schema releasedEnum = enums(released.outcome()).get(avro(known.enumName()));

            assertThat(currentEnum.getEnumSymbols()).as(known.toString()).contains(known.symbol());
            assertThat(releasedEnum.getEnumSymbols()).as(known.toString()).doesNotContain(known.symbol());
            assertThat(releasedEnum.getEnumDefault()).as(known.toString()).isNull();
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(released.outcome(),
                    ChannelAssignmentOutcome.getClassSchema()).getType())
                    .as(known.toString()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        }
    }

    /** Avro resolves a symbol the reader lacks to the reader's default: an old UNASSIGN would be read as ASSIGN. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("releasedVersions")
    void reportsDroppedSymbolThatAvroWouldReadAsTheDefault(ReleasedVersion released) {
        Schema current = ChannelAssignmentRequest.getClassSchema();
        Schema withoutUnassign = new Schema.Parser().parse(current.toString().replace(",\"UNASSIGN\"", ""));
        assertThat(withoutUnassign.getField("operation").schema().getEnumSymbols()).containsExactly("ASSIGN");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(withoutUnassign, current).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);

        assertThat(problems(withoutUnassign, ChannelAssignmentOutcome.getClassSchema(), released))
                .anySatisfy(problem -> assertThat(problem)
                        .contains("drops UNASSIGN of " + avro("Operation"))
                        .contains(released.toString()));
    }

    /**
     * What a default buys a listener, byte for byte: an outcome with a code newer than the listener's schema, written by
     * single-object encoding. The listener resolves it once it knows the writer schema (single-object encoding names
     * the writer by fingerprint only), and reads the generic refusal with the real HTTP status and message.
     */
    @Test
    void listenerReadsARejectionCodeNewerThanItsSchemaAsInvalidRequest() throws IOException {
        Schema newerOutcome = withNewRejectionCode("RATE_LIMITED");
        ChannelAssignmentOutcome outcome = aRejectedOutcome();
        SpecificData model = SpecificData.getForClass(ChannelAssignmentOutcome.class);
        BinaryMessageDecoder<GenericRecord> newerWriter = new BinaryMessageDecoder<>(GenericData.get(), newerOutcome);
        newerWriter.addSchema(ChannelAssignmentOutcome.getClassSchema());
        GenericRecord asNewerWriterSees = newerWriter.decode(
                new BinaryMessageEncoder<>(model, ChannelAssignmentOutcome.getClassSchema()).encode(outcome));
        GenericRecord rejection = (GenericRecord) asNewerWriterSees.get("rejection");
        Schema codeSchema = rejection.getSchema().getField("code").schema();
        rejection.put("code", new GenericData.EnumSymbol(codeSchema, "RATE_LIMITED"));
        rejection.put("http_status", 429);
        rejection.put("message", "slow down");
        ByteBuffer newerBytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newerOutcome)
                .encode(asNewerWriterSees);

        BinaryMessageDecoder<ChannelAssignmentOutcome> listener =
                new BinaryMessageDecoder<>(model, ChannelAssignmentOutcome.getClassSchema());
        listener.addSchema(newerOutcome);
        ChannelAssignmentOutcome read = listener.decode(newerBytes);

        assertThat(read.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(read.getRejection().getCode()).isEqualTo(RejectionCode.INVALID_REQUEST);
        assertThat(read.getRejection().getHttpStatus()).isEqualTo(429);
        assertThat(read.getRejection().getMessage()).isEqualTo("slow down");
    }

    /**
     * Everything that keeps the current schemas and one released version from reading each other, in both
     * directions, plus what Avro's check lets through: a released symbol the current schema dropped, which Avro would
     * silently read as the enum's default.
     */
    static List<String> problems(Schema currentRequest, Schema currentOutcome, ReleasedVersion released) {
        List<String> problems = new ArrayList<>();
        problems.addAll(problems("request", currentRequest, released.request(), released));
        problems.addAll(problems("outcome", currentOutcome, released.outcome(), released));
        return problems;
    }

    private static List<String> problems(String kind, Schema current, Schema old, ReleasedVersion released) {
        List<String> problems = new ArrayList<>();
        SchemaPairCompatibility newReadsOld = SchemaCompatibility.checkReaderWriterCompatibility(current, old);
        if (newReadsOld.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add("the current " + kind + " schema cannot read what " + released + " wrote: "
                    + describe(newReadsOld));
        }
        SchemaPairCompatibility oldReadsNew =
                SchemaCompatibility.checkReaderWriterCompatibility(old, withoutKnownBreaks(current, released));
        if (oldReadsNew.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add(released + "'s " + kind + " readers cannot read what the current schema writes: "
                    + describe(oldReadsNew));
        }
        Map<String, Schema> currentEnums = enums(current);
        enums(old).forEach((name, oldEnum) -> {
            Schema currentEnum = currentEnums.get(name);
            List<String> kept = currentEnum == null ? List.of() : currentEnum.getEnumSymbols();
            oldEnum.getEnumSymbols().stream().filter(symbol -> !kept.contains(symbol)).forEach(symbol ->
                    problems.add("the current " + kind + " schema drops " + symbol + " of " + name + ", which "
                            + released + " wrote: it would be read as the default"));
        });
        return problems;
    }

    /** The schema as a writer that never writes the symbols the released version's readers are known to lack. */
    private static Schema withoutKnownBreaks(Schema current, ReleasedVersion released) {
        List<KnownBreak> breaks = KNOWN_BREAKS.stream().filter(known -> known.version().equals(released.name()))
                .toList();
        if (breaks.isEmpty()) {
            return current;
        }
        try {
            JsonNode json = JSON.readTree(current.toString());
            for (KnownBreak known : breaks) {
                removeSymbol(json, known);
            }
            return new Schema.Parser().parse(JSON.writeValueAsString(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeSymbol(JsonNode node, KnownBreak known) {
        if (node.isObject() && "enum".equals(node.path("type").asText())
                && known.enumName().equals(node.path("name").asText())) {
            ArrayNode symbols = (ArrayNode) node.get("symbols");
            for (int i = symbols.size() - 1; i >= 0; i--) {
                if (symbols.get(i).asText().equals(known.symbol())) {
                    symbols.remove(i);
                }
            }
        }
        node.forEach(child -> removeSymbol(child, known));
    }

    private static String describe(SchemaPairCompatibility compatibility) {
        List<String> parts = new ArrayList<>();
        compatibility.getResult().getIncompatibilities().forEach(incompatibility -> parts.add(
                incompatibility.getType() + " at " + incompatibility.getLocation() + ": "
                        + incompatibility.getMessage()));
        return String.join("; ", parts);
    }

    /** Every enum the schema defines or uses, by full name. */
    static Map<String, Schema> enums(Schema schema) {
        Map<String, Schema> enums = new LinkedHashMap<>();
        collectEnums(schema, enums, new ArrayList<>());
        return enums;
    }

    private static void collectEnums(Schema schema, Map<String, Schema> enums, List<String> visited) {
        switch (schema.getType()) {
            case ENUM -> enums.put(schema.getFullName(), schema);
            case RECORD -> {
                if (!visited.contains(schema.getFullName())) {
                    visited.add(schema.getFullName());
                    schema.getFields().forEach(field -> collectEnums(field.schema(), enums, visited));
                }
            }
            case UNION -> schema.getTypes().forEach(branch -> collectEnums(branch, enums, visited));
            case ARRAY -> collectEnums(schema.getElementType(), enums, visited);
            case MAP -> collectEnums(schema.getValueType(), enums, visited);
            case NULL, BOOLEAN, INT, LONG, FLOAT, DOUBLE, BYTES, STRING, FIXED -> {
                // hold no enum
            }
            default -> throw new IllegalArgumentException("unknown Avro type " + schema.getType());
        }
    }

    private static Schema withNewRejectionCode(String symbol) {
        Schema newer = new Schema.Parser().parse(ChannelAssignmentOutcome.getClassSchema().toString()
                .replace("\"IDEMPOTENCY_KEY_REUSED\"]", "\"IDEMPOTENCY_KEY_REUSED\",\"" + symbol + "\"]"));
        assertThat(enums(newer).get(avro("RejectionCode")).getEnumSymbols()).contains(symbol);
        return newer;
    }

    private static ChannelAssignmentOutcome aRejectedOutcome() {
        return ChannelAssignmentOutcome.newBuilder()
                .setEventId("9a4f3a52-3d52-4c39-9b0e-5b8f0d3c2e11")
                .setRequestId("req-42")
                .setCorrelationId(null)
                .setOrganizationId("org-abc123")
                .setAgentHandle("sales-bot")
                .setOperation(com.channelassignment.worker.kafka.avro.Operation.ASSIGN)
                .setChannelType(com.channelassignment.worker.kafka.avro.ChannelType.MAILBOX)
                .setChannelId("3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b34")
                .setStatus(OutcomeStatus.REJECTED)
                .setChanged(false)
                .setRejection(new Rejection(RejectionCode.CHANNEL_NOT_FOUND, 404, "no such mailbox"))
                .setIdentity(null)
                .setProcessedAt(Instant.parse("2025-01-15T10:15:30.456Z"))
                .build();
    }

    private static String avro(String simpleName) {
        return ChannelAssignmentRequest.class.getPackageName() + "." + simpleName;
    }
}
