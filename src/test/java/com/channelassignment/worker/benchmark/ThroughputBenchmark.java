package com.channelassignment.worker.benchmark;

import com.channelassignment.worker.application.ChannelLink;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.jdbc.JdbcDirectoryLoader;
import com.channelassignment.worker.kafka.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.testing.ReferenceModel;
import com.channelassignment.worker.testing.TestServices;
import com.channelassignment.worker.testing.WorkerProcess;
import com.channelassignment.worker.testing.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
    // Extra JVM options for the worker, space-separated, e.g. a JFR recording for profiling.
    private final String workerJvmOptions = System.getProperty("benchmark.worker-jvm-options", "");
    // Extra worker arguments separated by '|', e.g. --spring.datasource.hikari.connection-init-sql=...
    private final String workerArguments = System.getProperty("benchmark.worker-args", "");

    private final AvroContract contract = new AvroContract();
    private final Map<String, Integer> sends = new ConcurrentHashMap<>();
    private final Map<String, Long> firstSentAt = new ConcurrentHashMap<>();
    private final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    private final List<Long> burstLatencies = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> rateLatencies = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger delivered = new AtomicInteger();
    private final AtomicLong firstOutcomeNanos = new AtomicLong();
    private final AtomicLong lastOutcomeNanos = new AtomicLong();
    private final AtomicLong peakHeap = new AtomicLong();
    private final AtomicInteger failedSends = new AtomicInteger();

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
        ReferenceModel model = new ReferenceModel(workload.directory());
        createTopics(bootstrap);

        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            long produceStarted = System.nanoTime();
            for (int i = 0; i < burst; i++) {
                send(producer, workload.next("b"), model);
            }
            producer.flush();
            requireAllSent();
            log("burst: %d requests produced in %.1f s", burst, seconds(System.nanoTime() - produceStarted));

            double rawThroughput = rawLoop(bootstrap, jdbc);
            log("raw loop (consume, one batched insert per poll, commit): %.0f records/s", rawThroughput);

            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> watchOutcomes(bootstrap, watching), "outcome-watcher");
            watcher.start();
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

                int burstDeliveries = totalSends();
                awaitDelivered(burstDeliveries, Duration.ofMinutes(10));
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
                    send(producer, workload.next("r"), model);
                }
                producer.flush();
                requireAllSent();
                awaitDelivered(totalSends(), Duration.ofMinutes(5));
                watching.set(false);
                watcher.join();

                Duration cpu = worker.cpuTime();
                long peakRss = worker.peakResidentKib();
                Set<ChannelLink> stored = storedLinks(jdbc);
                Set<ChannelLink> expected = model.links();
                long missing = sends.keySet().stream().filter(id -> !outcomes.containsKey(id)).count();
                long duplicated = sends.entrySet().stream()
                        .filter(e -> outcomes.getOrDefault(e.getKey(), 0) > e.getValue()).count();
                long exact = sends.entrySet().stream()
                        .filter(e -> outcomes.getOrDefault(e.getKey(), 0).equals(e.getValue())).count();
                boolean stateMatches = stored.equals(expected);
                boolean verified = missing == 0 && duplicated == 0 && stateMatches;
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
                figures.put("distinct_requests", sends.size());
                figures.put("deliveries", totalSends());
                figures.put("requests_with_exactly_one_outcome_per_delivery", exact);
                figures.put("requests_without_outcome", missing);
                figures.put("requests_with_duplicate_outcomes", duplicated);
                figures.put("links_expected", expected.size());
                figures.put("links_stored", stored.size());
                figures.put("database_matches_reference_model", stateMatches);
                figures.put("verified", verified);
                printTable(figures);
                System.out.println("BENCHMARK_JSON " + json(figures));
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

    private void send(KafkaProducer<byte[], byte[]> producer, AssignmentRequest request, ReferenceModel model) {
        model.apply(request);
        sends.merge(request.requestId(), 1, Integer::sum);
        firstSentAt.putIfAbsent(request.requestId(), request.requestedAt().toEpochMilli());
        ChannelAssignmentRequest wire = ChannelAssignmentRequest.newBuilder()
                .setRequestId(request.requestId())
                .setOrganizationId(request.organizationId())
                .setAgentHandle(request.agentHandle())
                .setOperation(com.channelassignment.worker.kafka.avro.Operation.valueOf(request.operation().name()))
                .setChannelType(com.channelassignment.worker.kafka.avro.ChannelType.valueOf(
                        request.channelType().name()))
                .setChannelId(request.channelId())
                .setRequestedAt(request.requestedAt())
                .setCorrelationId(request.correlationId())
                .build();
        String key = request.organizationId() == null ? "no-organization" : request.organizationId();
        producer.send(new ProducerRecord<>(REQUESTS, key.getBytes(StandardCharsets.UTF_8),
                contract.encodeRequest(wire)), (metadata, exception) -> {
                    if (exception != null) {
                        failedSends.incrementAndGet();
                    }
                });
    }

    private void requireAllSent() {
        if (failedSends.get() > 0) {
            throw new IllegalStateException(failedSends.get() + " requests could not be produced; figures would lie");
        }
    }

    private void watchOutcomes(String bootstrap, AtomicBoolean watching) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap, "bench-watcher-" + UUID.randomUUID())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(OUTCOMES, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (watching.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                long now = System.currentTimeMillis();
                long nanos = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    Header header = record.headers().lastHeader("request_id");
                    String requestId = new String(header.value(), StandardCharsets.UTF_8);
                    if (outcomes.merge(requestId, 1, Integer::sum) == 1) {
                        long latency = now - firstSentAt.getOrDefault(requestId, now);
                        (requestId.startsWith("r-") ? rateLatencies : burstLatencies).add(latency);
                    }
                    firstOutcomeNanos.compareAndSet(0, nanos);
                    lastOutcomeNanos.set(nanos);
                    delivered.incrementAndGet();
                }
            }
        }
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
        int total = totalSends();
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

    private void awaitDelivered(int expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (delivered.get() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only %d of %d outcomes after %s".formatted(delivered.get(),
                        expected, timeout));
            }
            Thread.sleep(100);
        }
    }

    private int totalSends() {
        return sends.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static Set<ChannelLink> storedLinks(JdbcTemplate jdbc) {
        return new HashSet<>(jdbc.query(
                "SELECT identity_id, organization_id, channel_type, channel_id FROM channel_assignments",
                (rs, row) -> new ChannelLink(rs.getObject(1, UUID.class), rs.getString(2),
                        ChannelType.valueOf(rs.getString(3)), rs.getObject(4, UUID.class))));
    }

    private static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(REQUESTS, PARTITIONS, (short) 1),
                    new NewTopic(OUTCOMES, PARTITIONS, (short) 1),
                    new NewTopic(REQUESTS + ".dlt", PARTITIONS, (short) 1))).all().get();
            // Producing into partitions whose leaders are still being elected provoked out-of-order sequence
            // errors on the in-process broker; wait until every partition has a leader.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!admin.describeTopics(List.of(REQUESTS, OUTCOMES)).allTopicNames().get().values().stream()
                    .allMatch(topic -> topic.partitions().size() == PARTITIONS
                            && topic.partitions().stream().allMatch(partition -> partition.leader() != null))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topics have no leaders after 30 s");
                }
                Thread.sleep(100);
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        // Not idempotent: right after topic creation the in-process broker answers NOT_LEADER_OR_FOLLOWER, and the
        // idempotent producer's retry then fails forever with OUT_OF_ORDER_SEQUENCE_NUMBER. One request in flight
        // keeps retries in order and duplicate-free (a rejected write was not appended).
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.BATCH_SIZE_CONFIG, 65_536,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
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

    private static void printTable(Map<String, Object> figures) {
        System.out.println();
        System.out.println("| figure | value |");
        System.out.println("|---|---|");
        figures.forEach((name, value) -> System.out.printf("| %s | %s |%n", name, value));
        System.out.println();
    }

    private static String json(Map<String, Object> figures) {
        StringBuilder json = new StringBuilder("{");
        figures.forEach((name, value) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(name).append("\":");
            json.append(value instanceof String ? "\"" + value + "\"" : String.valueOf(value));
        });
        return json.append('}').toString();
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
