package com.channelassignment.worker;

import static com.channelassignment.worker.testing.services.KafkaTestClient.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.kafka.consume.AssignmentRequestListener;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.OtlpReceiver;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.data.Tokens;
import com.channelassignment.worker.testing.data.TraceParent;
import com.channelassignment.worker.domain.AssignmentRequests;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.test.utils.ContainerTestUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * W3C trace context across the hop, on the real broker and PostgreSQL, with spans caught by an in-memory exporter:
 * every traced record of a batch gets a span of its own, a child of the producer's, whose context its outcome or dead
 * letter carries on and whose trace id its log lines show; an HTTP call's trace reaches the worker through the
 * request record.
 */
// Rejections are logged at DEBUG: one line per request, written while its span is current. Set here, not as a dynamic
// property: the logging system reads its levels before those are added.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        // Here, not in the property source below: the log pattern gets its trace ids only when tracing is on as the
        // logging system starts, which is before dynamic properties are added.
        properties = {"management.tracing.export.enabled=true",
            "logging.level.com.channelassignment.worker.application=DEBUG",
            "logging.level.com.channelassignment.worker.kafka.consume.AssignmentRequestListener=DEBUG"})
@Import(TracingIntegrationTest.CaughtSpans.class)
@ExtendWith(OutputCaptureExtension.class)
class TracingIntegrationTest {

    private static final int PARTITIONS = 2;
    private static final Tokens TOKENS = Tokens.generate();
    private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("channel_assignment.request_id");

    private static KafkaTestClient kafka;
    private static OtlpReceiver otlp;

    @TestConfiguration(proxyBeanMethods = false)
    static class CaughtSpans {

