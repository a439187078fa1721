package com.channelassignment.worker.benchmark;

import com.channelassignment.worker.ConfigurationSources;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient;
import com.channelassignment.worker.contract.registry.SubjectNameStrategy;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.testing.services.BrokerProcess;
import com.channelassignment.worker.testing.services.DelayingProxy;
import com.channelassignment.worker.testing.data.DirectoryPublisher;
import com.channelassignment.worker.testing.model.Figures;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.OutcomeWatcher;
import com.channelassignment.worker.testing.services.RequestStream;
import com.channelassignment.worker.testing.services.SchemaRegistryProcess;
import com.channelassignment.worker.testing.model.StreamCheck;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.data.Tokens;
import com.channelassignment.worker.testing.services.WorkerProcess;
import com.channelassignment.worker.testing.data.Workload;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Burst throughput and fixed-rate latency of the packaged worker, run as its own process against a real broker and
 * PostgreSQL, with exactly-once verified at the end and a raw consume-insert-commit loop as the ceiling. Run with
 * {@code ./mvnw -Pbenchmark verify}; sizes come from system properties (docs/performance.md).
 */
public final class ThroughputBenchmark {

    private static final String REQUESTS = "bench-requests";
    private static final Duration RESTING = Duration.ofSeconds(10);
    private static final String OUTCOMES = "bench-outcomes";
    static final int PARTITIONS = 12;
    // Request-id prefixes of the three phases.
    private static final String WARMUP = "w";
    private static final String BURST = "b";
    private static final String RATE = "r";
    private static final String IDLE = "i";
    // The same warm-up and burst again, Confluent-framed, on a worker that writes the Confluent format.
    private static final String CONFLUENT_WARMUP = "cw";
    private static final String CONFLUENT_BURST = "cb";
    private static final String WORKER_GROUP = "bench-worker";

    private final int organizations = Integer.getInteger("benchmark.organizations", 10_000);
    private final int perOrganization = Integer.getInteger("benchmark.per-organization", 10);
    private final int burst = Integer.getInteger("benchmark.requests", 200_000);
    private final int rate = Integer.getInteger("benchmark.rate", 2_000);
    private final int rateSeconds = Integer.getInteger("benchmark.rate-seconds", 30);
    // Blank: the default in application.yml, which the build comparison leaves each build to its own.
    private final String maxPollRecordsSet = System.getProperty("benchmark.max-poll-records", "").trim();
    private final String maxPollRecords = maxPollRecordsSet.isEmpty()
            ? String.valueOf(ConfigurationSources.applicationYml().get("spring.kafka.consumer.max-poll-records"))
            : maxPollRecordsSet;
    private final String concurrency = System.getProperty("benchmark.concurrency", "2");
    private final String workerHeap = System.getProperty("benchmark.worker-heap", "512m");

    private final int warmup = Integer.getInteger("benchmark.warmup-requests", 300_000);
    private final int idleRequests = Integer.getInteger("benchmark.idle-requests", 500);
    private final int httpCallers = Integer.getInteger("benchmark.http-callers", 64);
    private final int httpSeconds = Integer.getInteger("benchmark.http-seconds", 20);
    // The Kafka warm-up compiles the consumer's path; the HTTP path (Tomcat, Spring Security and MVC, the answer
    // reader) needs its own before it is measured.
    private final int httpWarmupSeconds = Integer.getInteger("benchmark.http-warmup-seconds", 60);
    private final int httpRate = Integer.getInteger("benchmark.http-rate", 1_000);
    private final int httpRateSeconds = Integer.getInteger("benchmark.http-rate-seconds", 30);
    // The organizations HTTP calls are made for; each needs a signed token, made before the calls.
    private final int httpOrganizations = Integer.getInteger("benchmark.http-organizations", 1_000);
    private final Tokens tokens = Tokens.generate();
    // Directory changes on the requests topic so far: records the raw loop reads besides the requests.
    private int directoryChanges;
    // Which phases run after the warm-up, for shorter runs while investigating one of them.
    private final Set<String> phases = Set.of(System.getProperty("benchmark.phases", "directory,burst,rate,idle,http,raw")
            .split(","));

