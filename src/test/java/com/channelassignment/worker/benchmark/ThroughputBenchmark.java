package com.channelassignment.worker.benchmark;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.jdbc.JdbcDirectoryLoader;
import com.channelassignment.worker.testing.Figures;
import com.channelassignment.worker.testing.KafkaTestClient;
import com.channelassignment.worker.testing.OutcomeWatcher;
import com.channelassignment.worker.testing.RequestStream;
import com.channelassignment.worker.testing.StreamCheck;
import com.channelassignment.worker.testing.TestServices;
import com.channelassignment.worker.testing.WorkerProcess;
import com.channelassignment.worker.testing.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Burst throughput and fixed-rate latency of the packaged worker, run as its own process against a real broker and
 * PostgreSQL, with exactly-once verified at the end and a raw consume-insert-commit loop as the ceiling. Run with
 * {@code ./mvnw -Pbenchmark verify}; sizes come from system properties (README.md, "Performance").
 */
public final class ThroughputBenchmark {

    private static final String REQUESTS = "bench-requests";
    private static final String OUTCOMES = "bench-outcomes";
    private static final int PARTITIONS = 12;

    private final int organizations = Integer.getInteger("benchmark.organizations", 10_000);
    private final int perOrganization = Integer.getInteger("benchmark.per-organization", 10);
    private final int burst = Integer.getInteger("benchmark.requests", 200_000);
    private final int rate = Integer.getInteger("benchmark.rate", 2_000);
    private final int rateSeconds = Integer.getInteger("benchmark.rate-seconds", 30);
    private final String maxPollRecords = System.getProperty("benchmark.max-poll-records", "500");
    private final String concurrency = System.getProperty("benchmark.concurrency", "2");
    private final String workerHeap = System.getProperty("benchmark.worker-heap", "512m");

    private final Map<String, Long> firstSentAt = new ConcurrentHashMap<>();
    private final List<Long> burstLatencies = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> rateLatencies = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong firstOutcomeNanos = new AtomicLong();
    private final AtomicLong lastOutcomeNanos = new AtomicLong();
    private final AtomicLong peakHeap = new AtomicLong();
    private StreamCheck check;
    // Extra JVM options for the worker, space-separated, e.g. a JFR recording for profiling.
    private final String workerJvmOptions = System.getProperty("benchmark.worker-jvm-options", "");
    // Extra worker arguments separated by '|', e.g. --spring.datasource.hikari.connection-init-sql=...
    private final String workerArguments = System.getProperty("benchmark.worker-args", "");

    public static void main(String[] args) throws Exception {
        boolean verified = new ThroughputBenchmark().run();
        System.exit(verified ? 0 : 1);
    }

