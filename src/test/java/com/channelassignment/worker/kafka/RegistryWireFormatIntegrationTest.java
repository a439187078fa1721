package com.channelassignment.worker.kafka;

import com.channelassignment.worker.kafka.gateway.KafkaRequestChannel;
import com.channelassignment.worker.kafka.health.SchemaRegistryHealthIndicator;
import com.channelassignment.worker.contract.WireContract;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.cli.ChannelAssignmentCli;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.SchemaRegistryProcess;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.domain.AssignmentRequests;
import io.apicurio.registry.serde.Legacy4ByteIdHandler;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Confluent wire format against a real schema registry (Apicurio Registry, Confluent API), broker and PostgreSQL:
 * readiness until the worker's schemas are registered, a request from a third-party serializer applied and its outcome
 * read by that library, both framings on one partition, an unknown schema id dead-lettered, and a registry that goes
 * away mid-stream pausing the worker without a dead letter or a lost request.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryWireFormatIntegrationTest extends SpringWorkerHarness {

    /** File-backed, so that stopping and starting it keeps the schemas and their ids. */
    private static final SchemaRegistryProcess REGISTRY = SchemaRegistryProcess.startFileBacked();

    @Autowired
    WireContract wire;

    @Autowired
    SchemaRegistryHealthIndicator registryHealth;

    @Autowired
    KafkaRequestChannel calls;

    @DynamicPropertySource
    static void confluentFormat(DynamicPropertyRegistry registry) {
        confluentWireFormat(registry, REGISTRY::confluentUrl);
        registry.add("channel-assignment.retry.max-interval", () -> "1s");
    }

    @AfterAll
    static void stopRegistry() {
        REGISTRY.close();
    }

    @Test
    @Order(1)
    void isNotReadyUntilItsSchemasAreRegisteredThenRegistersThemWithTheCli() throws Exception {
        Health before = registryHealth.health(true);
        assertThat(before.getStatus()).isEqualTo(Status.DOWN);
        assertThat(String.valueOf(before.getDetails().get("reason"))).contains("not registered under subject "
                + outcomesTopic + "-" + ChannelAssignmentOutcome.class.getName());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = ChannelAssignmentCli.run(new String[] {"schemas", "register", "--registry-url",
                REGISTRY.confluentUrl(), "--topic", requestsTopic, "--outcomes-topic", outcomesTopic},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertThat(status).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(registryHealth.health(true).getStatus()).isEqualTo(Status.UP);
    }

    @Test
    @Order(2)
    void appliesARequestAThirdPartySerializerWroteAndThatLibraryReadsItsOutcome() throws Exception {
        Directory directory = directory();
        String requestId = "apicurio-" + UUID.randomUUID();
        ChannelAssignmentRequest request = AssignmentRequests.anAssignment().withRequestId(requestId)
                .inOrganization(directory.organizationId()).forHandle(directory.identity().agentHandle())
                .ofMailbox(directory.mailbox().id()).buildWire();

        byte[] value = serialize(request);
        kafka().send(requestsTopic, directory.organizationId(), value);
        ConsumerRecord<byte[], byte[]> outcomeRecord = kafka().readOutcomes(outcomesTopic, List.of(requestId)).get(0);

        assertThat(value[0]).as("Confluent framing").isZero();
        assertThat(outcomeRecord.value()[0]).as("the outcome is written in the configured format").isZero();
        ChannelAssignmentOutcome outcome = deserializeOutcome(outcomeRecord);
        assertThat(outcome.getStatus().name()).isEqualTo("ASSIGNED");
        assertThat(outcome.getChannelId()).isEqualTo(directory.mailbox().id().toString());
        assertThat(outcome.getOrganizationId()).isEqualTo(directory.organizationId());
    }

    @Test
    @Order(3)
    void answersSingleObjectAndConfluentRecordsInterleavedOnOnePartition() {
        Directory directory = directory();
        List<String> requestIds = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String requestId = "interleaved-" + i + "-" + UUID.randomUUID();
            requestIds.add(requestId);
            ChannelAssignmentRequest request = AssignmentRequests.anAssignment().withRequestId(requestId)
                    .inOrganization(directory.organizationId()).forHandle(directory.identity().agentHandle())
                    .ofMailbox(directory.mailbox().id()).buildWire();
            values.add(i % 2 == 0 ? contract.encodeRequest(request) : serialize(request));
        }
        kafka().sendTogether(requestsTopic, directory.organizationId(), values);

        List<ConsumerRecord<byte[], byte[]>> outcomes = kafka().readOutcomes(outcomesTopic, requestIds);

        assertThat(outcomes).hasSize(requestIds.size());
        assertThat(outcomes).extracting(record -> wire.decodeOutcome(record.value()).getStatus().name())
                .containsOnly("ASSIGNED");
    }

    @Test
    @Order(4)
    void deadLettersARecordNamingASchemaIdTheRegistryDoesNotHave() {
        String key = "unknown-id-" + UUID.randomUUID();
        byte[] value = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).putInt(42).array();

        kafka().send(requestsTopic, key, value);
        List<ConsumerRecord<byte[], byte[]>> deadLetters = kafka().readUntil(deadLetterTopic, true,
                records -> records.stream().anyMatch(record -> key.equals(keyOf(record))), Duration.ofSeconds(60),
                Duration.ZERO);

        ConsumerRecord<byte[], byte[]> deadLetter = deadLetters.stream().filter(record -> key.equals(keyOf(record)))
                .findFirst().orElseThrow();
        assertThat(deadLetter.value()).isEqualTo(value);
        assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-exception-message"))
                .contains("schema id 987654 is not in the schema registry");
    }

    @Test
    @Order(5)
    void pausesWhileTheRegistryIsAwayAndAppliesTheRequestOnceItIsBack() throws Exception {
        Directory directory = directory();
        // A request written with a schema the worker has not seen yet: it must ask the registry for it.
        Schema evolved = evolvedRequestSchema();
        int evolvedId = registerUnder(requestsTopic + "-" + ChannelAssignmentRequest.class.getName(), evolved);
        String requestId = "outage-" + UUID.randomUUID();
        byte[] value = framed(evolvedId, evolved, AssignmentRequests.anAssignment().withRequestId(requestId)
                .inOrganization(directory.organizationId()).forHandle(directory.identity().agentHandle())
                .ofMailbox(directory.mailbox().id()).buildWire());
        int deadLettersBefore = deadLetterCount();

        REGISTRY.stop();
        try {
            kafka().send(requestsTopic, directory.organizationId(), value);
            TimeUnit.SECONDS.sleep(5);
            assertThat(registryHealth.health(true).getStatus()).as("readiness while the registry is away")
                    .isEqualTo(Status.DOWN);
            assertThat(outcomeCount(requestId)).as("nothing applied without the writer schema").isZero();
        } finally {
            REGISTRY.start();
        }

        ConsumerRecord<byte[], byte[]> outcome = kafka().readOutcomes(outcomesTopic, List.of(requestId)).get(0);
        assertThat(wire.decodeOutcome(outcome.value()).getStatus().name()).isEqualTo("ASSIGNED");
        assertThat(outcomeCount(requestId)).as("exactly one outcome").isEqualTo(1);
        assertThat(deadLetterCount()).as("no dead letter for a registry outage").isEqualTo(deadLettersBefore);
        assertThat(registryHealth.health(true).getStatus()).isEqualTo(Status.UP);
    }

    @Test
    @Order(6)
    void sendsTheHttpApisRequestsInTheConfiguredFormat() throws Exception {
        Directory directory = directory();
        String requestId = "call-" + UUID.randomUUID();
        AssignmentRequest call = new AssignmentRequest(requestId, directory.organizationId(),
                directory.identity().agentHandle(), Operation.ASSIGN,
                com.channelassignment.worker.domain.ChannelType.MAILBOX, directory.mailbox().id().toString(),
                Instant.now(), null);

        var answer = calls.send(call).get(30, TimeUnit.SECONDS);

        assertThat(answer.status().name()).isEqualTo("ASSIGNED");
        List<ConsumerRecord<byte[], byte[]>> requests = kafka().readUntil(requestsTopic, true,
                records -> records.stream().anyMatch(record -> isRequest(record, requestId)), Duration.ofSeconds(30),
                Duration.ZERO);
        assertThat(requests.stream().filter(record -> isRequest(record, requestId)).findFirst().orElseThrow()
                .value()[0]).as("the call's request on the topic, Confluent-framed").isZero();
    }

    @Test
    @Order(7)
    void theCompatibilityCheckRefusesASchemaTheRegistryWouldNotAccept() throws Exception {
        String topic = "compatibility-" + UUID.randomUUID();
        // The latest outcome schema under this subject has a field the worker's lacks and needs no default for; the
        // worker's, as a reader of what that one wrote, misses its own required fields.
        Schema incompatible = new Schema.Parser().parse("""
                {"type": "record", "name": "ChannelAssignmentOutcome",
                 "namespace": "com.channelassignment.worker.kafka.avro",
                 "fields": [{"name": "only_field", "type": "string"}]}""");
        registerUnder(topic + "-outcomes-" + ChannelAssignmentOutcome.class.getName(), incompatible);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = ChannelAssignmentCli.run(new String[] {"schemas", "check", "--registry-url",
                REGISTRY.confluentUrl(), "--topic", topic + "-requests", "--outcomes-topic", topic + "-outcomes"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertThat(status).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(topic + "-outcomes-"
                + ChannelAssignmentOutcome.class.getName() + ": INCOMPATIBLE");
    }

    /** An identity of its own organization and a mailbox to assign to it, published to the worker. */
    private record Directory(String organizationId, Identity identity, Mailbox mailbox) {
    }

    private Directory directory() {
        DirectoryFixture fixture = new DirectoryFixture();
        Identity identity = fixture.identity("registry-bot");
        Mailbox mailbox = fixture.mailbox();
        fixture.publishTo(worker());
        return new Directory(fixture.organizationId(), identity, mailbox);
    }

    private static Map<String, Object> serdeConfig() {
        return Map.of(SerdeConfig.REGISTRY_URL, REGISTRY.apicurioUrl(),
                SerdeConfig.AUTO_REGISTER_ARTIFACT, true,
                SerdeConfig.ID_HANDLER, Legacy4ByteIdHandler.class.getName(),
                SerdeConfig.USE_ID, "contentId",
                SerdeConfig.ENABLE_HEADERS, false,
                AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
    }

    private byte[] serialize(ChannelAssignmentRequest request) {
        try (AvroKafkaSerializer<ChannelAssignmentRequest> serializer = new AvroKafkaSerializer<>()) {
            serializer.configure(serdeConfig(), false);
            return serializer.serialize(requestsTopic, request);
        }
    }

    private ChannelAssignmentOutcome deserializeOutcome(ConsumerRecord<byte[], byte[]> record) {
        try (AvroKafkaDeserializer<ChannelAssignmentOutcome> deserializer = new AvroKafkaDeserializer<>()) {
            deserializer.configure(serdeConfig(), false);
            return deserializer.deserialize(record.topic(), record.value());
        }
    }

    /** The request schema with one more optional field: a later version a producer might write with. */
    private static Schema evolvedRequestSchema() {
        Schema current = ChannelAssignmentRequest.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("priority", Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), "added later", Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    private static byte[] framed(int id, Schema writer, ChannelAssignmentRequest request) throws IOException {
        GenericRecord record = new GenericData.Record(writer);
        for (Schema.Field field : ChannelAssignmentRequest.getClassSchema().getFields()) {
            record.put(field.name(), request.get(field.name()));
        }
        record.put("priority", "high");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        // The generated class's model, which converts its timestamps and enums.
        new GenericDatumWriter<GenericRecord>(writer, SpecificData.getForClass(ChannelAssignmentRequest.class))
                .write(record, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }

    private static int registerUnder(String subject, Schema schema) {
        return new com.channelassignment.worker.contract.registry.SchemaRegistryClient(
                java.net.URI.create(REGISTRY.confluentUrl()), Duration.ofSeconds(10), null, null)
                .register(subject, schema.toString()).id();
    }

    private long outcomeCount(String requestId) {
        return kafka().readUntil(outcomesTopic, true, records -> true, Duration.ofSeconds(10),
                Duration.ofMillis(500)).stream()
                .filter(record -> requestId.equals(KafkaTestClient.header(record, "request_id"))).count();
    }

    private int deadLetterCount() {
        return kafka().readUntil(deadLetterTopic, true, records -> true, Duration.ofSeconds(10),
                Duration.ofMillis(500)).size();
    }

    private boolean isRequest(ConsumerRecord<byte[], byte[]> record, String requestId) {
        try {
            return !wire.isDirectoryChange(record.value())
                    && requestId.equals(wire.decodeRequest(record.value()).requestId());
        } catch (RuntimeException notARequest) {
            return false;
        }
    }

    private static String keyOf(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    static {
        // The shared services first: the registry's child JVM is started beside them, never instead of them.
        TestServices.kafkaBootstrapServers();
    }
}
