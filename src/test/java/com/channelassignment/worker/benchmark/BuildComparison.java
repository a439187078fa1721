package com.channelassignment.worker.benchmark;

import static com.channelassignment.worker.benchmark.ThroughputBenchmark.PARTITIONS;
import static com.channelassignment.worker.benchmark.ThroughputBenchmark.databaseName;
import static com.channelassignment.worker.benchmark.ThroughputBenchmark.pointedAt;
import static com.channelassignment.worker.benchmark.ThroughputBenchmark.round2;
import static com.channelassignment.worker.benchmark.ThroughputBenchmark.seconds;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.testing.data.DirectoryPublisher;
import com.channelassignment.worker.testing.data.Tokens;
import com.channelassignment.worker.testing.data.Workload;
import com.channelassignment.worker.testing.model.Figures;
import com.channelassignment.worker.testing.model.StreamCheck;
import com.channelassignment.worker.testing.services.BrokerProcess;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.OutcomeWatcher;
import com.channelassignment.worker.testing.services.RequestStream;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.services.WorkerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.header.Header;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Two builds of the worker side by side on one broker and one PostgreSQL server: rounds alternate between them (A B,
 * B A, ...), each round a fresh database, fresh topics and group, the same seeded directory and the same requests in
 * the writer schema the build's own jar carries, after one uncounted round that warms the broker and the database. A
 * round seeds the directory the way the build understands it, starts the build cold under a waiting warm-up (as after
 * a crash or a rolling update), then times a burst on the warm JVM, with every party's CPU. Run by
 * {@code ./mvnw -Pbenchmark verify -Dbenchmark.compare-jar=...} (docs/performance.md).
 */
final class BuildComparison {

    private static final String WARMUP = "w";
    private static final String BURST = "b";

    private final BrokerProcess broker;
    private final List<Build> builds;
    private final int pairs;
    private final int organizations;
    private final int perOrganization;
    private final int warmup;
    private final int burst;
    private final List<String> workerJvmOptions;
    private final List<String> workerArguments;
    private final boolean profile;
    private final Path output = Path.of("target", "benchmark", "compare").toAbsolutePath();
    private final Tokens tokens = Tokens.generate();

    BuildComparison(BrokerProcess broker, List<Build> builds, int pairs, int organizations, int perOrganization,
            int warmup, int burst, List<String> workerJvmOptions, List<String> workerArguments, boolean profile) {
        this.broker = broker;
        this.builds = builds;
        this.pairs = pairs;
        this.organizations = organizations;
        this.perOrganization = perOrganization;
        this.warmup = warmup;
        this.burst = burst;
        this.workerJvmOptions = workerJvmOptions;
        this.workerArguments = workerArguments;
        this.profile = profile;
    }

    /** Runs every round, prints the comparison; true when every round was exact. */
    boolean run() throws Exception {
        Files.createDirectories(output);
        // The run's first round meets a broker, a benchmark JVM and a database cache that are all cold: its figures
        // came out a fifth below the same build's later rounds. It runs, and must be exact, but is not counted.
        log("warm-up round, not counted: %s", builds.get(0).name());
        Round warmUp = round(builds.get(0), 0);
        log("warm-up round: %s", warmUp.figures());
        List<Round> rounds = new ArrayList<>();
        int number = 0;
        for (int pair = 0; pair < pairs; pair++) {
            // A B, then B A: neither build always meets the machine first, or later in a drifting run.
            List<Build> order = pair % 2 == 0 ? builds : List.of(builds.get(1), builds.get(0));
            for (Build build : order) {
                number++;
                log("round %d of %d: %s", number, 2 * pairs, build.name());
                Round round = round(build, number);
                log("round %d: %s", number, round.figures());
                rounds.add(round);
            }
        }
        Map<String, Object> summary = summarize(rounds);
        System.out.println();
        System.out.println(roundTable(rounds));
        System.out.println(Figures.table(summary));
        if (profile) {
            System.out.println(JfrBreakdown.compare(builds.stream().map(Build::name).toList(), rounds.stream()
                    .map(round -> new JfrBreakdown.Recording(round.build().name(), round.profiles(),
                            round.figures()))
                    .toList()));
        }
        System.out.println("COMPARISON_JSON " + Figures.json(summary));
        return warmUp.verified() && rounds.stream().allMatch(Round::verified);
    }

