package com.channelassignment.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The current schemas must read everything a released version wrote: requests still in the topic when the worker is
 * upgraded, and outcomes that consumers stored. Each directory under {@code schemas/released} is one released version.
 */
class SchemaCompatibilityTest {

    private static final Path RELEASED = Path.of("schemas", "released");
    private static final String REQUEST_FILE = "channel-assignment-request.avsc";
    private static final String OUTCOME_FILE = "channel-assignment-outcome.avsc";

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
    void currentRequestSchemaReadsRequestsOfReleasedVersion(ReleasedVersion released) {
        assertCanRead(ChannelAssignmentRequest.getClassSchema(), released.request());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releasedVersions")
    void currentOutcomeSchemaReadsOutcomesOfReleasedVersion(ReleasedVersion released) {
        assertCanRead(ChannelAssignmentOutcome.getClassSchema(), released.outcome());
    }

    @Test
    void reportsNewRequiredFieldWithoutDefaultAsIncompatible() {
        Schema current = ChannelAssignmentRequest.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("tenant_region", Schema.create(Schema.Type.STRING), "required, no default"));
        Schema withRequiredField = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(),
                false, fields);

        assertThat(compatibility(withRequiredField, current).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void reportsDroppedEnumSymbolAsIncompatible() {
        Schema current = ChannelAssignmentRequest.getClassSchema();
        Schema withoutUnassign = new Schema.Parser().parse(current.toString().replace(", \"UNASSIGN\"", "")
                .replace(",\"UNASSIGN\"", ""));
        assertThat(withoutUnassign.getField("operation").schema().getEnumSymbols()).containsExactly("ASSIGN");

        assertThat(compatibility(withoutUnassign, current).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    private static void assertCanRead(Schema reader, Schema writer) {
        SchemaPairCompatibility result = compatibility(reader, writer);
        assertThat(result.getType())
                .as("reader %s vs released writer: %s", reader.getFullName(), result.getResult().getIncompatibilities())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    private static SchemaPairCompatibility compatibility(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    }
}
