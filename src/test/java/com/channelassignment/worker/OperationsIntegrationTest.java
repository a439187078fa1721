package com.channelassignment.worker;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.RunningWorker;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.data.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The worker as operators see it, over HTTP: the actuator on the management port and only the probes on the API port,
 * readiness following the database, and the Prometheus scrape carrying the worker's meters. The database is a
 * PostgreSQL server of this test's own, so it can be stopped. The ports are random, split as application.yml splits
 * them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OperationsIntegrationTest {

    private static final TestServices.StoppablePostgres postgres = TestServices.stoppablePostgres();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Tokens tokens = Tokens.generate();
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int apiPort;

    @LocalManagementPort
    int managementPort;

    @Autowired
    Environment environment;

    @Autowired
    AvroContract contract;

    @Value("${channel-assignment.topics.requests}")
    String requestsTopic;

    @Value("${channel-assignment.topics.outcomes}")
    String outcomesTopic;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", postgres::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
        registry.add("spring.kafka.bootstrap-servers", TestServices::kafkaBootstrapServers);
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", tokens::publicKeyLocation);
        registry.add("spring.kafka.consumer.group-id", () -> "operations-" + RUN);
        registry.add("channel-assignment.topics.requests", () -> "operations-requests-" + RUN);
        registry.add("channel-assignment.topics.outcomes", () -> "operations-outcomes-" + RUN);
        registry.add("channel-assignment.topics.dead-letter", () -> "operations-requests-" + RUN + ".dlt");
        registry.add("channel-assignment.topics.partitions", () -> "2");
        registry.add("channel-assignment.health.stall-threshold", () -> "1s");
        registry.add("channel-assignment.retry.max-interval", () -> "1s");
    }

    @AfterAll
    static void stopDatabase() {
        postgres.close();
    }

    @Test
    void readinessGoesDownWhilePostgresIsStoppedAndUpWhenItReturns() throws Exception {
        awaitReadiness(status -> status == 200, "UP before the database stops");

        postgres.stop();
        try {
            awaitReadiness(status -> status == 503, "DOWN while the database is stopped");
            assertThat(get("/actuator/health/liveness").statusCode()).as("liveness stays UP").isEqualTo(200);
        } finally {
            postgres.start();
        }

        awaitReadiness(status -> status == 200, "UP again once the database is back");
    }

    @Test
    void reportsAStalledPartitionWhileItsBatchWaitsForTheDatabaseAndClearsItOnceAnswered() throws Exception {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("waiting");
        var mailbox = directory.mailbox();
        directory.publishTo(RunningWorker.of(environment));
        ChannelAssignmentRequest request = anAssignment().inOrganization(directory.organizationId())
                .forHandle("waiting").ofMailbox(mailbox.id()).buildWire();
        awaitStatus("/actuator/health/partitions", status -> status == 200, "UP before anything fails");

        try (KafkaTestClient kafka = new KafkaTestClient(TestServices.kafkaBootstrapServers())) {
            postgres.stop();
            try {
                kafka.send(requestsTopic, request.getOrganizationId(), contract.encodeRequest(request));
                awaitStatus("/actuator/health/partitions", status -> status == 503,
                        "DOWN once the batch has kept failing past the threshold");
                assertThat(get("/actuator/health/liveness").statusCode()).as("liveness stays UP").isEqualTo(200);
                assertThat(get("/actuator/prometheus").body())
                        .containsPattern("channel_assignment_partition_consecutive_failures\\{[^}]*\\} [1-9]")
                        .containsPattern("channel_assignment_partition_stalled_seconds\\{[^}]*\\} [1-9]");
            } finally {
                postgres.start();
            }
            assertThat(kafka.readOutcomes(outcomesTopic, List.of(request.getRequestId()))).hasSize(1);
        }

        awaitStatus("/actuator/health/partitions", status -> status == 200, "UP once the batch committed");
        assertThat(get("/actuator/prometheus").body())
                .doesNotContainPattern("channel_assignment_partition_consecutive_failures\\{[^}]*\\} [1-9]");
    }

    @Test
    void servesTheActuatorOnTheManagementPortAndOnlyTheProbesOnTheApiPort() throws Exception {
        assertThat(managementPort).as("a port of its own").isPositive().isNotEqualTo(apiPort);

        HttpResponse<String> scrape = get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("jvm_info");

        for (String path : List.of("/actuator/prometheus", "/actuator/metrics", "/actuator/health",
                "/actuator/info", "/actuator")) {
            HttpResponse<String> onApiPort = onApiPort(path);
            // Not found (404), whatever body the API gives its refusals; never the endpoint, never a server error.
            assertThat(onApiPort.statusCode()).as("%s on the API port", path).isNotEqualTo(200).isLessThan(500);
            assertThat(onApiPort.body()).as("%s on the API port", path).doesNotContain("jvm_info")
                    .doesNotContain("\"status\":\"UP\"").doesNotContain("_links");
        }
        awaitStatus(this::onApiPort, "/readyz", status -> status == 200, "ready on the API port");
        assertThat(onApiPort("/livez").statusCode()).isEqualTo(200);
        assertThat(onApiPort("/livez").body()).contains("UP");
    }

    @Test
    void showsHealthDetailsToNoAnonymousCaller() throws Exception {
        String health = get("/actuator/health").body();

        assertThat(health).contains("\"partitions\"").doesNotContain("\"details\"").doesNotContain("clusterId")
                .doesNotContain("PostgreSQL");
    }

    @Test
    void showsHealthDetailsToABearerOfTheHealthScopeOnly() throws Exception {
        HttpResponse<String> operator = get("/actuator/health/partitions",
                tokens.withScopes("channel-assignment.health"));
        assertThat(operator.statusCode()).isEqualTo(200);
        assertThat(operator.body()).contains("\"details\"").contains("\"stalledAfter\"");
        assertThat(get("/actuator/health", tokens.withScopes("openid", "channel-assignment.health")).body())
                .contains("clusterId").contains("PostgreSQL");

        HttpResponse<String> tenant = get("/actuator/health/partitions", tokens.forOrganization("org-1"));
        assertThat(tenant.statusCode()).as("an API caller's token is valid here").isEqualTo(200);
        assertThat(tenant.body()).as("but shows no details").contains("\"status\"").doesNotContain("\"details\"");

        assertThat(get("/actuator/health/partitions", Tokens.forgedForOrganization("org-1")).statusCode())
                .as("a token the API refuses").isEqualTo(401);
    }

    @Test
    void prometheusScrapeCarriesOutcomesBatchesLatencyAndConsumerLag() throws Exception {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("metered");
        var mailbox = directory.mailbox();
        directory.publishTo(RunningWorker.of(environment));
        ChannelAssignmentRequest request = anAssignment().inOrganization(directory.organizationId())
                .forHandle("metered").ofMailbox(mailbox.id()).buildWire();
        try (KafkaTestClient kafka = new KafkaTestClient(TestServices.kafkaBootstrapServers())) {
            kafka.send(requestsTopic, request.getOrganizationId(), contract.encodeRequest(request));
            assertThat(kafka.readOutcomes(outcomesTopic, List.of(request.getRequestId()))).hasSize(1);
        }

        String scrape = get("/actuator/prometheus").body();
        assertThat(scrape)
                .contains("channel_assignment_outcomes_total{code=\"none\",status=\"ASSIGNED\"")
                .contains("channel_assignment_batch_size_records_count")
                .contains("channel_assignment_batch_duration_seconds_count")
                .contains("channel_assignment_end_to_end_latency_seconds_count")
                .contains("kafka_consumer_fetch_manager_records_lag_max");
    }

    private void awaitReadiness(Predicate<Integer> expected, String what) throws Exception {
        awaitStatus("/actuator/health/readiness", expected, what);
    }

    private void awaitStatus(String path, Predicate<Integer> expected, String what) throws Exception {
        awaitStatus(this::get, path, expected, what);
    }

    private void awaitStatus(Endpoint port, String path, Predicate<Integer> expected, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int status = -1;
        while (System.nanoTime() < deadline) {
            status = port.get(path).statusCode();
            if (expected.test(status)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(path + " never became " + what + "; last status " + status);
    }

    /** A GET on the management port. */
    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(managementPort, path);
    }

    /** A GET on the management port with a bearer token. */
    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> onApiPort(String path) throws IOException, InterruptedException {
        return get(apiPort, path);
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface Endpoint {
        HttpResponse<String> get(String path) throws IOException, InterruptedException;
    }
}
