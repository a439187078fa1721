package com.channelassignment.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.data.TraceParent;
import com.channelassignment.worker.domain.AssignmentRequests;
import com.channelassignment.worker.testing.services.WorkerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code logging.structured.format.console} turns the worker's console into one JSON object per line, with the
 * record a line is about, and its trace, as fields. The worker runs as its own process, configured as the jar is: in the test JVM,
 * the test's logback configuration would win over the property.
 */
class StructuredLogsIntegrationTest {

    private static final int PARTITIONS = 3;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** ECS, as docker compose and the Kubernetes base use; Logstash differs only in the names of the fixed fields. */
    @Test
    void everyConsoleLineIsJsonAndNamesTheRecordItIsAbout() throws IOException {
        String run = "logs-" + UUID.randomUUID().toString().substring(0, 8);
        TestServices.Database database = TestServices.createDatabase();
        Path log = Path.of("target", "structured-logs", run + ".log");
        String organization = "org-" + run;
        String requestId = "logged-" + UUID.randomUUID();
        String correlationId = "workflow-" + UUID.randomUUID();
        TraceParent trace = TraceParent.random();

        try (WorkerProcess worker = WorkerProcess.startFromClasses(List.of(
                "--logging.structured.format.console=ecs",
                "--logging.level.com.channelassignment.worker.application=DEBUG",
                "--management.tracing.export.enabled=true",
                "--spring.datasource.url=" + database.jdbcUrl(),
                "--spring.datasource.username=" + database.username(),
                "--spring.datasource.password=" + database.password(),
                "--spring.kafka.bootstrap-servers=" + TestServices.kafkaBootstrapServers(),
                "--spring.kafka.consumer.group-id=" + run,
                "--spring.kafka.producer.transaction-id-prefix=" + run + "-tx-",
                "--channel-assignment.topics.requests=" + run + "-requests",
                "--channel-assignment.topics.outcomes=" + run + "-outcomes",
                "--channel-assignment.topics.dead-letter=" + run + "-requests.dlt",
                "--channel-assignment.topics.partitions=" + PARTITIONS), log);
                KafkaTestClient kafka = new KafkaTestClient(TestServices.kafkaBootstrapServers())) {
            worker.awaitReady(Duration.ofSeconds(90));
            int partition = KafkaTestClient.partitionOf(organization.getBytes(StandardCharsets.UTF_8), PARTITIONS);
            ProducerRecord<byte[], byte[]> traced = new ProducerRecord<>(run + "-requests",
                    organization.getBytes(StandardCharsets.UTF_8), new AvroContract().encodeRequest(
                            AssignmentRequests.anAssignment().withRequestId(requestId).inOrganization(organization)
                                    .forHandle("nobody").withCorrelationId(correlationId).buildWire()));
            traced.headers().add(TraceParent.HEADER, trace.toString().getBytes(StandardCharsets.UTF_8));
            kafka.send(traced);
            kafka.send(run + "-requests", organization, "not avro".getBytes(StandardCharsets.UTF_8));

            JsonNode rejection = awaitLine(log, line -> requestId.equals(text(line, "request_id"))
                    && message(line).contains("IDENTITY_NOT_FOUND"));
            assertThat(text(rejection, "correlation_id")).isEqualTo(correlationId);
            assertThat(text(rejection, "topic")).isEqualTo(run + "-requests");
            assertThat(text(rejection, "partition")).isEqualTo(Integer.toString(partition));
            assertThat(text(rejection, "offset")).isEqualTo("0");
            assertThat(level(rejection)).isEqualTo("DEBUG");
            assertThat(text(rejection, "traceId")).as("the record's trace").isEqualTo(trace.traceId());
            assertThat(text(rejection, "spanId")).as("the worker's span, a child of the producer's").hasSize(16)
                    .isNotEqualTo(trace.spanId());

            JsonNode deadLetter = awaitLine(log, line -> message(line).startsWith("dead-lettering"));
            assertThat(text(deadLetter, "partition")).isEqualTo(Integer.toString(partition));
            assertThat(text(deadLetter, "offset")).isEqualTo("1");
            assertThat(deadLetter.has("request_id")).as("an undecodable record has no request id").isFalse();
            assertThat(level(deadLetter)).isEqualTo("WARN");

            assertThat(Files.readAllLines(log)).isNotEmpty()
                    .allSatisfy(line -> assertThat(parse(line)).as("not a JSON object: %s", line).isPresent());
        }
    }

    @Test
    void withoutThePropertyTheConsoleIsTextWithTheRequestId() {
        // The default stays the text line people read; the request id is in it too (application.yml's pattern).
        assertThat(ConfigurationSources.applicationYml()).doesNotContainKey("logging.structured.format.console")
                .containsEntry("logging.pattern.level", "%5p [request_id=%X{request_id:--}]");
    }

    private static JsonNode awaitLine(Path log, Predicate<JsonNode> wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : lines(log)) {
                Optional<JsonNode> json = parse(line);
                if (json.isPresent() && wanted.test(json.get())) {
                    return json.get();
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no such line within 60 s in " + log + ":\n" + String.join("\n", lines(log)));
    }

    private static List<String> lines(Path log) {
        try {
            return new ArrayList<>(Files.readAllLines(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<JsonNode> parse(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode line, String field) {
        JsonNode value = line.get(field);
        return value == null ? null : value.asString();
    }

    private static String message(JsonNode line) {
        String message = text(line, "message");
        return message == null ? "" : message;
    }

    /** ECS nests the level under {@code log}. */
    private static String level(JsonNode line) {
        return line.path("log").path("level").asString();
    }
}