        /** Spring Boot hands every SpanExporter bean to its span processor, next to OTLP when that is configured. */
        @Bean
        InMemorySpanExporter inMemorySpanExporter() {
            return InMemorySpanExporter.create();
        }
    }

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        SpringWorkerHarness.ownServices(registry, "tracing", PARTITIONS);
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", TOKENS::publicKeyLocation);
        registry.add("management.opentelemetry.tracing.export.schedule-delay", () -> "50ms");
        otlp = OtlpReceiver.start();
        registry.add("management.opentelemetry.tracing.export.otlp.endpoint", otlp::endpoint);
    }

    @Autowired
    InMemorySpanExporter spans;

    @Autowired
    AvroContract contract;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Value("${channel-assignment.topics.requests}")
    String requestsTopic;

    @Value("${channel-assignment.topics.outcomes}")
    String outcomesTopic;

    @Value("${channel-assignment.topics.dead-letter}")
    String deadLetterTopic;

    @LocalServerPort
    int port;

    @BeforeEach
    void consumerHoldsTheRequestPartitions() {
        ContainerTestUtils.waitForAssignment(
                listeners.getListenerContainer(AssignmentRequestListener.DEFAULT_LISTENER_ID), PARTITIONS);
    }

    @AfterAll
    static void closeClients() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (otlp != null) {
            otlp.close();
            otlp = null;
        }
    }

    @Test
    void eachRecordOfABatchContinuesItsOwnTrace(CapturedOutput output) throws Exception {
        String organization = "org-" + UUID.randomUUID();
        List<String> tracedIds = new ArrayList<>();
        List<TraceParent> parents = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String requestId = "traced-" + i + "-" + UUID.randomUUID();
            TraceParent parent = TraceParent.random();
            tracedIds.add(requestId);
            parents.add(parent);
            batch.add(withTraceParent(request(organization, requestId), parent));
        }
        String untracedId = "untraced-" + UUID.randomUUID();
        batch.add(request(organization, untracedId));
        TraceParent garbageParent = TraceParent.random();
        batch.add(withTraceParent(new ProducerRecord<>(requestsTopic, utf8(organization), utf8("not avro")),
                garbageParent));

        sendAsOneBatch(batch);

        List<String> allIds = new ArrayList<>(tracedIds);
        allIds.add(untracedId);
        List<ConsumerRecord<byte[], byte[]>> outcomes = kafka().readOutcomes(outcomesTopic, allIds);
        List<ConsumerRecord<byte[], byte[]>> deadLetters = kafka().readUntil(deadLetterTopic, true,
                records -> !records.isEmpty(), Duration.ofSeconds(60), Duration.ZERO);
        List<String> traceIds = new ArrayList<>(parents.stream().map(TraceParent::traceId).toList());
        traceIds.add(garbageParent.traceId());
        List<SpanData> recordSpans = awaitSpans(span -> span.getName().equals("process " + requestsTopic)
                && traceIds.contains(span.getTraceId()), 5);
        assertThat(output.getOut()).as("the six records were one batch").contains("batch of 6 records");

        for (int i = 0; i < tracedIds.size(); i++) {
            String requestId = tracedIds.get(i);
            TraceParent parent = parents.get(i);
            SpanData span = onlySpanWithParent(recordSpans, parent);
            assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(span.getAttributes().get(REQUEST_ID)).isEqualTo(requestId);
            assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")))
                    .isEqualTo(requestsTopic);

            ConsumerRecord<byte[], byte[]> outcome = outcomes.stream()
                    .filter(record -> requestId.equals(header(record, "request_id"))).findFirst().orElseThrow();
            assertThat(outcome.headers().headers("traceparent")).hasSize(1);
            assertThat(header(outcome, "traceparent")).as("the outcome carries the worker's span of its request")
                    .isEqualTo("00-" + parent.traceId() + "-" + span.getSpanId() + "-01");

            // Spring Boot's text console shows the current trace and span ids as [traceId-spanId].
            assertThat(output.getOut().lines()).as("a line about %s shows its trace and span ids", requestId)
                    .anyMatch(line -> line.contains("request_id=" + requestId) && line.contains("IDENTITY_NOT_FOUND")
                            && line.contains(parent.traceId() + "-" + span.getSpanId()));
        }

        ConsumerRecord<byte[], byte[]> untraced = outcomes.stream()
                .filter(record -> untracedId.equals(header(record, "request_id"))).findFirst().orElseThrow();
        assertThat(untraced.headers().headers("traceparent")).as("a record without trace context starts none")
                .isEmpty();
        assertThat(spans.getFinishedSpanItems())
                .noneMatch(span -> untracedId.equals(span.getAttributes().get(REQUEST_ID)));

        SpanData garbageSpan = onlySpanWithParent(recordSpans, garbageParent);
        assertThat(deadLetters).singleElement().satisfies(deadLetter -> {
            assertThat(deadLetter.headers().headers("traceparent")).as("the original's context is replaced")
                    .hasSize(1);
            assertThat(header(deadLetter, "traceparent"))
                    .isEqualTo("00-" + garbageParent.traceId() + "-" + garbageSpan.getSpanId() + "-01");
        });
        assertThat(output.getOut().lines()).as("the dead-lettering line shows the record's trace id")
                .anyMatch(line -> line.contains("dead-lettering")
                        && line.contains(garbageParent.traceId() + "-" + garbageSpan.getSpanId()));
    }

    @Test
    void anHttpCallsTraceReachesTheWorkerThroughItsRequestRecord() throws Exception {
        String organization = "org-" + UUID.randomUUID();
        String requestId = "http-" + UUID.randomUUID();
        TraceParent caller = TraceParent.random();

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/identities/nobody/mailbox"))
                .header("Authorization", "Bearer " + TOKENS.forOrganization(organization))
                .header("Idempotency-Key", requestId)
                .header(TraceParent.HEADER, caller.toString())
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);

        ConsumerRecord<byte[], byte[]> request = kafka().readUntil(requestsTopic, true,
                records -> records.stream().anyMatch(record -> organization.equals(key(record))),
                Duration.ofSeconds(30), Duration.ZERO).stream()
                .filter(record -> organization.equals(key(record))).findFirst().orElseThrow();
        assertThat(header(request, "traceparent")).as("the request record continues the call's trace")
                .startsWith("00-" + caller.traceId() + "-");
        SpanData workerSpan = awaitSpans(span -> requestId.equals(span.getAttributes().get(REQUEST_ID)), 1).get(0);
        assertThat(workerSpan.getTraceId()).isEqualTo(caller.traceId());
        assertThat(header(request, "traceparent")).contains("-" + workerSpan.getParentSpanId() + "-");
        assertThat(header(kafka().readOutcomes(outcomesTopic, List.of(requestId)).get(0), "traceparent"))
                .isEqualTo("00-" + caller.traceId() + "-" + workerSpan.getSpanId() + "-01");
    }

    @Test
    void exportsTheSpansByOtlpToTheConfiguredEndpoint() throws Exception {
        String organization = "org-" + UUID.randomUUID();
        String requestId = "exported-" + UUID.randomUUID();
        TraceParent parent = TraceParent.random();

        kafka().send(withTraceParent(request(organization, requestId), parent));

        kafka().readOutcomes(outcomesTopic, List.of(requestId));
        // OTLP/HTTP sends protobuf, in which a span's trace id is its 16 bytes as they are.
        otlp.awaitExportContaining(HexFormat.of().parseHex(parent.traceId()), Duration.ofSeconds(30));
    }

    private ProducerRecord<byte[], byte[]> request(String organization, String requestId) {
        return new ProducerRecord<>(requestsTopic, utf8(organization), contract.encodeRequest(
                AssignmentRequests.anAssignment().withRequestId(requestId).inOrganization(organization)
                        .forHandle("nobody").buildWire()));
    }

    private static ProducerRecord<byte[], byte[]> withTraceParent(ProducerRecord<byte[], byte[]> record,
            TraceParent parent) {
        record.headers().add(TraceParent.HEADER, utf8(parent.toString()));
        return record;
    }

    /**
     * Produced in one transaction: the worker reads read_committed, so the records become visible to it together, at
     * the commit, and one fetch hands them all to one batch.
     */
    private static void sendAsOneBatch(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafkaBootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tracing-test-" + UUID.randomUUID(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.initTransactions();
            producer.beginTransaction();
            records.forEach(producer::send);
            producer.commitTransaction();
        }
    }

    private List<SpanData> awaitSpans(Predicate<SpanData> wanted, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<SpanData> found = spans.getFinishedSpanItems().stream().filter(wanted).toList();
            if (found.size() >= count || System.nanoTime() > deadline) {
                assertThat(found).as("spans after 30 s").hasSize(count);
                return found;
            }
            Thread.sleep(50);
        }
    }

    private static SpanData onlySpanWithParent(List<SpanData> spans, TraceParent parent) {
        List<SpanData> children = spans.stream().filter(span -> span.getTraceId().equals(parent.traceId())).toList();
        assertThat(children).as("spans of trace %s", parent.traceId()).singleElement()
                .satisfies(span -> assertThat(span.getParentSpanId()).isEqualTo(parent.spanId()));
        return children.get(0);
    }

    private static synchronized KafkaTestClient kafka() {
        if (kafka == null) {
            kafka = new KafkaTestClient(TestServices.kafkaBootstrapServers());
        }
        return kafka;
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
