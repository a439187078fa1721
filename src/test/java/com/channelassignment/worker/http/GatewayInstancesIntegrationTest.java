package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.IdentityDetail;
import com.channelassignment.worker.testing.services.BrokerProcess;
import com.channelassignment.worker.testing.data.DirectoryPublisher;
import com.channelassignment.worker.testing.model.ExpectedAnswers;
import com.channelassignment.worker.testing.model.Figures;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.ProcessCpu;
import com.channelassignment.worker.testing.model.ReferenceModel;
import com.channelassignment.worker.testing.services.RunningWorker;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.data.Tokens;
import com.channelassignment.worker.testing.services.WorkerProcess;
import com.channelassignment.worker.testing.data.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Several instances of the packaged worker, as separate OS processes against a standalone broker, each serving the
 * HTTP API while concurrent callers spread calls for many organizations over them, some retried on the other
 * instance. Every call must get one answer, the one the rules give in the order the worker applied the requests,
 * and a retried key the identical body; the database must end as the reference model says. Prints calls/s, latency
 * and the answer reader's CPU per outcome (docs/performance.md, "HTTP API with two instances"); no timed assertions.
 *
 * <p>Tagged like the fault suite because it runs the packaged jar: Failsafe runs it after {@code package}.
 */
@Tag("faults")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class GatewayInstancesIntegrationTest {

    private static final Path REPORT_DIRECTORY = Path.of("target", "gateways");
    private static final int PARTITIONS = 6;
    private static final int ORGANIZATIONS = 200;
    private static final int PER_ORGANIZATION = 10;
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
    private static final Tokens TOKENS = Tokens.generate();

    private static BrokerProcess broker;

    @BeforeAll
    static void startBroker() {
        // Fails loudly, before anything starts, when the worker was not packaged: a skipped run proves nothing.
        WorkerProcess.packagedJar();
        // The settings Kafka's start scripts give a broker: the figures are measured against it.
        broker = BrokerProcess.start(REPORT_DIRECTORY.resolve("broker"), BrokerProcess.AS_SHIPPED_JVM);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void answersEveryCallOnceAndRightlyWhenTwoConsumingInstancesShareConcurrentCallers() throws Exception {
        try (Deployment deployment = new Deployment("two-consumers", 5151)) {
            Instance first = deployment.start("gateway-1", true);
            Instance second = deployment.start("gateway-2", true);
            deployment.publishDirectory();

            // Warm-up: both JVMs compile the call path before the measured phase; its calls are checked too.
            deployment.load("warm-up", List.of(first, second), 8, 600);
            deployment.measureIdleReaders(Duration.ofSeconds(10));
            Phase measured = deployment.load("measured", List.of(first, second), 16, 3_000);

            deployment.verifyAndPrint(measured);
        }
    }

    @Test
    void answersTheCallsOfAGatewayOnlyInstanceThroughAConsumingOne() throws Exception {
        try (Deployment deployment = new Deployment("gateway-only", 6161)) {
            Instance consumer = deployment.start("consumer", true);
            Instance gatewayOnly = deployment.start("gateway-only", false);
            deployment.publishDirectory();

            Phase phase = deployment.load("mixed", List.of(consumer, gatewayOnly), 8, 800);

            // Its callers wait for each answer, so a slower instance serves fewer calls; a real share is what counts.
            assertThat(phase.callsPerInstance().get(gatewayOnly.name())).as("calls the gateway-only instance served")
                    .isGreaterThan(100);
            deployment.verifyAndPrint(phase);
        }
    }

    /** One worker process and where it serves the API. */
    private record Instance(String name, WorkerProcess process, int port, boolean consumes) {

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }
    }

    /** One HTTP call as sent: what it asks for, and the request the rules see. */
    private record Call(String key, String organizationId, String handle, Operation operation, ChannelType type,
            String channelId) {

        String path() {
            return "/identities/" + handle + (type == ChannelType.MAILBOX ? "/mailbox" : "/phone_number");
        }

        String body() {
            return channelId == null ? null : "{\"%s\": \"%s\"}".formatted(
                    type == ChannelType.MAILBOX ? "mailbox_id" : "phone_number_id", channelId);
        }

        AssignmentRequest request() {
            return new AssignmentRequest(key, organizationId, handle, operation, type, channelId, Instant.now(),
                    null);
        }
    }

    /** What an instance answered a call: its status and body, and how long it took. */
    private record Response(String instance, int status, String body, long nanos) {
    }

    /** The calls of one load phase and what was measured while they ran. */
    private record Phase(String name, int callers, int calls, int httpRequests, double seconds,
            Map<String, Integer> callsPerInstance, List<Long> latenciesNanos,
            Map<String, Duration> readerCpu, Map<String, Duration> processCpu,
            Map<String, Map<String, Duration>> threadCpu, String loadAverageBefore, String loadAverageAfter) {
    }

    /** Fresh topics, database and directory for one test, its worker processes, its calls and their answers. */
    private static final class Deployment implements AutoCloseable {

        private final String run;
        private final Random random;
        private final TestServices.Database database;
        private final JdbcTemplate jdbc;
        private final DirectoryRows directory;
        private final RunningWorker worker;
        private final Map<String, List<Channel>> channelsByOrganization = new HashMap<>();
        private final Map<String, String> tokens = new HashMap<>();
        private final List<String> arguments;
        private final List<Instance> instances = new ArrayList<>();
        private final Map<String, Call> calls = new ConcurrentHashMap<>();
        private final Map<String, Call> conflicts = new ConcurrentHashMap<>();
        private final Map<Call, List<Response>> responses = new ConcurrentHashMap<>();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final List<Phase> phases = new ArrayList<>();
        private final AtomicInteger sequence = new AtomicInteger();
        private final Map<String, Double> idleReaderShare = new LinkedHashMap<>();
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(4)).build();

        Deployment(String scenario, long seed) {
            this.run = scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
            this.random = new Random(seed);
            this.database = TestServices.createDatabase();
            Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load()
                    .migrate();
            this.jdbc = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                    database.password()));
            this.directory = new Workload(seed, ORGANIZATIONS, PER_ORGANIZATION).directory();
            directory.channels().forEach(channel -> channelsByOrganization
                    .computeIfAbsent(channel.organizationId(), organization -> new ArrayList<>()).add(channel));
            for (int org = 0; org < ORGANIZATIONS; org++) {
                tokens.put(Workload.organization(org), TOKENS.forOrganization(Workload.organization(org)));
            }
            String requests = run + "-requests";
            String outcomes = run + "-outcomes";
            KafkaTestClient.createTopics(broker.bootstrapServers(), PARTITIONS,
                    List.of(requests, outcomes, requests + ".dlt"));
            this.worker = new RunningWorker(broker.bootstrapServers(), requests, outcomes, run);
            this.arguments = List.of("--server.address=127.0.0.1",
                    "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                    "--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.username(),
                    "--spring.datasource.password=" + database.password(),
                    "--spring.kafka.consumer.group-id=" + run,
                    "--channel-assignment.topics.requests=" + requests,
                    "--channel-assignment.topics.outcomes=" + outcomes,
                    "--channel-assignment.topics.dead-letter=" + requests + ".dlt",
                    "--channel-assignment.topics.partitions=" + PARTITIONS,
                    "--spring.security.oauth2.resourceserver.jwt.public-key-location="
                            + TOKENS.publicKeyLocation());
        }

        /** Publishes the directory on the requests topic and waits until the consuming instances have applied it. */
        void publishDirectory() {
            DirectoryPublisher.load(worker, directory, 1, READY_TIMEOUT);
        }

        Instance start(String name, boolean consumes) {
            List<String> instanceArguments = new ArrayList<>(arguments);
            instanceArguments.add("--spring.kafka.producer.transaction-id-prefix=" + run + "-" + name + "-");
            instanceArguments.add("--channel-assignment.consumer.enabled=" + consumes);
            WorkerProcess process = WorkerProcess.start(WorkerProcess.packagedJar(), List.of("-Xmx512m"),
                    instanceArguments, REPORT_DIRECTORY.resolve(run).resolve(name + ".log"));
            Instance instance = new Instance(name, process, process.awaitReady(READY_TIMEOUT).httpPort(), consumes);
            instances.add(instance);
            return instance;
        }

        /**
         * The readers' CPU while no call is made: what polling the outcomes topic costs with nothing to read, apart
         * from what reading outcomes costs.
         */
        void measureIdleReaders(Duration span) throws InterruptedException {
            Map<String, Duration> before = readerCpu();
            Thread.sleep(span.toMillis());
            readerCpu().forEach((instance, cpu) -> idleReaderShare.put(instance,
                    cpu.minus(before.get(instance)).toNanos() / (double) span.toNanos()));
        }

        /**
         * {@code callersPerInstance} threads per instance send {@code count} calls in all, each under a key of its
         * own. One call in ten is sent again, same key and body, to the other instance once answered; one in twenty
         * goes to both instances at the same time.
         */
        Phase load(String name, List<Instance> targets, int callersPerInstance, int count) throws Exception {
            AtomicInteger remaining = new AtomicInteger(count);
            AtomicInteger httpRequests = new AtomicInteger();
            Map<String, Integer> perInstance = new ConcurrentHashMap<>();
            List<Long> latencies = new CopyOnWriteArrayList<>();
            List<Call> planned = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                planned.add(nextCall());
            }
            // Decided up front from the seed, so which calls are retried does not depend on thread timing.
            double[] retryRolls = random.doubles(count).toArray();
            Map<String, Call> conflicting = new HashMap<>();
            for (int i = 0; i < count; i++) {
                if (retryRolls[i] >= 0.15 && retryRolls[i] < 0.17) {
                    conflicting.put(planned.get(i).key(), opposite(planned.get(i)));
                }
            }
            Map<String, Duration> readerBefore = readerCpu();
            Map<String, Duration> processBefore = processCpu();
            Map<String, Map<String, Duration>> threadsBefore = threadCpu();
            String loadBefore = loadAverage();
            ExecutorService callers = Executors.newFixedThreadPool(callersPerInstance * targets.size());
            long started = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int caller = 0; caller < callersPerInstance * targets.size(); caller++) {
                Instance own = targets.get(caller % targets.size());
                Instance other = targets.get((caller + 1) % targets.size());
                running.add(callers.submit(() -> {
                    for (int next = remaining.decrementAndGet(); next >= 0; next = remaining.decrementAndGet()) {
                        Call call = planned.get(next);
                        calls.put(call.key(), call);
                        perInstance.merge(own.name(), 1, Integer::sum);
                        double roll = retryRolls[next];
                        Call conflict = conflicting.get(call.key());
                        if (conflict != null) {
                            // The same key for another call at the same moment on the other instance: one is
                            // applied, the other must read IDEMPOTENCY_KEY_REUSED, not the first one's answer.
                            conflicts.put(call.key(), conflict);
                            var atOnce = http.sendAsync(request(other, conflict),
                                    HttpResponse.BodyHandlers.ofString());
                            latencies.add(send(own, call).nanos());
                            try {
                                record(conflict, other.name(), atOnce.join(), 0);
                            } catch (java.util.concurrent.CompletionException e) {
                                failures.add(conflict + " on " + other.name() + ": " + e.getCause());
                            }
                            httpRequests.addAndGet(2);
                        } else if (roll < 0.05) {
                            var atOnce = http.sendAsync(request(other, call), HttpResponse.BodyHandlers.ofString());
                            Response mine = send(own, call);
                            latencies.add(mine.nanos());
                            try {
                                record(call, other.name(), atOnce.join(), 0);
                            } catch (java.util.concurrent.CompletionException e) {
                                failures.add(call + " on " + other.name() + ": " + e.getCause());
                            }
                            httpRequests.addAndGet(2);
                        } else {
                            latencies.add(send(own, call).nanos());
                            httpRequests.incrementAndGet();
                            if (roll < 0.15) {
                                send(other, call);
                                httpRequests.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> caller : running) {
                caller.get(10, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            callers.shutdown();
            Map<String, Duration> readerCpu = new LinkedHashMap<>();
            readerCpu().forEach((instance, cpu) -> readerCpu.put(instance, cpu.minus(readerBefore.get(instance))));
            Map<String, Duration> processCpu = new LinkedHashMap<>();
            processCpu().forEach((instance, cpu) -> processCpu.put(instance, cpu.minus(processBefore.get(instance))));
            Map<String, Map<String, Duration>> threadCpu = new LinkedHashMap<>();
            threadCpu().forEach((instance, threads) -> {
                Map<String, Duration> spent = new LinkedHashMap<>();
                threads.forEach((thread, cpu) -> spent.put(thread,
                        cpu.minus(threadsBefore.get(instance).getOrDefault(thread, Duration.ZERO))));
                threadCpu.put(instance, spent);
            });
            Phase phase = new Phase(name, callersPerInstance * targets.size(), count, httpRequests.get(), seconds,
                    perInstance, latencies, readerCpu, processCpu, threadCpu, loadBefore, loadAverage());
            phases.add(phase);
            return phase;
        }

        /**
         * Replays the idempotency records in the order the worker applied them (offset order within a partition;
         * an organization's requests all go to one partition) through the reference model, and checks every call's
         * answers against it, the stored outcome and each other; then prints the figures of {@code measured}.
         */
        void verifyAndPrint(Phase measured) {
            assertThat(failures).as("calls that got no HTTP answer").isEmpty();
            Map<String, Integer> statuses = new HashMap<>();
            responses.values().forEach(answers -> answers.forEach(answer -> statuses.merge(
                    String.valueOf(answer.status()), 1, Integer::sum)));
            assertThat(statuses).as("answers by status").doesNotContainKeys("500", "503", "504");

            record Stored(String organizationId, String requestId, int partition, long offset, byte[] outcome) {
            }
            List<Stored> stored = jdbc.query("""
                    SELECT organization_id, request_id, source_partition, source_offset, outcome
                    FROM processed_requests
                    """, (rs, row) -> new Stored(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4),
                    rs.getBytes(5)));
            Set<String> storedKeys = new HashSet<>();
            stored.forEach(record -> storedKeys.add(record.organizationId() + "/" + record.requestId()));
            Set<String> callKeys = new HashSet<>();
            calls.values().forEach(call -> callKeys.add(call.organizationId() + "/" + call.key()));
            assertThat(stored).as("idempotency records, one per call").hasSize(calls.size());
            assertThat(storedKeys).as("the calls' organizations and request_ids").isEqualTo(callKeys);

            ReferenceModel model = new ReferenceModel(directory);
            AvroContract contract = new AvroContract();
            stored.sort(Comparator.comparingInt(Stored::partition).thenComparingLong(Stored::offset));
            Map<String, Integer> answered = new LinkedHashMap<>();
            int reusedKeysRefused = 0;
            for (Stored record : stored) {
                ChannelAssignmentOutcome outcome = contract.decodeOutcome(record.outcome());
                Call call = calls.get(record.requestId());
                Call conflict = conflicts.get(record.requestId());
                if (conflict != null) {
                    // Whichever of the two the worker applied first owns the key; the other was refused.
                    Call applied = outcome.getOperation().name().equals(call.operation().name()) ? call : conflict;
                    Call refused = applied == call ? conflict : call;
                    call = applied;
                    for (Response answer : responses.get(refused)) {
                        assertThat(answer.status()).as("%s answered by %s: %s", refused, answer.instance(),
                                answer.body()).isEqualTo(422);
                        assertThat(json(answer.body())).as("problem of %s", refused)
                                .containsEntry("code", "IDEMPOTENCY_KEY_REUSED");
                        answered.merge(answer.instance(), 1, Integer::sum);
                        reusedKeysRefused++;
                    }
                }
                Call decided = call;
                Decision decision = model.apply(call.request()).orElseThrow(() -> new AssertionError(
                        "the model recorded " + decided + " before its own record"));
                assertThat(outcome.getStatus().name()).as("stored outcome of %s", call).isEqualTo(statusOf(decision));
                List<Response> answers = responses.get(call);
                assertThat(answers).as("answers to %s", call).isNotEmpty();
                for (Response answer : answers) {
                    assertThat(answer.status()).as("%s answered by %s: %s", call, answer.instance(), answer.body())
                            .isEqualTo(ExpectedAnswers.httpStatusOf(decision));
                    assertThat(answer.body()).as("%s answered by %s", call, answer.instance())
                            .isEqualTo(answers.get(0).body());
                    answered.merge(answer.instance(), 1, Integer::sum);
                }
                if (decision instanceof Decision.Rejected rejected) {
                    assertThat(json(answers.get(0).body())).as("problem of %s", call)
                            .containsEntry("code", rejected.code().name()).containsEntry("request_id", call.key());
                } else if (decision instanceof Decision.Assigned) {
                    assertIdentityDetail(json(answers.get(0).body()), outcome.getIdentity(), call);
                }
            }
            Set<ChannelLink> links = new HashSet<>(jdbc.query("""
                    SELECT identity_id, organization_id, channel_type, channel_id FROM channel_assignments
                    """, (rs, row) -> new ChannelLink(rs.getObject(1, UUID.class), rs.getString(2),
                    ChannelType.valueOf(rs.getString(3)), rs.getObject(4, UUID.class))));
            assertThat(links).as("channel_assignments against the reference model").isEqualTo(model.links());

            assertThat(reusedKeysRefused).as("calls refused for a key another call took").isEqualTo(conflicts.size());

            Map<String, Object> figures = figures(measured, statuses, answered, links.size());
            figures.put("reused_keys_refused_422", reusedKeysRefused);
            System.out.println("GATEWAYS_JSON " + Figures.json(figures));
            System.out.println(Figures.table(figures));
            Figures.appendLine(REPORT_DIRECTORY.resolve("figures.jsonl"), Figures.json(figures));
        }

        private Map<String, Object> figures(Phase measured, Map<String, Integer> statuses,
                Map<String, Integer> answeredPerInstance, int links) {
            List<Long> sorted = measured.latenciesNanos().stream().sorted().toList();
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("scenario", run);
            figures.put("finished_at", Instant.now().toString());
            figures.put("machine", "%d cores, Java %s".formatted(Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version")));
            figures.put("instances", instances.stream().map(instance -> instance.name()
                    + (instance.consumes() ? " (consumer)" : " (gateway only)")).toList().toString());
            figures.put("phase", measured.name());
            figures.put("callers", measured.callers());
            figures.put("calls", measured.calls());
            figures.put("http_requests_incl_retries", measured.httpRequests());
            figures.put("seconds", round(measured.seconds()));
            figures.put("calls_per_second", round(measured.calls() / measured.seconds()));
            figures.put("http_requests_per_second", round(measured.httpRequests() / measured.seconds()));
            figures.put("latency_p50_ms", millis(sorted, 0.50));
            figures.put("latency_p99_ms", millis(sorted, 0.99));
            figures.put("latency_max_ms", millis(sorted, 1.0));
            // Every HTTP request is one request on the topic and one outcome, which every instance's reader reads.
            figures.put("outcomes_read_per_second_per_instance", round(measured.httpRequests() / measured.seconds()));
            measured.readerCpu().forEach((instance, cpu) -> {
                figures.put("reader_cpu_ms_" + instance, cpu.toMillis());
                figures.put("reader_cpu_us_per_outcome_" + instance,
                        round(cpu.toNanos() / 1e3 / measured.httpRequests()));
                figures.put("reader_percent_of_a_core_" + instance,
                        round(100 * cpu.toNanos() / 1e9 / measured.seconds()));
            });
            idleReaderShare.forEach((instance, share) -> figures.put("reader_percent_of_a_core_idle_" + instance,
                    round(100 * share)));
            measured.processCpu().forEach((instance, cpu) -> figures.put("process_cpu_us_per_call_" + instance,
                    round(cpu.toNanos() / 1e3 / measured.httpRequests())));
            measured.threadCpu().forEach((instance, threads) -> figures.put("top_threads_cpu_ms_" + instance,
                    threads.entrySet().stream().sorted(Map.Entry.<String, Duration>comparingByValue().reversed())
                            .limit(8).map(entry -> entry.getKey() + "=" + entry.getValue().toMillis()).toList()
                            .toString()));
            figures.put("load_average_before", measured.loadAverageBefore());
            figures.put("load_average_after", measured.loadAverageAfter());
            figures.put("all_phases_calls", calls.size());
            figures.put("all_phases_answers_by_status", new java.util.TreeMap<>(statuses).toString());
            figures.put("all_phases_answers_by_instance", answeredPerInstance.toString());
            figures.put("idempotency_records", calls.size());
            figures.put("links_equal_to_model", links);
            return figures;
        }

        private void assertIdentityDetail(Map<String, Object> identity, IdentityDetail stored, Call call) {
            assertThat(identity).as("identity detail of %s", call).containsEntry("id", stored.getId())
                    .containsEntry("organization_id", call.organizationId())
                    .containsEntry("agent_handle", stored.getAgentHandle())
                    .containsEntry("updated_at", stored.getUpdatedAt().toString());
            Object channel = identity.get(call.type() == ChannelType.MAILBOX ? "mailbox" : "phone_number");
            assertThat(channel).as("assigned channel of %s", call)
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("id", call.channelId());
        }

        private Call nextCall() {
            int org = random.nextInt(ORGANIZATIONS);
            String organization = Workload.organization(org);
            String key = "call-" + run + "-" + sequence.incrementAndGet();
            double roll = random.nextDouble();
            String handle = roll < 0.03 ? "nobody-" + sequence.get() : "agent-" + random.nextInt(PER_ORGANIZATION);
            ChannelType type = random.nextBoolean() ? ChannelType.MAILBOX : ChannelType.PHONE_NUMBER;
            if (random.nextDouble() < 0.45) {
                return new Call(key, organization, handle, Operation.UNASSIGN, type, null);
            }
            // One assignment in fifty names another organization's channel: 404, as if it did not exist.
            String owner = random.nextDouble() < 0.02
                    ? Workload.organization((org + 1 + random.nextInt(ORGANIZATIONS - 1)) % ORGANIZATIONS)
                    : organization;
            List<Channel> ofType = channelsByOrganization.get(owner).stream()
                    .filter(channel -> channel.type() == type).toList();
            return new Call(key, organization, handle, Operation.ASSIGN, type,
                    ofType.get(random.nextInt(ofType.size())).id().toString());
        }

        /** The other operation on the same identity and channel type, under the same key. */
        private Call opposite(Call call) {
            if (call.operation() == Operation.ASSIGN) {
                return new Call(call.key(), call.organizationId(), call.handle(), Operation.UNASSIGN, call.type(),
                        null);
            }
            Channel channel = channelsByOrganization.get(call.organizationId()).stream()
                    .filter(candidate -> candidate.type() == call.type()).findFirst().orElseThrow();
            return new Call(call.key(), call.organizationId(), call.handle(), Operation.ASSIGN, call.type(),
                    channel.id().toString());
        }

        private Response send(Instance instance, Call call) {
            long started = System.nanoTime();
            try {
                return record(call, instance.name(),
                        http.send(request(instance, call), HttpResponse.BodyHandlers.ofString()),
                        System.nanoTime() - started);
            } catch (IOException e) {
                failures.add(call + " on " + instance.name() + ": " + e);
                return new Response(instance.name(), -1, null, System.nanoTime() - started);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private Response record(Call call, String instance, HttpResponse<String> response, long nanos) {
            Response answer = new Response(instance, response.statusCode(), response.body(), nanos);
            responses.computeIfAbsent(call, key -> new CopyOnWriteArrayList<>()).add(answer);
            return answer;
        }

        private HttpRequest request(Instance instance, Call call) {
            HttpRequest.Builder request = HttpRequest.newBuilder(instance.uri(call.path()))
                    // Past the worker's 10 s answer timeout: a late answer shows as its 504, not as a client timeout.
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + tokens.get(call.organizationId()))
                    .header("Idempotency-Key", call.key());
            return call.operation() == Operation.ASSIGN
                    ? request.header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(call.body())).build()
                    : request.DELETE().build();
        }

        private Map<String, Duration> readerCpu() {
            Map<String, Duration> cpu = new LinkedHashMap<>();
            // The reader thread is named "answers-<outcomes topic>".
            instances.forEach(instance -> cpu.put(instance.name(),
                    ProcessCpu.ofThreads(instance.process().pid(), "answers-")));
            return cpu;
        }

        private Map<String, Map<String, Duration>> threadCpu() {
            Map<String, Map<String, Duration>> cpu = new LinkedHashMap<>();
            instances.forEach(instance -> cpu.put(instance.name(), ProcessCpu.byThreadName(instance.process().pid())));
            return cpu;
        }

        /** The machine's load averages over 1, 5 and 15 minutes: other work on the machine shows here. */
        private static String loadAverage() {
            try {
                String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
                return fields[0] + " " + fields[1] + " " + fields[2];
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Map<String, Duration> processCpu() {
            Map<String, Duration> cpu = new LinkedHashMap<>();
            instances.forEach(instance -> cpu.put(instance.name(), instance.process().cpuTime()));
            return cpu;
        }

        @Override
        public void close() {
            for (Instance instance : instances) {
                instance.process().requestTermination();
            }
            for (Instance instance : instances) {
                try {
                    instance.process().awaitExit(Duration.ofSeconds(60));
                } finally {
                    instance.process().close();
                }
            }
        }
    }

    private static String statusOf(Decision decision) {
        if (decision instanceof Decision.Assigned) {
            return "ASSIGNED";
        }
        if (decision instanceof Decision.Unassigned) {
            return "UNASSIGNED";
        }
        if (decision instanceof Decision.Rejected) {
            return "REJECTED";
        }
        throw new IllegalStateException("unknown decision " + decision);
    }


    private static Map<String, Object> json(String body) {
        return JsonParserFactory.getJsonParser().parseMap(body);
    }

    private static double millis(List<Long> sortedNanos, double quantile) {
        int index = Math.min(sortedNanos.size() - 1, (int) Math.ceil(quantile * sortedNanos.size()) - 1);
        return round(sortedNanos.get(Math.max(0, index)) / 1e6);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

}