    private boolean run() throws Exception {
        Path jar = WorkerProcess.packagedJar();
        String bootstrap = TestServices.kafkaBootstrapServers();
        TestServices.Database database = TestServices.createDatabase();
        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password()));

        Workload workload = new Workload(42, organizations, perOrganization);
        long loadStarted = System.nanoTime();
        new JdbcDirectoryLoader(jdbc).load(workload.directory());
        log("directory: %d organizations, %d identities, %d channels loaded in %.1f s", organizations,
                workload.directory().identities().size(), workload.directory().channels().size(),
                seconds(System.nanoTime() - loadStarted));
        check = new StreamCheck(workload.directory());
        KafkaTestClient.createTopics(bootstrap, PARTITIONS, List.of(REQUESTS, OUTCOMES, REQUESTS + ".dlt"));

        // Not idempotent: right after topic creation the in-process broker answered NOT_LEADER_OR_FOLLOWER and an
        // idempotent producer's retry then failed for two minutes with OUT_OF_ORDER_SEQUENCE_NUMBER. No broker
        // restarts here, so one request in flight keeps retries in order and free of duplicates.
        try (RequestStream stream = RequestStream.withoutIdempotence(bootstrap, REQUESTS, check)) {
            long produceStarted = System.nanoTime();
            for (int i = 0; i < burst; i++) {
                send(stream, workload.next("b"));
            }
            stream.requireAllSent();
            log("burst: %d requests produced in %.1f s", burst, seconds(System.nanoTime() - produceStarted));

            double rawThroughput = rawLoop(bootstrap, jdbc);
            log("raw loop (consume, one batched insert per poll, commit): %.0f records/s", rawThroughput);

            AtomicBoolean watching = new AtomicBoolean(true);
            OutcomeWatcher watcher = OutcomeWatcher.start(bootstrap, List.of(OUTCOMES), this::onOutcome);
            long workerStarted = System.nanoTime();
            List<String> jvmOptions = new ArrayList<>(List.of("-Xmx" + workerHeap, "-Xms" + workerHeap,
                    "-XX:+UseG1GC"));
            if (!workerJvmOptions.isBlank()) {
                jvmOptions.addAll(List.of(workerJvmOptions.trim().split("\\s+")));
            }
            List<String> arguments = new ArrayList<>(List.of("--spring.kafka.bootstrap-servers=" + bootstrap,
                            "--spring.datasource.url=" + database.jdbcUrl(),
                            "--spring.datasource.username=" + database.username(),
                            "--spring.datasource.password=" + database.password(),
                            "--spring.kafka.consumer.group-id=bench-worker",
                            "--spring.kafka.consumer.max-poll-records=" + maxPollRecords,
                            "--spring.kafka.listener.concurrency=" + concurrency,
                            "--channel-assignment.topics.requests=" + REQUESTS,
                            "--channel-assignment.topics.outcomes=" + OUTCOMES,
                            "--channel-assignment.topics.dead-letter=" + REQUESTS + ".dlt",
                            "--channel-assignment.topics.partitions=" + PARTITIONS,
                            "--channel-assignment.retention.purge-interval=1h"));
            if (!workerArguments.isBlank()) {
                arguments.addAll(List.of(workerArguments.split("\\|")));
            }
            try (WorkerProcess worker = WorkerProcess.start(jar, jvmOptions, arguments,
                    Path.of("target", "benchmark", "worker.log"))) {
                Thread heapSampler = new Thread(() -> sampleHeap(worker, watching), "heap-sampler");
                heapSampler.setDaemon(true);
                heapSampler.start();

                int burstDeliveries = check.deliveries();
                check.awaitDrained(Duration.ofMinutes(10), () -> "worker log " + worker.log());
                double burstSeconds = seconds(lastOutcomeNanos.get() - firstOutcomeNanos.get());
                double burstWithStartup = seconds(lastOutcomeNanos.get() - workerStarted);
                Duration burstCpu = worker.cpuTime();
                log("burst: %d outcomes in %.1f s (%.1f s with worker startup)", burstDeliveries, burstSeconds,
                        burstWithStartup);

                long rateStarted = System.nanoTime();
                long interval = 1_000_000_000L / rate;
                int rateRequests = rate * rateSeconds;
                for (int i = 0; i < rateRequests; i++) {
                    long due = rateStarted + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    send(stream, workload.next("r"));
                }
                stream.requireAllSent();
                check.awaitDrained(Duration.ofMinutes(5), () -> "worker log " + worker.log());
                watching.set(false);
                watcher.close();

                Duration cpu = worker.cpuTime();
                long peakRss = worker.peakResidentKib();
                StreamCheck.Verdict verdict = check.verdict(jdbc);
                boolean verified = verdict.verified();
                double throughput = burstDeliveries / burstSeconds;

                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("machine", "%d cores, %s, Java %s".formatted(Runtime.getRuntime().availableProcessors(),
                        System.getProperty("os.arch"), System.getProperty("java.version")));
                figures.put("load", describeLoad(workload));
                figures.put("burst_requests_per_second", Math.round(throughput));
                figures.put("raw_loop_records_per_second", Math.round(rawThroughput));
                figures.put("ratio_to_raw_loop", round2(throughput / rawThroughput));
                figures.put("burst_latency_p50_ms", percentile(burstLatencies, 50));
                figures.put("burst_latency_p99_ms", percentile(burstLatencies, 99));
                figures.put("burst_latency_max_ms", percentile(burstLatencies, 100));
                figures.put("rate_offered_per_second", rate);
                figures.put("rate_latency_p50_ms", percentile(rateLatencies, 50));
                figures.put("rate_latency_p99_ms", percentile(rateLatencies, 99));
                figures.put("rate_latency_max_ms", percentile(rateLatencies, 100));
                figures.put("worker_cpu_seconds_burst", round2(burstCpu.toMillis() / 1000.0));
                figures.put("worker_cpu_seconds_total", round2(cpu.toMillis() / 1000.0));
                figures.put("worker_peak_heap_mb", peakHeap.get() / (1024 * 1024));
                figures.put("worker_peak_rss_mb", peakRss / 1024);
                figures.put("worker_max_heap", workerHeap);
                figures.put("max_poll_records", Integer.parseInt(maxPollRecords));
                figures.put("concurrency", Integer.parseInt(concurrency));
                figures.putAll(verdict.figures());
                System.out.println();
                System.out.println(Figures.table(figures));
                System.out.println("BENCHMARK_JSON " + Figures.json(figures));
                worker.terminate(Duration.ofSeconds(60));
                return verified;
            }
        }
    }

    private String describeLoad(Workload workload) {
        return "%d organizations, %d identities, %d mailboxes+numbers; %d-request burst over %d partitions, then %d/s for %d s"
                .formatted(organizations, workload.directory().identities().size(),
                        workload.directory().channels().size(), burst, PARTITIONS, rate, rateSeconds);
    }

    private void send(RequestStream stream, AssignmentRequest request) {
        firstSentAt.putIfAbsent(request.requestId(), request.requestedAt().toEpochMilli());
        stream.send(request);
    }

    private void onOutcome(ConsumerRecord<byte[], byte[]> record) {
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        String requestId = KafkaTestClient.header(record, "request_id");
        if (check.outcome(requestId) == 1) {
            long latency = now - firstSentAt.getOrDefault(requestId, now);
            (requestId.startsWith("r-") ? rateLatencies : burstLatencies).add(latency);
        }
        firstOutcomeNanos.compareAndSet(0, nanos);
        lastOutcomeNanos.set(nanos);
    }

    private void sampleHeap(WorkerProcess worker, AtomicBoolean watching) {
        while (watching.get()) {
            long heap = worker.heapUsedBytes();
            peakHeap.accumulateAndGet(heap, Math::max);
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The ceiling: the same records consumed, one batched insert per poll, offsets committed, nothing else. */
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
        int total = check.deliveries();
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

    private static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[benchmark %s] %s%n", Instant.now(), format.formatted(args));
    }
}