    private final Map<String, Long> firstSentAt = new ConcurrentHashMap<>();
    // End-to-end latencies by phase, keyed by the request-id prefix each phase uses.
    private final Map<String, List<Long>> latencies = Map.of(WARMUP, synchronizedList(), BURST, synchronizedList(),
            RATE, synchronizedList(), IDLE, synchronizedList(), CONFLUENT_WARMUP, synchronizedList(),
            CONFLUENT_BURST, synchronizedList());
    // One request at a time on an idle worker: the fixed cost a synchronous caller pays on every call, split at the
    // outcome's record timestamp like the fixed-rate latency.
    private final List<Long> idleUntilOutcomeSent = synchronizedList();
    private final List<Long> idleOutcomeSentToVisible = synchronizedList();
    private final Map<String, CompletableFuture<ConsumerRecord<byte[], byte[]>>> awaited = new ConcurrentHashMap<>();
    // The fixed-rate latency split at the outcome's record timestamp, which the worker's producer sets on send: before
    // it, the request's trip to the worker and the batch; after it, the Kafka commit and the reader's fetch.
    private final List<Long> rateUntilOutcomeSent = synchronizedList();
    private final List<Long> rateOutcomeSentToVisible = synchronizedList();
    // Phases run one after another, each drained before the next, so at a drain this is that phase's last outcome.
    private final AtomicLong lastOutcomeNanos = new AtomicLong();
    private final Workload workload = new Workload(42, organizations, perOrganization);
    private StreamCheck check;
    // Extra JVM options for the worker, space-separated, e.g. a JFR recording for profiling.
    private final String workerJvmOptions = System.getProperty("benchmark.worker-jvm-options", "");
    // Extra worker arguments separated by '|', e.g. --spring.datasource.hikari.connection-init-sql=...
    private final String workerArguments = System.getProperty("benchmark.worker-args", "");
    // Another worker jar than the one just packaged, e.g. an earlier commit's, to compare on the same machine.
    private final String workerJar = System.getProperty("benchmark.worker-jar", "");
    // Round-trip time added between the worker (and the raw loop) and PostgreSQL, as if it ran on another host.
    private final int databaseRttMillis = Integer.getInteger("benchmark.database-rtt-ms", 0);
    // "on": every request, on the topic or over HTTP, carries the traceparent of a new sampled trace, and the worker
    // samples every trace it starts itself, so each request has a recorded span. Nothing is exported: no OTLP endpoint
    // is set, so the figure holds the spans, the context on every record and the span processor, not the network.
    // "off": no trace context anywhere, the worker as configured by default.
    private final boolean tracing = onOrOff(System.getProperty("benchmark.tracing", "off"));
    // "on": after the single-object phases, a second worker (same broker, database and directory) takes a warm-up and
    // a burst in the Confluent wire format against a real schema registry, and the run prints the ratio of the two
    // bursts' worker CPU per request.
    private final boolean compareConfluent = onOrOff(System.getProperty("benchmark.confluent", "on"));

    public static void main(String[] args) throws Exception {
        boolean verified = new ThroughputBenchmark().run();
        System.exit(verified ? 0 : 1);
    }

    private boolean run() throws Exception {
        String compareJar = System.getProperty("benchmark.compare-jar", "");
        if (!compareJar.isBlank()) {
            return compare(Path.of(compareJar));
        }
        // The broker runs in a JVM of its own, with the JVM options of Kafka's start scripts (its broker settings are
        // BrokerProcess's, the fault suite's). In this JVM it stopped for every collection of the instrument's heap,
        // which keeps every request and latency for the final check: pauses of 65 to 135 ms, in the latency phase.
        try (BrokerProcess broker = BrokerProcess.start(Path.of("target", "benchmark", "broker"),
                BrokerProcess.AS_SHIPPED_JVM)) {
            return run(broker);
        }
    }

