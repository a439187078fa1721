package com.channelassignment.worker.testing.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.domain.AssignmentRequests;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import io.apicurio.registry.serde.Legacy4ByteIdHandler;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The test schema registry is a real one: it answers the Confluent REST API, keeps its port across a restart (and its
 * schemas, with file storage), and a third-party serializer (Apicurio's) writes Confluent's wire framing through it
 * onto a real broker, with an id that the Confluent API resolves.
 */
class SchemaRegistryProcessIntegrationTest {

    private static final String SCHEMA_REGISTRY_JSON = "application/vnd.schemaregistry.v1+json";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Schema REQUEST_SCHEMA = ChannelAssignmentRequest.getClassSchema();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void trustTheGeneratedClasses() throws ClassNotFoundException {
        // Avro 1.12 instantiates only classes from trusted packages; AvroContract's static block trusts the contract's.
        Class.forName(AvroContract.class.getName(), true, AvroContract.class.getClassLoader());
    }

    @Test
    void registersAnAvroSchemaThroughTheConfluentApiAndReadsItBackById() throws Exception {
        String url = TestServices.schemaRegistryUrl();
        String subject = "registry-it-" + UUID.randomUUID() + "-value";

        int id = register(url, subject, REQUEST_SCHEMA);

        JsonNode byId = getJson(url + "/schemas/ids/" + id);
        assertThat(byId.get("schema").asString()).isEqualTo(REQUEST_SCHEMA.toString());
        assertThat(new Schema.Parser().parse(byId.get("schema").asString())).isEqualTo(REQUEST_SCHEMA);
        JsonNode latest = getJson(url + "/subjects/" + subject + "/versions/latest");
        assertThat(latest.get("id").asInt()).isEqualTo(id);
        assertThat(latest.get("version").asInt()).isEqualTo(1);
        assertThat(getJson(url + "/config").get("compatibilityLevel").asString())
                .isEqualTo(SchemaRegistryProcess.GLOBAL_COMPATIBILITY);
        assertThat(register(url, subject, REQUEST_SCHEMA)).as("the same text again: the same id").isEqualTo(id);
    }

    @Test
    void restartsOnTheSamePortEmptyWithInMemoryStorage() throws Exception {
        try (SchemaRegistryProcess registry = SchemaRegistryProcess.startInMemory()) {
            register(registry.confluentUrl(), "in-memory-value", REQUEST_SCHEMA);

            registry.stop();
            assertThatThrownBy(() -> get(registry.confluentUrl() + "/subjects"))
                    .as("nothing answers while it is stopped").isInstanceOf(ConnectException.class);

            registry.start();
            HttpResponse<String> subjects = get(registry.confluentUrl() + "/subjects");
            assertThat(subjects.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(subjects.body()).isEmpty()).as("in-memory storage starts empty").isTrue();
            assertThat(getJson(registry.confluentUrl() + "/config").get("compatibilityLevel").asString())
                    .as("set again on start").isEqualTo(SchemaRegistryProcess.GLOBAL_COMPATIBILITY);
        }
    }

    @Test
    void restartsOnTheSamePortWithItsSchemasWithFileStorage() throws Exception {
        try (SchemaRegistryProcess registry = SchemaRegistryProcess.startFileBacked()) {
            String url = registry.confluentUrl();
            int id = register(url, "file-value", REQUEST_SCHEMA);

            registry.stop();
            assertThatThrownBy(() -> get(url + "/subjects")).isInstanceOf(ConnectException.class);

            registry.start();
            assertThat(registry.confluentUrl()).isEqualTo(url);
            assertThat(getJson(url + "/schemas/ids/" + id).get("schema").asString())
                    .isEqualTo(REQUEST_SCHEMA.toString());
            assertThat(getJson(url + "/subjects/file-value/versions/latest").get("id").asInt()).isEqualTo(id);
        }
    }

    @Test
    void apicurioSerializerWritesConfluentFramingWithAnIdTheConfluentApiResolves() throws Exception {
        String bootstrapServers = TestServices.kafkaBootstrapServers();
        String topic = "registry-it-" + UUID.randomUUID();
        KafkaTestClient.createTopics(bootstrapServers, 1, List.of(topic));
        ChannelAssignmentRequest request = AssignmentRequests.anAssignment().buildWire();
        // timestamp-millis: what comes back has millisecond precision.
        request.setRequestedAt(request.getRequestedAt().truncatedTo(ChronoUnit.MILLIS));

        Map<String, Object> serdeConfig = Map.of(
                SerdeConfig.REGISTRY_URL, TestServices.schemaRegistryApicurioUrl(),
                SerdeConfig.AUTO_REGISTER_ARTIFACT, true,
                SerdeConfig.ID_HANDLER, Legacy4ByteIdHandler.class.getName(),
                SerdeConfig.USE_ID, "contentId",
                SerdeConfig.ENABLE_HEADERS, false,
                AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        AvroKafkaSerializer<ChannelAssignmentRequest> serializer = new AvroKafkaSerializer<>();
        serializer.configure(serdeConfig, false);
        try (KafkaProducer<String, ChannelAssignmentRequest> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), serializer)) {
            producer.send(new ProducerRecord<>(topic, request.getOrganizationId(), request)).get();
        }

        byte[] value;
        try (KafkaTestClient client = new KafkaTestClient(bootstrapServers)) {
            List<ConsumerRecord<byte[], byte[]>> records = client.readUntil(topic, true,
                    read -> !read.isEmpty(), Duration.ofSeconds(30), Duration.ZERO);
            assertThat(records).hasSize(1);
            assertThat(records.get(0).headers().toArray()).as("the id is in the value, not in headers").isEmpty();
            value = records.get(0).value();
        }

        assertThat(value[0]).as("Confluent's magic byte").isEqualTo((byte) 0);
        int id = ByteBuffer.wrap(value, 1, 4).getInt();
        String url = TestServices.schemaRegistryUrl();
        Schema writer = new Schema.Parser().parse(getJson(url + "/schemas/ids/" + id).get("schema").asString());
        assertThat(writer).isEqualTo(REQUEST_SCHEMA);
        assertThat(getJson(url + "/subjects/" + topic + "-value/versions/latest").get("id").asInt())
                .as("registered under the topic's value subject").isEqualTo(id);
        // What a Confluent consumer does: the writer schema by id, then the Avro body after the 5-byte header.
        byte[] body = Arrays.copyOfRange(value, 5, value.length);
        ChannelAssignmentRequest decoded = new SpecificDatumReader<ChannelAssignmentRequest>(writer, REQUEST_SCHEMA)
                .read(null, DecoderFactory.get().binaryDecoder(body, null));
        assertThat(decoded).isEqualTo(request);

        try (AvroKafkaDeserializer<ChannelAssignmentRequest> deserializer = new AvroKafkaDeserializer<>()) {
            deserializer.configure(serdeConfig, false);
            assertThat(deserializer.deserialize(topic, value)).isEqualTo(request);
        }
        serializer.close();
    }

    private int register(String url, String subject, Schema schema) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(url + "/subjects/" + subject + "/versions"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", SCHEMA_REGISTRY_JSON)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("id").asInt();
    }

    private JsonNode getJson(String uri) throws IOException, InterruptedException {
        HttpResponse<String> response = get(uri);
        assertThat(response.statusCode()).as("GET " + uri + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> get(String uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10))
                .header("Accept", SCHEMA_REGISTRY_JSON).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
