package com.channelassignment.worker.kafka.gateway;

import com.channelassignment.worker.contract.WireHeaders;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.contract.WireContract;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.application.Answer;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.domain.IdentityDetail;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.testing.model.Figures;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.TestServices;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * What one instance's answer reader costs: it reads every outcome of the topic, whoever's call it answers. A call
 * waits while 200,000 outcomes of other calls go by, then its own; the reader must answer it, and the test prints
 * the reader thread's CPU per outcome and the outcomes per second one core could read at that cost. Figures only, no
 * timed assertion (docs/performance.md, "HTTP API with two instances").
 */
class AnswerReaderCostIntegrationTest {

    private static final int OUTCOMES = Integer.getInteger("answer-reader.outcomes", 200_000);
    private static final int ORGANIZATIONS = 1_000;

    private final AvroContract contract = new AvroContract();

    @Test
    void answersAWaitingCallAfterReadingEveryOtherOutcomeOfTheTopic() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String requests = "reader-requests-" + run;
        String outcomes = "reader-outcomes-" + run;
        String bootstrap = TestServices.kafkaBootstrapServers();
        KafkaTestClient.createTopics(bootstrap, 6, List.of(requests, outcomes));
        KafkaTemplate<byte[], byte[]> calls = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(
                producerProperties(bootstrap)));
        KafkaRequestChannel channel = new KafkaRequestChannel(calls, WireContract.singleObject(contract), requests, outcomes,
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), 0);
        channel.start();
        try {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long reader = readerThreadId("answers-" + outcomes);
            long idleStart = threads.getThreadCpuTime(reader);
            Thread.sleep(5_000);
            double idleCpuPerSecond = (threads.getThreadCpuTime(reader) - idleStart) / 5e9;

            // The call waits from the start, as calls do under load: every outcome's request_id header is looked up.
            AssignmentRequest waiting = assignment("the-call", "org-waiting");
            CompletableFuture<Answer> answer = channel.send(waiting);
            List<byte[]> others = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                others.add(contract.encodeOutcome(assigned(assignment("other-" + i, "org-" + (i % ORGANIZATIONS)))));
            }
            long cpuStart = threads.getThreadCpuTime(reader);
            long started = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(bootstrap))) {
                for (int i = 0; i < OUTCOMES; i++) {
                    byte[] key = ("org-" + (i % ORGANIZATIONS)).getBytes(StandardCharsets.UTF_8);
                    producer.send(asTheWorkerSends(outcomes, key, "other-" + (i % others.size()),
                            others.get(i % others.size())));
                }
                producer.send(asTheWorkerSends(outcomes, "org-waiting".getBytes(StandardCharsets.UTF_8), "the-call",
                        contract.encodeOutcome(assigned(waiting))));
            }
            Answer answered = answer.get(5, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - started) / 1e9;
            long readerCpu = threads.getThreadCpuTime(reader) - cpuStart;

            assertThat(answered.requestId()).isEqualTo("the-call");
            assertThat(answered.status()).isEqualTo(OutcomeStatus.ASSIGNED);

            double busyCpu = readerCpu - idleCpuPerSecond * seconds * 1e9;
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("machine", "%d cores, Java %s".formatted(Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version")));
            figures.put("outcomes", OUTCOMES + 1);
            figures.put("outcome_bytes", others.get(0).length);
            figures.put("seconds_from_first_send_to_answer", Math.round(seconds * 10) / 10.0);
            figures.put("outcomes_read_per_second", Math.round(OUTCOMES / seconds));
            figures.put("reader_cpu_ms", readerCpu / 1_000_000);
            figures.put("reader_cpu_us_per_outcome", Math.round(readerCpu / 1e3 / OUTCOMES * 100) / 100.0);
            figures.put("reader_cpu_us_per_outcome_less_idle", Math.round(busyCpu / 1e3 / OUTCOMES * 100) / 100.0);
            figures.put("reader_idle_percent_of_a_core", Math.round(idleCpuPerSecond * 1000) / 10.0);
            figures.put("outcomes_per_second_per_core_at_that_cost", Math.round(OUTCOMES / (readerCpu / 1e9)));
            System.out.println("ANSWER_READER_JSON " + Figures.json(figures));
            System.out.println(Figures.table(figures));
        } finally {
            channel.stop();
        }
    }

    /** With the request_id header the worker's outcomes carry, by which the reader passes over other calls' ones. */
    private static ProducerRecord<byte[], byte[]> asTheWorkerSends(String topic, byte[] key, String requestId,
            byte[] outcome) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, outcome);
        record.headers().add(WireHeaders.REQUEST_ID, requestId.getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private static long readerThreadId(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no thread " + name)).getId();
    }

    private static AssignmentRequest assignment(String requestId, String organizationId) {
        return new AssignmentRequest(requestId, organizationId, "support-bot", Operation.ASSIGN, ChannelType.MAILBOX,
                UUID.randomUUID().toString(), Instant.now(), "corr-" + requestId);
    }

    /** An assignment's outcome with its identity detail, the largest kind a call reads. */
    private static Outcome assigned(AssignmentRequest request) {
        Mailbox mailbox = DirectoryFixture.aMailbox(request.organizationId());
        return new Outcome(UUID.randomUUID(), request, OutcomeStatus.ASSIGNED, true, request.channelId(), null,
                new IdentityDetail(DirectoryFixture.anIdentity(request.organizationId(), request.agentHandle()),
                        List.of(mailbox)), Instant.now());
    }

    private static Map<String, Object> producerProperties(String bootstrap) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    }
}
