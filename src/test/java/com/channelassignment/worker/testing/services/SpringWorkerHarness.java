package com.channelassignment.worker.testing.services;

import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.domain.AssignmentRequests;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that run the whole worker against the real broker and database of {@link TestServices}. Every
 * Spring context gets its own database, topics and consumer group, so cached contexts never share a partition.
 */
@SpringBootTest
public abstract class SpringWorkerHarness {

    private static KafkaTestClient kafka;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected AvroContract contract;

    @Value("${channel-assignment.topics.requests}")
    protected String requestsTopic;

    @Value("${channel-assignment.topics.outcomes}")
    protected String outcomesTopic;

    @Value("${channel-assignment.topics.dead-letter}")
    protected String deadLetterTopic;

    @Value("${spring.kafka.consumer.group-id}")
    protected String groupId;

    @Autowired
    private Environment environment;

    @DynamicPropertySource
    static void realServices(DynamicPropertyRegistry registry) {
        ownServices(registry, "worker", 3);
        registry.add("spring.kafka.listener.concurrency", () -> "3");
    }

    /**
     * A database, topics, a consumer group and transactional ids of the context's own, named after {@code name} and a
     * random run id, on the real broker and PostgreSQL.
     */
    public static void ownServices(DynamicPropertyRegistry registry, String name, int partitions) {
        String run = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        TestServices.Database database = TestServices.createDatabase();
        registry.add("spring.datasource.url", database::jdbcUrl);
        registry.add("spring.datasource.username", database::username);
        registry.add("spring.datasource.password", database::password);
        // Spring's test context cache keeps every context alive, each with its own pool: with Hikari's default of 10
        // connections held open, a few dozen contexts would fill PostgreSQL's 100 slots. A context at rest keeps one.
        registry.add("spring.datasource.hikari.minimum-idle", () -> "1");
        registry.add("spring.datasource.hikari.idle-timeout", () -> "10000");
        registry.add("spring.kafka.bootstrap-servers", TestServices::kafkaBootstrapServers);
        registry.add("spring.kafka.consumer.group-id", () -> run);
        registry.add("spring.kafka.producer.transaction-id-prefix", () -> run + "-tx-");
        registry.add("channel-assignment.topics.requests", () -> run + "-requests");
        registry.add("channel-assignment.topics.outcomes", () -> run + "-outcomes");
        registry.add("channel-assignment.topics.dead-letter", () -> run + "-requests.dlt");
        registry.add("channel-assignment.topics.partitions", () -> Integer.toString(partitions));
    }

    /** The worker writing the Confluent wire format against the registry whose Confluent API {@code url} gives. */
    public static void confluentWireFormat(DynamicPropertyRegistry registry, Supplier<Object> url) {
        registry.add("channel-assignment.wire-format", WireFormat.CONFLUENT::settingValue);
        registry.add("channel-assignment.schema-registry.url", url);
    }

    protected static synchronized KafkaTestClient kafka() {
        if (kafka == null) {
            kafka = new KafkaTestClient(TestServices.kafkaBootstrapServers());
        }
        return kafka;
    }

    @AfterAll
    static void closeClient() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** This context's worker, for {@link DirectoryFixture#publishTo}: the directory reaches it through its topic. */
    protected RunningWorker worker() {
        return RunningWorker.of(environment);
    }

    /** Sends the request keyed by its organization, as producers are told to. */
    protected void send(ChannelAssignmentRequest request) {
        kafka().send(requestsTopic, request.getOrganizationId(), contract.encodeRequest(request));
    }

    protected List<ConsumerRecord<byte[], byte[]>> outcomeRecordsFor(String... requestIds) {
        return kafka().readOutcomes(outcomesTopic, Arrays.asList(requestIds));
    }

    protected List<ChannelAssignmentOutcome> outcomesFor(String... requestIds) {
        return outcomeRecordsFor(requestIds).stream().map(record -> contract.decodeOutcome(record.value())).toList();
    }

    protected ChannelAssignmentOutcome onlyOutcomeFor(String requestId) {
        List<ChannelAssignmentOutcome> outcomes = outcomesFor(requestId);
        if (outcomes.size() != 1) {
            throw new AssertionError("expected exactly one committed outcome for " + requestId + ", got "
                    + outcomes.size());
        }
        return outcomes.get(0);
    }

    /**
     * The scrape once the worker has dead-lettered a record, answered a request and answered an HTTP call (a 401:
     * this worker has no token key), so that the meters tagged at first use are there.
     */
    protected String scrapeAfterEveryKindOfTraffic(int apiPort, int managementPort) throws Exception {
        String organization = "org-metrics-" + UUID.randomUUID();
        kafka().send(requestsTopic, organization, "not avro".getBytes(StandardCharsets.UTF_8));
        String requestId = "metrics-" + UUID.randomUUID();
        send(AssignmentRequests.anAssignment().withRequestId(requestId).inOrganization(organization).buildWire());
        ChannelAssignmentOutcome answered = onlyOutcomeFor(requestId);
        if (!"REJECTED".equals(answered.getStatus().name())) {
            throw new AssertionError("expected a rejection, got " + answered);
        }
        HttpResponse<Void> call = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + apiPort + "/identities/nobody/mailbox"))
                .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        if (call.statusCode() != 401) {
            throw new AssertionError("expected 401 from a worker without a token key, got " + call.statusCode());
        }
        return MetricsExposition.awaitScrapeWith(managementPort, "channel_assignment_dead_letters_total",
                "http_server_requests_seconds_bucket");
    }
}