    private Round round(Build build, int number) throws Exception {
        String prefix = "cmp%d-".formatted(number);
        String requests = prefix + "requests";
        String outcomes = prefix + "outcomes";
        String group = prefix + "worker";
        String bootstrap = broker.bootstrapServers();
        KafkaTestClient.createTopics(bootstrap, PARTITIONS, List.of(requests, outcomes, requests + ".dlt"));
        TestServices.Database database = TestServices.createDatabase(build.databaseOptions());
        try {
            Workload workload = new Workload(42, organizations, perOrganization);
            StreamCheck check = new StreamCheck(workload.directory());
            List<String> arguments = arguments(bootstrap, database, group, requests, outcomes);
            arguments.addAll(build.arguments());
            seed(build, workload, arguments, requests, group, number);

            Map<String, Object> figures = new LinkedHashMap<>();
            Map<String, Path> profiles = new LinkedHashMap<>();
            AtomicLong lastOutcome = new AtomicLong();
            // What the broker stores and serves, and PostgreSQL keeps as the idempotency record, per outcome.
            AtomicLong outcomesRead = new AtomicLong();
            AtomicLong outcomeValueBytes = new AtomicLong();
            AtomicLong outcomeHeaderBytes = new AtomicLong();
            try (RequestStream stream = RequestStream.withoutIdempotence(bootstrap, requests, check)
                    .writtenWith(build.requestSchema());
                    OutcomeWatcher watcher = OutcomeWatcher.start(bootstrap, List.of(outcomes), record -> {
                        check.outcome(KafkaTestClient.header(record, "request_id"));
                        outcomesRead.incrementAndGet();
                        outcomeValueBytes.addAndGet(record.serializedValueSize());
                        for (Header header : record.headers()) {
                            int valueLength = header.value() == null ? 0 : header.value().length;
                            outcomeHeaderBytes.addAndGet(header.key().length() + valueLength);
                        }
                        lastOutcome.accumulateAndGet(System.nanoTime(), Math::max);
                    }, Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5))) {
                produce(stream, workload, WARMUP, warmup);
                List<String> jvm = new ArrayList<>(workerJvmOptions);
                Path cold = output.resolve("%s-%d-cold.jfr".formatted(build.name(), number));
                if (profile) {
                    jvm.add("-XX:StartFlightRecording=name=cold,settings=profile,filename=" + cold);
                }
                long started = System.nanoTime();
                try (WorkerProcess worker = WorkerProcess.start(build.jar(), jvm, arguments,
                        output.resolve("%s-%d.log".formatted(build.name(), number)))) {
                    Supplier<PartyCpu> cpu = PartyCpu.reader(worker::cpuTime, broker.pid(),
                            databaseName(database));
                    PartyCpu atStart = cpu.get();
                    check.awaitDrained(Duration.ofMinutes(10), () -> "worker log " + worker.log());
                    double coldSeconds = seconds(lastOutcome.get() - started);
                    figures.put("cold_start_requests_per_second", Math.round(warmup / coldSeconds));
                    // The worker's CPU from its JVM's start: start-up and compilation are what a cold worker pays.
                    cpu.get().since(atStart).putPerUnit(figures, "cold_cpu_us_per_request_", warmup, "reader");
                    if (profile) {
                        Jcmd.run(worker.pid(), "JFR.stop", "name=cold");
                        profiles.put("cold", cold);
                    }

                    Path warm = output.resolve("%s-%d-burst.jfr".formatted(build.name(), number));
                    worker.pause();
                    produce(stream, workload, BURST, burst);
                    worker.resume();
                    if (profile) {
                        Jcmd.run(worker.pid(), "JFR.start", "name=burst", "settings=profile", "filename=" + warm);
                    }
                    long burstStarted = System.nanoTime();
                    PartyCpu before = cpu.get();
                    check.awaitDrained(Duration.ofMinutes(10), () -> "worker log " + worker.log());
                    double burstSeconds = seconds(lastOutcome.get() - burstStarted);
                    PartyCpu used = cpu.get().since(before);
                    if (profile) {
                        Jcmd.run(worker.pid(), "JFR.stop", "name=burst");
                        profiles.put("burst", warm);
                    }
                    figures.put("burst_requests_per_second", Math.round(burst / burstSeconds));
                    used.putPerUnit(figures, "burst_cpu_us_per_request_", burst, "reader");
                    figures.put("outcome_value_bytes", outcomeValueBytes.get() / Math.max(1, outcomesRead.get()));
                    figures.put("outcome_header_bytes", outcomeHeaderBytes.get() / Math.max(1, outcomesRead.get()));
                    worker.terminate(Duration.ofSeconds(60));
                }
            }
            JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                    database.password()));
            StreamCheck.Verdict verdict = check.verdict(StreamCheck.storedLinks(jdbc));
            figures.putAll(verdict.figures());
            return new Round(number, build, figures, profiles, verdict.verified());
        } finally {
            TestServices.dropDatabase(database);
        }
    }

    /**
     * The directory reaches each build as it understands one: as directory changes on the requests topic, or from
     * the directory file an earlier build reads at start-up. Either way a worker of the build applies it and stops,
     * so the measured start finds it in the database, as a restart does.
     */
    private void seed(Build build, Workload workload, List<String> arguments, String requests, String group,
            int number) {
        List<String> seeding = new ArrayList<>(arguments);
        if (build.readsDirectoryChanges()) {
            DirectoryPublisher.publish(broker.bootstrapServers(), requests, workload.directory(), 1);
        } else {
            seeding.add("--channel-assignment.directory-file=" + DirectoryFileWriter.write(workload.directory(),
                    output.resolve("directory.json")));
        }
        long started = System.nanoTime();
        try (WorkerProcess seeder = WorkerProcess.start(build.jar(), workerJvmOptions, seeding,
                output.resolve("%s-%d-seed.log".formatted(build.name(), number)))) {
            // A file is loaded before the worker reports ready; changes on the topic are applied once its group
            // has committed past them.
            seeder.awaitReady(Duration.ofMinutes(5));
            if (build.readsDirectoryChanges()) {
                KafkaTestClient.awaitGroupAtEnd(broker.bootstrapServers(), group, requests, Duration.ofMinutes(10));
            }
            seeder.terminate(Duration.ofSeconds(60));
        }
        log("%s: directory seeded in %.1f s", build.name(), seconds(System.nanoTime() - started));
    }

    private List<String> arguments(String bootstrap, TestServices.Database database, String group, String requests,
            String outcomes) {
        List<String> arguments = pointedAt(bootstrap, database, group, requests, outcomes, tokens);
        // Readiness on the API port, /readyz, for builds that served it only on request.
        arguments.add("--management.endpoint.health.probes.add-additional-paths=true");
        arguments.addAll(workerArguments);
        return arguments;
    }

    private static void produce(RequestStream stream, Workload workload, String phase, int count) {
        for (int i = 0; i < count; i++) {
            AssignmentRequest request = workload.next(phase);
            stream.send(request);
        }
        stream.requireAllSent();
    }

    private Map<String, Object> summarize(List<Round> rounds) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("machine", "%d cores, %s, Java %s".formatted(Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.arch"), System.getProperty("java.version")));
        summary.put("load", ("%d organizations; %d-request warm-up on a cold worker, then a %d-request burst over %d "
                + "partitions; %d rounds per build, alternating").formatted(organizations, warmup, burst, PARTITIONS,
                pairs));
        Build current = builds.get(0);
        Build earlier = builds.get(1);
        summary.put("builds", current.name() + " vs " + earlier.name());
        for (String figure : List.of("cold_start_requests_per_second", "burst_requests_per_second",
                "burst_cpu_us_per_request_worker", "burst_cpu_us_per_request_broker",
                "burst_cpu_us_per_request_reader", "burst_cpu_us_per_request_postgres",
                "cold_cpu_us_per_request_worker", "cold_cpu_us_per_request_broker",
                "cold_cpu_us_per_request_postgres", "outcome_value_bytes", "outcome_header_bytes")) {
            Spread now = Spread.of(rounds, current, figure);
            Spread then = Spread.of(rounds, earlier, figure);
            summary.put(figure + "_" + current.name(), now.toString());
            summary.put(figure + "_" + earlier.name(), then.toString());
            summary.put(figure + "_ratio", round2(now.mean() / then.mean()));
        }
        Spread now = Spread.ofTotal(rounds, current);
        Spread then = Spread.ofTotal(rounds, earlier);
        summary.put("burst_cpu_us_per_request_all_but_reader_" + current.name(), now.toString());
        summary.put("burst_cpu_us_per_request_all_but_reader_" + earlier.name(), then.toString());
        summary.put("burst_cpu_us_per_request_all_but_reader_ratio", round2(now.mean() / then.mean()));
        summary.put("exact_rounds", "%d of %d".formatted(rounds.stream().filter(Round::verified).count(),
                rounds.size()));
        return summary;
    }

    private static String roundTable(List<Round> rounds) {
        StringBuilder table = new StringBuilder(
                "| round | build | cold req/s | burst req/s | burst CPU µs/request: worker / broker / reader / "
                        + "PostgreSQL | exact |\n|---|---|---|---|---|---|\n");
        for (Round round : rounds) {
            Map<String, Object> f = round.figures();
            table.append("| %d | %s | %s | %s | %s / %s / %s / %s | %s |%n".formatted(round.number(),
                    round.build().name(), f.get("cold_start_requests_per_second"),
                    f.get("burst_requests_per_second"), f.get("burst_cpu_us_per_request_worker"),
                    f.get("burst_cpu_us_per_request_broker"), f.get("burst_cpu_us_per_request_reader"),
                    f.get("burst_cpu_us_per_request_postgres"), round.verified() ? "yes" : "NO"));
        }
        return table.toString();
    }

    private static void log(String format, Object... args) {
        System.out.printf("[compare %s] %s%n", Instant.now(), format.formatted(args));
    }

    /** One round's figures, its JFR recordings by phase, and whether it was exact. */
    record Round(int number, Build build, Map<String, Object> figures, Map<String, Path> profiles,
            boolean verified) {
    }

    /** Mean and range of one figure over a build's rounds. */
    record Spread(double mean, double min, double max, int rounds) {

        static Spread of(List<Round> rounds, Build build, String figure) {
            return of(rounds.stream().filter(round -> round.build() == build)
                    .mapToDouble(round -> ((Number) round.figures().get(figure)).doubleValue()).toArray());
        }

        /** Worker, broker and PostgreSQL per burst request: what the machine spends beyond the benchmark's reader. */
        static Spread ofTotal(List<Round> rounds, Build build) {
            return of(rounds.stream().filter(round -> round.build() == build).mapToDouble(round -> sum(
                    round.figures(), "burst_cpu_us_per_request_worker", "burst_cpu_us_per_request_broker",
                    "burst_cpu_us_per_request_postgres")).toArray());
        }

        private static double sum(Map<String, Object> figures, String... names) {
            double sum = 0;
            for (String name : names) {
                sum += ((Number) figures.get(name)).doubleValue();
            }
            return sum;
        }

        private static Spread of(double[] values) {
            double sum = 0;
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (double value : values) {
                sum += value;
                min = Math.min(min, value);
                max = Math.max(max, value);
            }
            return new Spread(sum / values.length, min, max, values.length);
        }

        @Override
        public String toString() {
            return "%.0f (%.0f-%.0f)".formatted(mean, min, max);
        }
    }

    /** {@code jcmd} against the worker's JVM: starts and stops its flight recordings between phases. */
    private static final class Jcmd {
        static void run(long pid, String... command) {
            List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                    .toString(), Long.toString(pid)));
            line.addAll(List.of(command));
            try {
                Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
                String said = new String(process.getInputStream().readAllBytes());
                if (process.waitFor() != 0) {
                    throw new IllegalStateException(String.join(" ", line) + " failed: " + said);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