    /**
     * This build (or {@code benchmark.worker-jar}) against an earlier one, in alternating rounds on one broker and one
     * PostgreSQL server, each with a cold start and a burst; {@code benchmark.profile=on} records both in each worker
     * and breaks the difference down by component.
     */
    private boolean compare(Path earlierJar) throws Exception {
        Path jar = workerJar.isBlank() ? WorkerProcess.packagedJar() : Path.of(workerJar);
        List<Build> builds = List.of(Build.of(System.getProperty("benchmark.name", "this-build"), jar, List.of(), ""),
                Build.of(System.getProperty("benchmark.compare-name", "earlier"), earlierJar,
                        argumentList(System.getProperty("benchmark.compare-args", "")),
                        System.getProperty("benchmark.compare-database", "")));
        List<String> arguments = new ArrayList<>(List.of("--spring.kafka.listener.concurrency=" + concurrency));
        // Each build polls as many records as its own default unless the run sets a number: a build's defaults are
        // part of what is compared.
        if (!maxPollRecordsSet.isEmpty()) {
            arguments.add("--spring.kafka.consumer.max-poll-records=" + maxPollRecords);
        }
        arguments.addAll(argumentList(workerArguments));
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + workerHeap, "-Xms" + workerHeap, "-XX:+UseG1GC"));
        if (!workerJvmOptions.isBlank()) {
            jvm.addAll(List.of(workerJvmOptions.trim().split("\\s+")));
        }
        try (BrokerProcess broker = BrokerProcess.start(Path.of("target", "benchmark", "broker"),
                BrokerProcess.AS_SHIPPED_JVM)) {
            return new BuildComparison(broker, builds, Integer.getInteger("benchmark.compare-pairs", 3),
                    organizations, perOrganization, warmup, burst, jvm, arguments,
                    onOrOff(System.getProperty("benchmark.profile", "off"))).run();
        }
    }

    private boolean run(BrokerProcess broker) throws Exception {
        Path jar = workerJar.isBlank() ? WorkerProcess.packagedJar() : Path.of(workerJar);
        String bootstrap = broker.bootstrapServers();
        TestServices.Database database = TestServices.createDatabase();
        TestServices.Database overTheNetwork = databaseRttMillis == 0 ? database : throughDelayingProxy(database);
        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password()));

        check = new StreamCheck(workload.directory());
        KafkaTestClient.createTopics(bootstrap, PARTITIONS, List.of(REQUESTS, OUTCOMES, REQUESTS + ".dlt"));
        // The directory reaches the worker as operators load one: as directory changes on the requests topic, ahead
        // of every request in its organization's partition.
        DirectoryPublisher.Published directory = DirectoryPublisher.publish(bootstrap, REQUESTS,
                workload.directory(), 1);
        directoryChanges += directory.changes();
        log("directory: %d organizations, %d identities, %d channels published as %d changes in %.1f s",
                organizations, workload.directory().identities().size(), workload.directory().channels().size(),
                directory.changes(), seconds(directory.took().toNanos()));
        Path gcLog = Path.of("target", "benchmark", "worker-gc.log").toAbsolutePath();
        Files.createDirectories(gcLog.getParent());
        Files.deleteIfExists(gcLog);

        Map<String, Object> figures = new LinkedHashMap<>();
        double burstThroughput = 0;
        // Not idempotent: right after topic creation the broker (then in-process) answered NOT_LEADER_OR_FOLLOWER and
        // an idempotent producer's retry then failed for two minutes with OUT_OF_ORDER_SEQUENCE_NUMBER. No broker
        // restarts here, so one request in flight keeps retries in order and free of duplicates.
        try (RequestStream stream = traced(RequestStream.withoutIdempotence(bootstrap, REQUESTS, check));
                // A 5 ms fetch wait, as a synchronous caller's reader would use: idle, the reader asks again that often.
                OutcomeWatcher watcher = OutcomeWatcher.start(bootstrap, List.of(OUTCOMES), this::onOutcome,
                        Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5))) {
            produce(stream, WARMUP, warmup);
            long workerStarted = System.nanoTime();
            try (WorkerProcess worker = WorkerProcess.start(jar, workerJvmOptions(gcLog), workerArguments(bootstrap,
                    overTheNetwork), Path.of("target", "benchmark", "worker.log"))) {
                // A worker runs for days, so a burst meets a JVM whose hot code is compiled. The warm-up pays that
                // one-off cost (and is reported apart, as the cold-start figure) before the measured burst.
                check.awaitDrained(Duration.ofMinutes(10), () -> "worker log " + worker.log());
                double coldSeconds = seconds(lastOutcomeNanos.get() - workerStarted);
                log("warm-up: %d requests answered %.1f s after the worker started", warmup, coldSeconds);
                Supplier<PartyCpu> cpu = PartyCpu.reader(worker::cpuTime, broker.pid(), databaseName(database));
                // What every party burns with nothing to do (polls, heartbeats, metrics): the HTTP figures net of
                // it are what a call adds, which a busier machine pays per call.
                // The benchmark's reader is paused, as in the HTTP phase these figures are set against.
                watcher.pause();
                PartyCpu restingBefore = cpu.get();
                Thread.sleep(RESTING.toMillis());
                PartyCpu resting = cpu.get().since(restingBefore);
                watcher.resume();
                resting.putCores(figures, "resting_cores_", RESTING, "benchmark");

                if (phases.contains("directory")) {
                    directoryBurst(bootstrap, worker, cpu, figures);
                }
                if (phases.contains("burst")) {
                    burstThroughput = burst(stream, worker, cpu, figures, BURST, "burst");
                }
                if (phases.contains("rate")) {
                    offerFixedRate(stream);
                    check.awaitDrained(Duration.ofMinutes(5), () -> "worker log " + worker.log());
                    figures.put("rate_offered_per_second", rate);
                    putPercentiles(figures, "rate_latency", latencies.get(RATE), 50, 99, 100);
                    putPercentiles(figures, "rate_until_outcome_sent", rateUntilOutcomeSent, 50, 99);
                    putPercentiles(figures, "rate_outcome_sent_to_visible", rateOutcomeSentToVisible, 50, 99);
                }
                if (phases.contains("idle")) {
                    PrometheusScrape before = PrometheusScrape.of(worker.managementPort());
                    measureIdleRoundTrips(bootstrap, worker);
                    PrometheusScrape after = PrometheusScrape.of(worker.managementPort());
                    // The worker's own split of a batch: the listener (decode, database, handing outcomes to the
                    // producer), then the producer's two transactional steps, per transaction.
                    double batches = after.since(before, "channel_assignment_batch_duration_seconds_count");
                    figures.put("idle_worker_batches", Math.round(batches));
                    figures.put("idle_worker_listener_ms_per_batch", round2(1000
                            * after.since(before, "channel_assignment_batch_duration_seconds_sum") / batches));
                    figures.put("idle_worker_send_offsets_ms_per_batch", round2(
                            after.since(before, "kafka_producer_txn_send_offsets_time_ns_total") / 1e6 / batches));
                    figures.put("idle_worker_commit_ms_per_batch", round2(
                            after.since(before, "kafka_producer_txn_commit_time_ns_total") / 1e6 / batches));
                    figures.put("idle_round_trips", idleRequests);
                    putPercentiles(figures, "idle_round_trip", latencies.get(IDLE), 50, 90, 99, 100);
                    putPercentiles(figures, "idle_until_outcome_sent", idleUntilOutcomeSent, 50, 99);
                    putPercentiles(figures, "idle_outcome_sent_to_visible", idleOutcomeSentToVisible, 50, 99);
                }
                if (phases.contains("http")) {
                    measureHttp(worker, watcher, cpu, resting, figures);
                }
                long peakRss = worker.peakResidentKib();
                worker.terminate(Duration.ofSeconds(60));
                GcLog gc = GcLog.read(gcLog);

                figures.put("machine", "%d cores, %s, Java %s".formatted(Runtime.getRuntime().availableProcessors(),
                        System.getProperty("os.arch"), System.getProperty("java.version")));
                figures.put("load", describeLoad(workload));
                figures.put("cold_start_requests_per_second", Math.round(warmup / coldSeconds));
                figures.put("worker_peak_heap_mb", gc.peakUsedMib());
                figures.put("worker_peak_live_heap_mb", gc.peakLiveMib());
                figures.put("worker_gc_pauses", gc.collections());
                figures.put("worker_peak_rss_mb", peakRss / 1024);
                figures.put("worker_max_heap", workerHeap);
                figures.put("max_poll_records", Integer.parseInt(maxPollRecords));
                figures.put("database_rtt_added_ms", databaseRttMillis);
                figures.put("worker_jar", jar.toString());
                figures.put("concurrency", Integer.parseInt(concurrency));
                figures.put("tracing", tracing ? "on: every request traced and sampled, nothing exported" : "off");
            }
            if (compareConfluent && phases.contains("burst")) {
                confluentBurst(stream, broker, jar, bootstrap, overTheNetwork, database, figures);
            }
        }

        if (phases.contains("raw")) {
            // The ceiling, on the same broker and database with the worker gone: every record the worker read.
            double rawThroughput = rawLoop(bootstrap, overTheNetwork);
            log("raw loop (consume, one batched insert per poll, commit): %.0f records/s", rawThroughput);
            figures.put("raw_loop_records_per_second", Math.round(rawThroughput));
            figures.put("ratio_to_raw_loop", round2(burstThroughput / rawThroughput));
        }
        StreamCheck.Verdict verdict = check.verdict(jdbc);
        figures.putAll(verdict.figures());
        System.out.println();
        System.out.println(Figures.table(figures));
        System.out.println("BENCHMARK_JSON " + Figures.json(figures));
        return verdict.verified();
    }

    /**
     * The whole directory again, as changes of a newer version, waiting in the topic while the worker is frozen:
     * every change is applied (a newer version of the same state), none produces an outcome. The clock runs from
     * resume until the worker's group has committed the end of every partition.
     */
    private void directoryBurst(String bootstrap, WorkerProcess worker, Supplier<PartyCpu> cpu,
            Map<String, Object> figures) {
        worker.pause();
        DirectoryPublisher.Published republished = DirectoryPublisher.publish(bootstrap, REQUESTS,
                workload.directory(), 2);
        directoryChanges += republished.changes();
        worker.resume();
        long started = System.nanoTime();
        PartyCpu before = cpu.get();
        KafkaTestClient.awaitGroupAtEnd(bootstrap, WORKER_GROUP, REQUESTS, Duration.ofMinutes(10));
        double took = seconds(System.nanoTime() - started);
        log("directory: %d changes applied in %.1f s", republished.changes(), took);
        figures.put("directory_changes", republished.changes());
        figures.put("directory_changes_per_second", Math.round(republished.changes() / took));
        cpu.get().since(before).putPerUnit(figures, "directory_cpu_us_per_change_", republished.changes(), "reader");
    }

    /**
     * The burst waits in the topic, as a bulk import would: the worker is frozen while it is produced, so it reads
     * none of it early. Returns requests per second from resume until the last outcome was read.
     */
    private double burst(RequestStream stream, WorkerProcess worker, Supplier<PartyCpu> cpu,
            Map<String, Object> figures, String phase, String name) {
        worker.pause();
        produce(stream, phase, burst);
        worker.resume();
        long burstStarted = System.nanoTime();
        PartyCpu before = cpu.get();
        check.awaitDrained(Duration.ofMinutes(10), () -> "worker log " + worker.log());
        double burstSeconds = seconds(lastOutcomeNanos.get() - burstStarted);
        PartyCpu used = cpu.get().since(before);
        log("%s: %d outcomes in %.1f s", name, burst, burstSeconds);
        figures.put(name + "_requests_per_second", Math.round(burst / burstSeconds));
        putPercentiles(figures, name + "_latency", latencies.get(phase), 50, 99, 100);
        used.putPerUnit(figures, name + "_cpu_us_per_request_", burst, "reader");
        figures.put("worker_cpu_seconds_" + name, round2(used.worker().toMillis() / 1000.0));
        return burst / burstSeconds;
    }

    /**
     * The warm-up and the burst again on a fresh worker that writes the Confluent wire format, with Confluent-framed
     * requests and a real schema registry: the registry format's cost is the ratio of the two bursts' worker CPU per
     * request, measured on the same broker, database and directory in one run.
     */
    private void confluentBurst(RequestStream stream, BrokerProcess broker, Path jar, String bootstrap,
            TestServices.Database overTheNetwork, TestServices.Database database, Map<String, Object> figures)
            throws Exception {
        try (SchemaRegistryProcess registry = SchemaRegistryProcess.startInMemory()) {
            SchemaRegistryClient client = new SchemaRegistryClient(URI.create(registry.confluentUrl()),
                    Duration.ofSeconds(10), null, null);
            stream.confluentFramed(client.register(SubjectNameStrategy.TOPIC_RECORD.subject(REQUESTS,
                    ChannelAssignmentRequest.getClassSchema().getFullName()),
                    ChannelAssignmentRequest.getClassSchema().toString()).id());
            produce(stream, CONFLUENT_WARMUP, warmup);
            List<String> arguments = new ArrayList<>(workerArguments(bootstrap, overTheNetwork));
            arguments.addAll(List.of("--channel-assignment.wire-format=confluent",
                    "--channel-assignment.schema-registry.url=" + registry.confluentUrl(),
                    "--channel-assignment.schema-registry.auto-register=true"));
            Path gcLog = Path.of("target", "benchmark", "worker-confluent-gc.log").toAbsolutePath();
            Files.deleteIfExists(gcLog);
            long workerStarted = System.nanoTime();
            try (WorkerProcess worker = WorkerProcess.start(jar, workerJvmOptions(gcLog), arguments,
                    Path.of("target", "benchmark", "worker-confluent.log"))) {
                check.awaitDrained(Duration.ofMinutes(10), () -> "worker log " + worker.log());
                double coldSeconds = seconds(lastOutcomeNanos.get() - workerStarted);
                log("confluent warm-up: %d requests answered %.1f s after the worker started", warmup, coldSeconds);
                figures.put("confluent_cold_start_requests_per_second", Math.round(warmup / coldSeconds));
                Supplier<PartyCpu> cpu = PartyCpu.reader(worker::cpuTime, broker.pid(), databaseName(database));
                burst(stream, worker, cpu, figures, CONFLUENT_BURST, "confluent_burst");
                worker.terminate(Duration.ofSeconds(60));
            }
        }
        Object singleObject = figures.get("burst_cpu_us_per_request_worker");
        Object confluent = figures.get("confluent_burst_cpu_us_per_request_worker");
        if (singleObject instanceof Number plain && confluent instanceof Number framed) {
            figures.put("confluent_to_single_object_worker_cpu", round2(framed.doubleValue() / plain.doubleValue()));
        }
    }

    /**
     * One request in flight at a time on an idle worker, sent by a producer that does not linger and read by a
     * reader that fetches with a 5 ms wait: what a synchronous caller pays on every call, whatever the load.
     */
    private void measureIdleRoundTrips(String bootstrap, WorkerProcess worker) throws Exception {
        try (RequestStream oneAtATime = traced(RequestStream.withoutLinger(bootstrap, REQUESTS, check))) {
            for (int i = 0; i < idleRequests; i++) {
                AssignmentRequest request = workload.next(IDLE);
                CompletableFuture<ConsumerRecord<byte[], byte[]>> answer = new CompletableFuture<>();
                awaited.put(request.requestId(), answer);
                long sentAtMillis = System.currentTimeMillis();
                long sentAt = System.nanoTime();
                send(oneAtATime, request);
                oneAtATime.requireAllSent();
                ConsumerRecord<byte[], byte[]> outcome = answer.get(30, TimeUnit.SECONDS);
                long visibleAtMillis = System.currentTimeMillis();
                latencies.get(IDLE).add(Duration.ofNanos(System.nanoTime() - sentAt).toMillis());
                idleUntilOutcomeSent.add(outcome.timestamp() - sentAtMillis);
                idleOutcomeSentToVisible.add(visibleAtMillis - outcome.timestamp());
                // Apart enough that each request finds the worker idle, polling.
                Thread.sleep(20);
            }
        }
        check.awaitDrained(Duration.ofMinutes(1), () -> "worker log " + worker.log());
        log("idle round trips: %d, p50 %d ms", idleRequests, percentile(latencies.get(IDLE), 50));
    }

    /**
     * The HTTP API on the same worker: a warm-up, then {@code httpCallers} concurrent callers for
     * {@code httpSeconds} (calls/s), then {@code httpRate} calls/s offered for {@code httpRateSeconds} (latency).
     */
    private void measureHttp(WorkerProcess worker, OutcomeWatcher watcher, Supplier<PartyCpu> cpu,
            PartyCpu resting, Map<String, Object> figures)
            throws Exception {
        URI api = URI.create("http://127.0.0.1:" + worker.httpPort());
        // The callers measure every call's latency and check every answer; the benchmark's reader only has to see
        // every outcome eventually, so it reads between the phases, not on the cores the phases measure.
        watcher.pause();
        try (HttpLoad http = new HttpLoad(api, workload, check, tokens, Math.min(httpOrganizations, organizations),
                tracing)) {
            HttpLoad.Result warmUp = http.closedLoop("hw", httpCallers, Duration.ofSeconds(httpWarmupSeconds));
            log("http warm-up: %d calls, %.0f/s, %d errors %s", warmUp.calls(), warmUp.callsPerSecond(),
                    warmUp.errors(), warmUp.firstErrors());
            PartyCpu cpuBefore = cpu.get();
            long closedStarted = System.nanoTime();
            PrometheusScrape before = PrometheusScrape.of(worker.managementPort());
            HttpLoad.Result closed = http.closedLoop("h", httpCallers, Duration.ofSeconds(httpSeconds));
            PrometheusScrape after = PrometheusScrape.of(worker.managementPort());
            PartyCpu used = cpu.get().since(cpuBefore);
            Duration closedFor = Duration.ofNanos(System.nanoTime() - closedStarted);
            // Every party's CPU per call: what bounds the calls/s of one machine that runs them all. Gross, and net
            // of what the parties burn at rest, which a faster machine spreads over more calls.
            used.putPerUnit(figures, "http_cpu_us_per_call_", closed.calls(), "callers");
            used.lessResting(resting, RESTING, closedFor).putPerUnit(figures, "http_cpu_us_per_call_net_",
                    closed.calls(), "callers");
            used.putCores(figures, "http_cores_", closedFor, "callers");
            double batches = after.since(before, "channel_assignment_batch_size_records_count");
            figures.put("http_worker_records_per_batch", round2(
                    after.since(before, "channel_assignment_batch_size_records_sum") / batches));
            figures.put("http_worker_batch_ms", round2(1000
                    * after.since(before, "channel_assignment_batch_duration_seconds_sum") / batches));
            // Inside the worker, from the servlet filter to the response: the rest of a call's latency is the
            // client's, the network's and the wait for a request thread.
            figures.put("http_server_ms_per_call", round2(1000
                    * after.since(before, "http_server_requests_seconds_sum")
                    / after.since(before, "http_server_requests_seconds_count")));
            log("http closed loop: %d calls, %.0f/s, %d errors %s", closed.calls(), closed.callsPerSecond(),
                    closed.errors(), closed.firstErrors());
            drainWithReader(watcher, worker, Duration.ofMinutes(2));
            HttpLoad.Result open = http.openLoop("hr", httpRate, Duration.ofSeconds(httpRateSeconds));
            log("http open loop: %d calls, %d errors %s", open.calls(), open.errors(), open.firstErrors());
            drainWithReader(watcher, worker, Duration.ofMinutes(5));
            // The latency of a load this machine carries: half what the closed loop sustained. Above its capacity an
            // open loop measures only the queue it builds.
            int halfCapacity = (int) Math.max(1, Math.round(closed.callsPerSecond() / 2));
            HttpLoad.Result carried = http.openLoop("hh", halfCapacity, Duration.ofSeconds(httpRateSeconds));
            log("http at half capacity: %d calls, %d errors %s", carried.calls(), carried.errors(),
                    carried.firstErrors());
            watcher.resume();
            check.awaitDrained(Duration.ofMinutes(2), () -> "worker log " + worker.log());
            figures.put("http_callers", httpCallers);
            figures.put("http_calls_per_second", Math.round(closed.callsPerSecond()));
            figures.put("http_calls", closed.calls());
            figures.put("http_errors", closed.errors() + warmUp.errors());
            putPercentiles(figures, "http_latency", millis(closed.latenciesNanos()), 50, 99, 100);
            figures.put("http_statuses", new TreeMap<>(closed.statuses()).toString());
            figures.put("http_rate_offered_per_second", httpRate);
            figures.put("http_rate_calls", open.calls());
            figures.put("http_rate_errors", open.errors());
            putPercentiles(figures, "http_rate_latency", millis(open.latenciesNanos()), 50, 90, 99, 100);
            figures.put("http_half_capacity_per_second", halfCapacity);
            figures.put("http_half_capacity_errors", carried.errors());
            putPercentiles(figures, "http_half_capacity_latency", millis(carried.latenciesNanos()), 50, 90, 99, 100);
        }
    }

    private void drainWithReader(OutcomeWatcher watcher, WorkerProcess worker, Duration timeout) {
        watcher.resume();
        check.awaitDrained(timeout, () -> "worker log " + worker.log());
        watcher.pause();
    }

    private static List<Long> millis(List<Long> nanos) {
        return nanos.stream().map(value -> Duration.ofNanos(value).toMillis()).toList();
    }

    private static void putPercentiles(Map<String, Object> figures, String name, List<Long> values,
            int... percentiles) {
        for (int percentile : percentiles) {
            figures.put(name + (percentile == 100 ? "_max_ms" : "_p" + percentile + "_ms"),
                    percentile(values, percentile));
        }
    }

    /** The database a JDBC URL names, as PostgreSQL's process titles show it. */
    static String databaseName(TestServices.Database database) {
        String path = database.jdbcUrl().replaceFirst("^jdbc:postgresql://[^/]*/", "");
        int parameters = path.indexOf('?');
        return parameters < 0 ? path : path.substring(0, parameters);
    }

    private TestServices.Database throughDelayingProxy(TestServices.Database database) {
        Matcher hostAndPort = Pattern.compile("//([^:/]+):(\\d+)/").matcher(database.jdbcUrl());
        if (!hostAndPort.find()) {
            throw new IllegalStateException("no host and port in " + database.jdbcUrl());
        }
        DelayingProxy proxy = DelayingProxy.start(hostAndPort.group(1), Integer.parseInt(hostAndPort.group(2)),
                Duration.ofMillis(databaseRttMillis));
        return new TestServices.Database(hostAndPort.replaceFirst("//127.0.0.1:" + proxy.port() + "/"),
                database.username(), database.password());
    }

    private List<String> workerJvmOptions(Path gcLog) {
        List<String> options = new ArrayList<>(List.of("-Xmx" + workerHeap, "-Xms" + workerHeap, "-XX:+UseG1GC",
                GcLog.option(gcLog)));
        if (!workerJvmOptions.isBlank()) {
            options.addAll(List.of(workerJvmOptions.trim().split("\\s+")));
        }
        return options;
    }

    private List<String> workerArguments(String bootstrap, TestServices.Database database) {
        List<String> arguments = pointedAt(bootstrap, database, WORKER_GROUP, REQUESTS, OUTCOMES, tokens);
        arguments.add("--spring.kafka.consumer.max-poll-records=" + maxPollRecords);
        arguments.add("--spring.kafka.listener.concurrency=" + concurrency);
        if (tracing) {
            arguments.add("--management.tracing.export.enabled=true");
            arguments.add("--management.tracing.sampling.probability=1.0");
        }
        if (!workerArguments.isBlank()) {
            arguments.addAll(List.of(workerArguments.split("\\|")));
        }
        return arguments;
    }

    /**
     * The arguments that point a packaged worker at the benchmark's broker, database, consumer group and topics (over
     * {@link #PARTITIONS} partitions), on loopback, accepting the tokens {@code tokens} signs; a list to add to.
     */
    static List<String> pointedAt(String bootstrap, TestServices.Database database, String group, String requests,
            String outcomes, Tokens tokens) {
        return new ArrayList<>(List.of("--spring.kafka.bootstrap-servers=" + bootstrap,
                "--spring.datasource.url=" + database.jdbcUrl(),
                "--spring.datasource.username=" + database.username(),
                "--spring.datasource.password=" + database.password(),
                "--spring.kafka.consumer.group-id=" + group,
                "--channel-assignment.topics.requests=" + requests,
                "--channel-assignment.topics.outcomes=" + outcomes,
                "--channel-assignment.topics.dead-letter=" + requests + ".dlt",
                "--channel-assignment.topics.partitions=" + PARTITIONS,
                "--channel-assignment.retention.purge-interval=1h",
                "--server.address=127.0.0.1",
                "--spring.security.oauth2.resourceserver.jwt.public-key-location=" + tokens.publicKeyLocation()));
    }

    /** Worker arguments separated by '|'; none for a blank value. */
    private static List<String> argumentList(String arguments) {
        return arguments.isBlank() ? List.of() : List.of(arguments.split("\\|"));
    }

    private RequestStream traced(RequestStream stream) {
        return tracing ? stream.traceEveryRequest() : stream;
    }

    private static boolean onOrOff(String value) {
        if (value.equals("on")) {
            return true;
        }
        if (value.equals("off")) {
            return false;
        }
        throw new IllegalArgumentException("on or off, not " + value);
    }

    private void produce(RequestStream stream, String phase, int requests) {
        long started = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            send(stream, workload.next(phase));
        }
        stream.requireAllSent();
        log("%s: %d requests produced in %.1f s", phase, requests, seconds(System.nanoTime() - started));
    }

    private void offerFixedRate(RequestStream stream) throws InterruptedException {
        long started = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        for (int i = 0; i < rate * rateSeconds; i++) {
            long wait = started + i * interval - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            send(stream, workload.next(RATE));
        }
        stream.requireAllSent();
    }

    private String describeLoad(Workload workload) {
        return ("%d organizations, %d identities, %d mailboxes+numbers; %d-request warm-up, then a %d-request burst "
                + "over %d partitions, then %d/s for %d s").formatted(organizations,
                workload.directory().identities().size(), workload.directory().channels().size(), warmup, burst,
                PARTITIONS, rate, rateSeconds);
    }

    private void send(RequestStream stream, AssignmentRequest request) {
        firstSentAt.putIfAbsent(request.requestId(), request.requestedAt().toEpochMilli());
        stream.send(request);
    }

    private void onOutcome(ConsumerRecord<byte[], byte[]> record) {
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        String requestId = KafkaTestClient.header(record, "request_id");
        String phase = requestId.substring(0, requestId.indexOf('-'));
        List<Long> phaseLatencies = latencies.get(phase);
        // Round trips and HTTP calls are timed by whoever waits for them.
        if (check.outcome(requestId) == 1 && phaseLatencies != null && !phase.equals(IDLE)) {
            long requestedAt = firstSentAt.getOrDefault(requestId, now);
            phaseLatencies.add(now - requestedAt);
            if (phase.equals(RATE)) {
                rateUntilOutcomeSent.add(record.timestamp() - requestedAt);
                rateOutcomeSentToVisible.add(now - record.timestamp());
            }
        }
        lastOutcomeNanos.accumulateAndGet(nanos, Math::max);
        CompletableFuture<ConsumerRecord<byte[], byte[]>> waiting = awaited.remove(requestId);
        if (waiting != null) {
            waiting.complete(record);
        }
    }

    private static List<Long> synchronizedList() {
        return Collections.synchronizedList(new ArrayList<>());
    }

    /** The ceiling: the same records consumed, one batched insert per poll, offsets committed, nothing else. */
    private double rawLoop(String bootstrap, TestServices.Database database) {
        // One connection for the whole loop, as the worker's pool keeps its connections: a data source that opened a
        // connection per statement made the ceiling measure PostgreSQL's backend start-up.
        SingleConnectionDataSource connection = new SingleConnectionDataSource(database.jdbcUrl(),
                database.username(), database.password(), true);
        try {
            return rawLoop(bootstrap, new JdbcTemplate(connection));
        } finally {
            connection.destroy();
        }
    }

    private double rawLoop(String bootstrap, JdbcTemplate jdbc) {
        jdbc.execute("CREATE TABLE raw_loop_sink (topic text, partition_number int, record_offset bigint, "
                + "value bytea)");
        Properties config = new Properties();
        config.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-raw-loop",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.parseInt(maxPollRecords),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        int total = check.deliveries() + directoryChanges;
        int consumed = 0;
        long started = 0;
        long idleSince = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(REQUESTS));
            while (consumed < total) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    if (System.nanoTime() - idleSince > Duration.ofSeconds(60).toNanos()) {
                        throw new IllegalStateException("raw loop read only %d of %d records".formatted(consumed,
                                total));
                    }
                    continue;
                }
                idleSince = System.nanoTime();
                if (started == 0) {
                    started = System.nanoTime();
                }
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                records.forEach(batch::add);
                jdbc.update("INSERT INTO raw_loop_sink SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[], "
                                + "?::bytea[])",
                        batch.stream().map(ConsumerRecord::topic).toArray(String[]::new),
                        batch.stream().map(ConsumerRecord::partition).toArray(Integer[]::new),
                        batch.stream().map(ConsumerRecord::offset).toArray(Long[]::new),
                        batch.stream().map(ConsumerRecord::value).toArray(byte[][]::new));
                consumer.commitSync();
                consumed += batch.size();
            }
        }
        return consumed / seconds(System.nanoTime() - started);
    }

    private static long percentile(List<Long> values, int percentile) {
        List<Long> sorted;
        synchronized (values) {
            sorted = new ArrayList<>(values);
        }
        if (sorted.isEmpty()) {
            return -1;
        }
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[benchmark %s] %s%n", Instant.now(), format.formatted(args));
    }
}
