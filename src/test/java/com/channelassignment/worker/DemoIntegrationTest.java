package com.channelassignment.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.cli.ChannelAssignmentCli;
import com.channelassignment.worker.demo.DemoRun;
import com.channelassignment.worker.demo.DemoScenario;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the demo entry point as a user would and holds every demo record to the outcome the README promises, then
 * calls its HTTP API the way the README shows: with a token the CLI mints from the development key.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoIntegrationTest {

    @Test
    void everyDemoRequestGetsTheOutcomeTheReadmeSaysAndTheApiAnswersADevelopmentToken(CapturedOutput output)
            throws Exception {
        try (ConfigurableApplicationContext context = TestChannelAssignmentWorkerApplication.start(
                "--spring.kafka.consumer.group-id=demo-test", "--server.port=0", "--management.server.port=0",
                "--channel-assignment.topics.requests=demo-requests",
                "--channel-assignment.topics.outcomes=demo-outcomes",
                "--channel-assignment.topics.dead-letter=demo-requests.dlt")) {
            DemoRun.DemoReport report = context.getBean(DemoRun.class).report();

            assertThat(report.mismatches()).isEmpty();
            int steps = new DemoScenario(new AvroContract()).steps().size();
            assertThat(report.outcomesByResult().values().stream().mapToInt(Integer::intValue).sum())
                    .isEqualTo(steps - 1);
            assertThat(report.deadLettered()).isEqualTo(1);
            assertThat(report.rows()).extracting(DemoRun.Row::number)
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, steps).boxed().toList());
            assertThat(report.rows().get(2).eventId()).as("row 3 replays row 1's stored outcome")
                    .isEqualTo(report.rows().get(0).eventId());
            String printed = output.getOut();
            assertThat(printed).containsSubsequence("Demo: the directory", "$ java -jar ", " directory load --file "
                    + "src/test/resources/demo/directory.json --bootstrap-servers ", "Waiting for the",
                    report.table());

            // The README's curl call: race-b asks for the mailbox race-a won in the demo.
            String port = context.getEnvironment().getProperty("local.server.port");
            HttpRequest.Builder contested = HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/identities/race-b/mailbox"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"mailbox_id\": \"00000000-0000-4000-8000-00000000a103\"}"));
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> withToken = http.send(contested.copy()
                    .header("Authorization", "Bearer " + developmentToken("org-acme")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> withoutToken = http.send(contested.build(), HttpResponse.BodyHandlers.ofString());

            assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(409);
            assertThat(withToken.body()).contains("\"code\":\"CHANNEL_ALREADY_ASSIGNED\"");
            assertThat(withoutToken.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void theRegistryFlavourFramesEveryRecordTheConfluentWayAndGetsTheSameTable(CapturedOutput output) {
        String run = "demo-registry-" + UUID.randomUUID().toString().substring(0, 8);
        try (ConfigurableApplicationContext context = TestChannelAssignmentWorkerApplication.startWithRegistry(
                "--spring.kafka.consumer.group-id=" + run, "--server.port=0", "--management.server.port=0",
                "--spring.kafka.producer.transaction-id-prefix=" + run + "-tx-",
                "--channel-assignment.topics.requests=" + run + "-requests",
                "--channel-assignment.topics.outcomes=" + run + "-outcomes",
                "--channel-assignment.topics.dead-letter=" + run + "-requests.dlt")) {
            DemoRun.DemoReport report = context.getBean(DemoRun.class).report();

            assertThat(report.mismatches()).isEmpty();
            assertThat(report.deadLettered()).isEqualTo(1);
            int steps = new DemoScenario(new AvroContract()).steps().size();
            assertThat(report.rows()).hasSize(steps);
            assertThat(output.getOut()).containsSubsequence("wire format: confluent", " schemas register --registry-url ",
                    " directory load --file ", "--wire-format confluent --registry-url ", report.table());
            try (KafkaTestClient kafka = new KafkaTestClient(TestServices.kafkaBootstrapServers())) {
                // The directory's changes and assignments, then the stream: all Confluent-framed but the garbage.
                List<ConsumerRecord<byte[], byte[]>> requests = kafka.readUntil(run + "-requests", true,
                        records -> records.size() >= steps && records.stream().anyMatch(record -> record.value()[0] != 0),
                        Duration.ofSeconds(30), Duration.ofSeconds(2));
                assertThat(requests).filteredOn(record -> record.value()[0] != 0).singleElement()
                        .extracting(record -> new String(record.value(), StandardCharsets.UTF_8))
                        .asString().contains("is not avro");
                List<ConsumerRecord<byte[], byte[]>> outcomes = kafka.readUntil(run + "-outcomes", true,
                        records -> records.size() >= steps - 1, Duration.ofSeconds(30), Duration.ZERO);
                assertThat(outcomes).extracting(record -> record.value()[0]).containsOnly((byte) 0);
            }
        }
    }

    private static String developmentToken(String organizationId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = ChannelAssignmentCli.run(new String[] {"token", "--organization-id", organizationId,
                "--private-key", TestChannelAssignmentWorkerApplication.DEVELOPMENT_PRIVATE_KEY},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(status).isZero();
        return out.toString(StandardCharsets.UTF_8).trim();
    }
}
