package com.channelassignment.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.kafka.consume.StaticMemberConsumerFactory;
import com.channelassignment.worker.testing.services.BrokerProcess;
import com.channelassignment.worker.testing.data.DirectoryChurn;
import com.channelassignment.worker.testing.data.DirectoryPublisher;
import com.channelassignment.worker.testing.model.Figures;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.OutcomeWatcher;
import com.channelassignment.worker.testing.services.RequestStream;
import com.channelassignment.worker.testing.services.RunningWorker;
import com.channelassignment.worker.testing.model.StreamCheck;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.services.WorkerProcess;
import com.channelassignment.worker.testing.data.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * One fault scenario end to end: a fresh database, fresh topics, the {@link Workload}'s directory published on the
 * requests topic, a paced request stream with a few undecodable records, a {@code read_committed} watcher counting
 * outcomes and dead letters, and the worker instances. The scenario injects its faults while the stream flows;
 * {@link #finish()} then drains, stops the workers with SIGTERM, prints the figures and asserts them.
 *
 * <p>The workers' PostgreSQL connections carry an application_name unique to the run, so that a fault aimed at their
 * backends ({@code pg_terminate_backend}) can be scoped to this run's database and workers alone. A second deployment
 * ({@link #alongside}) consumes the same requests topic with its own group, database and output topics.
 */
final class FaultRun implements AutoCloseable {

    static final int PARTITIONS = 6;
    /**
     * The workers' consumer group protocol: {@code -Dfaults.group-protocol=consumer} for Kafka 4's (KIP-848); unset,
     * the worker's default, the classic one.
     */
    static final String GROUP_PROTOCOL = System.getProperty("faults.group-protocol", "");
    static final boolean CLASSIC_PROTOCOL = GROUP_PROTOCOL.isEmpty() || GROUP_PROTOCOL.equalsIgnoreCase("classic");
    /**
     * How long the group waits for a lost member. Under the classic protocol the worker's own (the consumer factory's
     * default): the suite runs the worker's recovery settings, so its holes are the ones deployed. Under the consumer
     * protocol the broker's {@code group.consumer.session.timeout.ms}: Kafka's 45 s unless {@code -Dbroker.settings}
     * sets it.
     */
    static final Duration SESSION_TIMEOUT = Duration.ofMillis(Long.parseLong(CLASSIC_PROTOCOL
            ? StaticMemberConsumerFactory.CLASSIC_PROTOCOL_TIMEOUTS.get("session.timeout.ms")
            : BrokerProcess.settingsOfTheRun().getOrDefault("group.consumer.session.timeout.ms", "45000")));
    static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(15);
    private static final Path REPORT_DIRECTORY = Path.of("target", "faults");
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
    private static final String ALREADY_COMMITTED = " requests of this batch were already committed to the database";
    private static final String LOCK_TIMEOUT = "Caused by: org.postgresql.util.PSQLException: ERROR: canceling "
            + "statement due to lock timeout";
    private static final int ORGANIZATIONS = 300;
    private static final int PER_ORGANIZATION = 10;
    // With directory changes, one step of them (a change, or a new mailbox and its assignment) after every 4th request.
    private static final int REQUESTS_PER_DIRECTORY_STEP = 4;

    private final String scenario;
    private final FaultSuiteSize size;
    private final long seed;
    private final Random random;
    private final long startedNanos = System.nanoTime();
    private final String bootstrapServers;
    private final TestServices.Database database;
    private final String applicationName;
    private final String groupId;
    private final String requestsTopic;
    private final RunningWorker worker;
    private final FaultRun primary;
    private final JdbcTemplate jdbc;
    private final Workload workload;
    private final StreamCheck check;
    private final String transactionalIdPrefix;
    private final OutcomeWatcher watcher;
    private final RequestStream stream;
    private final WorkerFleet fleet;
    private final Map<String, Object> faults = new LinkedHashMap<>();
    private final Map<String, Supplier<Object>> extraFigures = new LinkedHashMap<>();
    private final AtomicInteger produced = new AtomicInteger();
    private final AtomicInteger changesProduced = new AtomicInteger();
    private final AtomicInteger burstOwed = new AtomicInteger();
    private final AtomicReference<Throwable> producerFailure = new AtomicReference<>();
    // For the holes a fault leaves: when each request was sent, and when each outcome arrived on which partition.
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final List<long[]> arrivals = new CopyOnWriteArrayList<>();
    private final List<String> holesOverBound = new CopyOnWriteArrayList<>();
    // Set before the stream's thread starts, which then is the only one to use it.
    private DirectoryChurn churn;
    private volatile boolean faultsDone;
    private volatile boolean closed;
    private Thread producer;

    private FaultRun(String scenario, long seed, String bootstrapServers, TestServices.Database database,
            FaultSuiteSize size, List<String> extraWorkerArguments, FaultRun primary) {
        this.scenario = scenario;
        this.size = size;
        this.seed = seed;
        this.random = new Random(seed);
        this.bootstrapServers = bootstrapServers;
        this.database = database;
        this.primary = primary;
        String run = scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
        String requests = primary == null ? run + "-requests" : primary.requestsTopic;
        String outcomes = run + "-outcomes";
        String deadLetters = run + "-requests.dlt";
        this.requestsTopic = requests;
        this.groupId = run;
        this.applicationName = "caw-" + run;
        this.transactionalIdPrefix = run + "-";

        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load().migrate();
        this.jdbc = new JdbcTemplate(new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password()));
        this.workload = new Workload(seed, ORGANIZATIONS, PER_ORGANIZATION);
        this.check = new StreamCheck(workload.directory());

        KafkaTestClient.createTopics(bootstrapServers, PARTITIONS, primary == null
                ? List.of(requests, outcomes, deadLetters) : List.of(outcomes, deadLetters));
        this.worker = new RunningWorker(bootstrapServers, requests, outcomes, groupId);
        this.watcher = OutcomeWatcher.start(bootstrapServers, List.of(outcomes, deadLetters), record -> {
            if (record.topic().equals(deadLetters)) {
                check.deadLetter(record.value(), KafkaTestClient.header(record, StreamCheck.ORIGINAL_SIZE_HEADER),
                        KafkaTestClient.header(record, StreamCheck.ORIGINAL_SHA256_HEADER));
            } else {
                String requestId = requestId(record);
                if (requestId.startsWith(HttpCallers.KEY_PREFIX)) {
                    // An HTTP caller's call, not the stream's: its callers check their answers themselves.
                    return;
                }
                check.outcome(requestId);
                Long sent = sentAt.get(requestId);
                if (sent != null) {
                    arrivals.add(new long[] {record.partition(), sent, System.nanoTime()});
                }
            }
        });
        if (primary == null) {
            this.stream = new RequestStream(bootstrapServers, requests, check);
        } else {
            this.stream = null;
            primary.stream.alsoRecordIn(check);
        }
        List<String> workerArguments = new ArrayList<>(List.of("--spring.kafka.bootstrap-servers=" + bootstrapServers,
                        "--spring.datasource.url=" + database.jdbcUrl(),
                        "--spring.datasource.username=" + database.username(),
                        "--spring.datasource.password=" + database.password(),
                        // pgjdbc's ApplicationName: the run's workers are the only backends with this name.
                        "--spring.datasource.hikari.data-source-properties.ApplicationName=" + applicationName,
                        "--spring.kafka.consumer.group-id=" + groupId,
                        "--spring.kafka.consumer.max-poll-records=100",
                        "--spring.kafka.listener.concurrency=1",
                        "--channel-assignment.topics.requests=" + requests,
                        "--channel-assignment.topics.outcomes=" + outcomes,
                        "--channel-assignment.topics.dead-letter=" + deadLetters,
                        "--channel-assignment.topics.partitions=" + PARTITIONS,
                        "--spring.kafka.consumer.properties.max.poll.interval.ms=20000",
                        "--channel-assignment.retry.max-interval=2s",
                        "--channel-assignment.database.lock-timeout=2s",
                        "--channel-assignment.database.statement-timeout=5s"));
        if (!CLASSIC_PROTOCOL) {
            workerArguments.add("--spring.kafka.consumer.properties.group.protocol=" + GROUP_PROTOCOL);
        }
        this.fleet = new WorkerFleet(WorkerProcess.packagedJar(),
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), workerArguments,
                REPORT_DIRECTORY.resolve(run), transactionalIdPrefix, this::log);
        fleet.setArguments(extraWorkerArguments);
        log(("%s form, seed %d, %d organizations x %d identities, %d partitions, topics %s*, logs in %s; %s group "
                + "protocol, session timeout %s").formatted(size.name(), seed, ORGANIZATIONS, PER_ORGANIZATION,
                        PARTITIONS, run, REPORT_DIRECTORY.resolve(run), CLASSIC_PROTOCOL ? "classic" : GROUP_PROTOCOL,
                        SESSION_TIMEOUT));
    }

    static FaultRun begin(String scenario, long seed, String bootstrapServers, TestServices.Database database,
            FaultSuiteSize size) {
        return begin(scenario, seed, bootstrapServers, database, size, List.of());
    }

    /**
     * {@link #begin} with more worker arguments ({@code --name=value}); one naming a property the run already sets
     * replaces it, since Spring joins repeated command-line properties into one comma-separated value.
     */
    static FaultRun begin(String scenario, long seed, String bootstrapServers, TestServices.Database database,
            FaultSuiteSize size, List<String> extraWorkerArguments) {
        return new FaultRun(scenario, seed, bootstrapServers, database, size, extraWorkerArguments, null);
    }

    /**
     * A second deployment beside {@code primary}: same requests topic and stream (every send is recorded in this
     * run's check too), its own consumer group, database, outcome and dead-letter topics, and workers. Create it before
     * the primary starts its stream.
     */
    static FaultRun alongside(FaultRun primary, String scenario, TestServices.Database database,
            List<String> extraWorkerArguments) {
        return new FaultRun(scenario, primary.seed, primary.bootstrapServers, database, primary.size,
                extraWorkerArguments, primary);
    }

    TestServices.Database database() {
        return database;
    }

    /** The database's name, as {@code pg_stat_activity.datname} shows it. */
    String databaseName() {
        String url = database.jdbcUrl();
        String path = url.substring(url.lastIndexOf('/') + 1);
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /**
     * Whether a worker of this run has been idle inside a database transaction for a while: normally a batch goes from
     * one statement to the next in milliseconds, so a long wait means a worker stopped mid-batch, holding its locks.
     */
    boolean aWorkerIsStuckInADatabaseTransaction() {
        Integer stuck = jdbc.queryForObject("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = ? AND application_name = ? AND state = 'idle in transaction'
                   AND state_change < clock_timestamp() - interval '200 milliseconds'
                """, Integer.class, databaseName(), applicationName);
        return stuck != null && stuck > 0;
    }

    /** The application_name of every PostgreSQL connection of this run's workers, and of no other connection. */
    String applicationName() {
        return applicationName;
    }

    String groupId() {
        return groupId;
    }

    String requestsTopic() {
        return requestsTopic;
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    StreamCheck check() {
        return check;
    }

    Workload workload() {
        return workload;
    }

    /** The producer of the request stream; the primary's for a deployment {@link #alongside} it. */
    RequestStream stream() {
        return primary == null ? stream : primary.stream;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    Random random() {
        return random;
    }

    FaultSuiteSize size() {
        return size;
    }

    WorkerFleet fleet() {
        return fleet;
    }

    /**
     * Makes the stream carry directory changes too ({@link DirectoryChurn}), on the requests topic beside the
     * requests. Call before {@link #startStream()}.
     */
    void withDirectoryChanges() {
        if (primary != null || producer != null) {
            throw new IllegalStateException("directory changes join a run's own stream before it starts");
        }
        // Its own seed: the request stream stays the one the scenario always had.
        churn = new DirectoryChurn(seed + 2, workload, ORGANIZATIONS, PER_ORGANIZATION);
    }

    /**
     * Publishes the {@link Workload}'s directory on the requests topic and waits until this run's workers have applied
     * it, then starts producing at the size's pace, until at least its minimum is sent and {@link #finish()} says the
     * faults are over: every fault lands while requests keep coming. One undecodable record every
     * {@code garbageEvery}.
     */
    void startStream() {
        if (primary != null) {
            throw new IllegalStateException("a deployment alongside another one shares that one's stream");
        }
        // Version 0, as the churn numbers each entry's changes from 1. A deployment alongside reads the same changes
        // first in every partition: the stream is produced only after the broker acknowledged them all.
        DirectoryPublisher.load(worker, workload.directory(), 0, size.drainTimeout());
        log("directory published and applied: %d identities, %d channels".formatted(
                workload.directory().identities().size(), workload.directory().channels().size()));
        producer = new Thread(() -> {
            try {
                long interval = 1_000_000_000L / size.requestsPerSecond();
                long start = System.nanoTime();
                int garbage = 0;
                // Its own Random: the fault schedule must not depend on how far the stream got.
                Random garbageKeys = new Random(seed + 1);
                for (int i = 0; (i < size.minimumRequests() || !faultsDone) && !closed; i++) {
                    for (; burstOwed.get() > 0 && !closed; burstOwed.decrementAndGet()) {
                        send(workload.next("r"));
                        produced.incrementAndGet();
                    }
                    long wait = start + i * interval - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    AssignmentRequest request = workload.next("r");
                    send(request);
                    produced.incrementAndGet();
                    if (churn != null) {
                        churn.noticed(request);
                    }
                    if (churn != null && (i + 1) % REQUESTS_PER_DIRECTORY_STEP == 0) {
                        DirectoryChurn.Step step = churn.next("d");
                        for (DirectoryChange change : step.changes()) {
                            stream.send(change);
                            changesProduced.incrementAndGet();
                        }
                        for (AssignmentRequest assignment : step.requests()) {
                            send(assignment);
                            produced.incrementAndGet();
                        }
                    }
                    if ((i + 1) % size.garbageEvery() == 0) {
                        stream.sendGarbage(Workload.organization(garbageKeys.nextInt(ORGANIZATIONS)),
                                "not a request: %s garbage #%d".formatted(scenario, ++garbage)
                                        .getBytes(StandardCharsets.UTF_8));
                    }
                }
                stream.flush();
            } catch (Throwable e) {
                producerFailure.set(e);
            }
        }, "request-stream-" + scenario);
        producer.setDaemon(true);
        producer.start();
    }

    private void send(AssignmentRequest request) {
        sentAt.putIfAbsent(request.requestId(), System.nanoTime());
        stream.send(request);
    }

    /**
     * The hole a fault at {@code faultNanos} left: for each outcome partition, the time from the fault to the first
     * outcome of a request sent after it. Waits until every partition has one; prints the first and the last
     * partition's time as figures, and fails the run at its end if the last exceeds {@code bound}.
     */
    Duration awaitHole(String fault, long faultNanos, Duration bound) {
        long[] firstAfter = new long[PARTITIONS];
        long deadline = faultNanos + size.drainTimeout().toNanos();
        while (true) {
            java.util.Arrays.fill(firstAfter, Long.MAX_VALUE);
            for (long[] arrival : arrivals) {
                if (arrival[1] > faultNanos) {
                    int partition = (int) arrival[0];
                    firstAfter[partition] = Math.min(firstAfter[partition], arrival[2]);
                }
            }
            if (java.util.Arrays.stream(firstAfter).allMatch(at -> at != Long.MAX_VALUE)) {
                break;
            }
            requireProducerHealthy();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after %s, no outcome in some partition within %s: %s; %s".formatted(fault,
                        size.drainTimeout(), java.util.Arrays.toString(firstAfter), fleet.describe()));
            }
            sleep(Duration.ofMillis(50));
        }
        double first = Long.MAX_VALUE;
        double last = 0;
        List<String> perPartition = new ArrayList<>();
        for (long at : firstAfter) {
            double seconds = Math.round((at - faultNanos) / 1e7) / 100.0;
            first = Math.min(first, seconds);
            last = Math.max(last, seconds);
            perPartition.add(Double.toString(seconds));
        }
        log("hole after %s: first partition %.2f s, last %.2f s (bound %d s); per partition %s".formatted(fault,
                first, last, bound.toSeconds(), perPartition));
        double firstSeen = first;
        double lastSeen = last;
        faults.merge("hole_" + fault + "_first_partition_s", first, (a, b) -> Math.max((Double) a, firstSeen));
        faults.merge("hole_" + fault + "_last_partition_s", last, (a, b) -> Math.max((Double) a, lastSeen));
        faults.put("hole_" + fault + "_bound_s", bound.toSeconds());
        if (last > bound.toMillis() / 1000.0) {
            holesOverBound.add("%s: %.2f s > %d s".formatted(fault, last, bound.toSeconds()));
        }
        return Duration.ofMillis(Math.round(last * 1000));
    }

    /**
     * HTTP callers for this run, not yet started: the instances started from now on accept their tokens. Their
     * figures join the run's at {@link HttpCallers#stop}'s caller's discretion ({@link #figure}).
     */
    HttpCallers httpCallers() {
        HttpCallers callers = new HttpCallers(fleet::httpPorts);
        fleet.setArguments(List.of(callers.workerArgument()));
        return callers;
    }

    /** Makes the stream send {@code requests} more at once, on top of its pace: a burst for a fault to land in. */
    void burst(int requests) {
        burstOwed.addAndGet(requests);
    }

    /** Waits until {@code outcomes} more committed outcomes arrived: the workers are making progress. */
    void awaitProgress(int outcomes) {
        int target = check.outcomesSeen() + outcomes;
        long deadline = System.nanoTime() + size.drainTimeout().toNanos();
        while (check.outcomesSeen() < target) {
            requireProducerHealthy();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no progress within %s: %d outcomes; %s"
                        .formatted(size.drainTimeout(), check.outcomesSeen(), fleet.describe()));
            }
            sleep(Duration.ofMillis(50));
        }
    }

    /** Waits until {@code requestId} has a committed outcome; returns how long it took, or fails after {@code limit}. */
    Duration awaitOutcome(String requestId, Duration limit) {
        long started = System.nanoTime();
        while (check.outcomesFor(requestId) == 0) {
            requireProducerHealthy();
            if (System.nanoTime() - started > limit.toNanos()) {
                throw new AssertionError("no outcome for %s within %s; %s".formatted(requestId, limit,
                        fleet.describe()));
            }
            sleep(Duration.ofMillis(50));
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** Sleeps a random time between {@code min} and {@code max}: the moment of the next fault. */
    Duration randomPause(Duration min, Duration max) {
        Duration pause = min.plusMillis((long) (random.nextDouble() * (max.toMillis() - min.toMillis())));
        sleep(pause);
        return pause;
    }

    /** Counts one fault of a kind, for the figures. */
    void count(String fault) {
        faults.merge(fault, 1, (a, b) -> (Integer) a + (Integer) b);
    }

    /** A figure of the faults injected, e.g. how many backends a storm terminated; printed with the others. */
    void figure(String name, Object value) {
        faults.put(name, value);
    }

    /** A scenario-specific figure, computed once the workers have stopped and printed with the others. */
    void figureAtEnd(String name, Supplier<Object> value) {
        extraFigures.put(name, value);
    }

    void log(String message) {
        System.out.printf("[faults %s +%.1fs] %s%n", scenario, (System.nanoTime() - startedNanos) / 1e9, message);
    }

    /**
     * Ends the stream, waits for every delivery's outcome and every dead letter, stops the workers with SIGTERM
     * (each must exit 0), waits until no transaction of theirs is open and the watcher has read everything
     * committed, then prints and asserts the figures.
     */
    StreamCheck.Verdict finish() throws InterruptedException {
        endStream();
        return settle("stream");
    }

    /**
     * Waits until every owed outcome and dead letter arrived, without stopping anything: for a scenario that acts on
     * the drained state before {@link #settle} stops the workers and asserts.
     */
    void awaitDrained() {
        check.awaitDrained(size.drainTimeout(), fleet::describe);
    }

    /**
     * After the group's offsets were moved back and workers started again: waits until the group has consumed the
     * requests topic to its end (skipped records give nothing to wait for), then settles like {@link #finish()}.
     */
    StreamCheck.Verdict finishAfterRedelivery(String phase) {
        requireNotStreaming();
        stream().requireAllSent();
        KafkaTestClient.awaitGroupAtEnd(bootstrapServers, groupId, requestsTopic, size.drainTimeout());
        return settle(phase);
    }

    /** Ends the stream (the primary's, for a deployment alongside it) once the faults are done. */
    void endStream() throws InterruptedException {
        if (primary != null) {
            primary.endStream();
            return;
        }
        if (faultsDone) {
            return;
        }
        faultsDone = true;
        if (producer != null) {
            producer.join(Duration.ofMinutes(10).toMillis());
            requireProducerHealthy();
        }
        stream.requireAllSent();
        log("stream ended: %d requests, %d directory changes and their garbage sent; waiting for the outcomes"
                .formatted(produced.get(), changesProduced.get()));
    }

    private void requireNotStreaming() {
        FaultRun owner = primary == null ? this : primary;
        if (owner.producer != null && owner.producer.isAlive()) {
            throw new IllegalStateException("the stream is still running; end it first");
        }
    }

    /**
     * Waits for every owed outcome and dead letter, stops the workers with SIGTERM, waits until no transaction of
     * theirs is open and the watcher has read everything committed, then prints and asserts the figures.
     */
    StreamCheck.Verdict settle(String phase) {
        long drainStarted = System.nanoTime();
        check.awaitDrained(size.drainTimeout(), fleet::describe);
        double drainSeconds = (System.nanoTime() - drainStarted) / 1e9;

        Map<String, Integer> exits = fleet.terminateAll(SHUTDOWN_TIMEOUT);
        log("SIGTERM: exit codes " + exits);
        KafkaTestClient.awaitNoOpenTransactions(bootstrapServers, transactionalIdPrefix,
                TRANSACTION_TIMEOUT.multipliedBy(6));
        watcher.awaitCaughtUp(Duration.ofSeconds(60));
        StreamCheck.Verdict verdict = check.verdict(jdbc);

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("scenario", scenario);
        figures.put("phase", phase);
        figures.put("form", size.name());
        figures.put("seed", seed);
        figures.put("finished_at", Instant.now().toString());
        figures.put("machine", "%d cores, Java %s".formatted(Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        figures.put("seconds", Math.round((System.nanoTime() - startedNanos) / 1e8) / 10.0);
        figures.put("drain_seconds_after_stream_end", Math.round(drainSeconds * 10) / 10.0);
        figures.putAll(faults);
        extraFigures.forEach((name, value) -> figures.put(name, value.get()));
        // What the workers went through, from their logs: evidence that the faults hit mid-batch.
        figures.put("worker_batches_rolled_back", fleet.linesInAllLogs("Transaction rolled back").size());
        figures.put("redelivered_requests_found_already_in_database",
                fleet.linesInAllLogs(ALREADY_COMMITTED).stream().mapToInt(FaultRun::leadingNumber).sum());
        figures.put("worker_lock_timeouts", fleet.linesInAllLogs(LOCK_TIMEOUT).size());
        figures.putAll(verdict.figures());
        figures.put("postgres_application_name", applicationName);
        figures.put("workers_exiting_0_on_sigterm", exits.values().stream().filter(exit -> exit == 0).count());
        figures.put("workers_stopped_with_sigterm", exits.size());
        log(summary(verdict, exits));
        System.out.println("FAULTS_JSON " + Figures.json(figures));
        System.out.println(Figures.table(figures));
        Figures.appendLine(REPORT_DIRECTORY.resolve("figures.jsonl"), Figures.json(figures));

        assertThat(verdict.requestsWithoutOutcome()).as("requests with zero committed outcomes").isZero();
        assertThat(verdict.requestsMissingAnOutcome()).as("requests with fewer outcomes than deliveries").isZero();
        assertThat(verdict.duplicateOutcomes()).as("committed outcomes beyond one per delivery, or per ended link and "
                + "delivery of a directory change").isZero();
        assertThat(verdict.outcomesForUnsentRequests()).as("outcomes for request ids never sent, or for directory "
                + "changes that ended no link").isZero();
        assertThat(verdict.changeOutcomesMissing()).as("links ended by directory changes without their outcome")
                .isZero();
        assertThat(verdict.changesWithExactlyTheirOutcomes()).as("directory changes with one outcome per ended link "
                + "and delivery").isEqualTo(verdict.changesEndingLinks());
        assertThat(verdict.databaseMatchesModel()).as("channel_assignments and the directory equal to the reference "
                + "model (%d links expected, %d stored; %d directory entries differing)", verdict.linksExpected(),
                verdict.linksStored(), verdict.directoryEntriesDiffering()).isTrue();
        assertThat(verdict.deadLettered()).as("dead letters: exactly the garbage sent").isEqualTo(verdict.garbageSent());
        assertThat(verdict.garbageNotDeadLettered() + verdict.unexpectedDeadLetters()).as("dead-letter mismatches")
                .isZero();
        assertThat(verdict.verified()).isTrue();
        assertThat(exits.values()).as("exit codes after SIGTERM").allMatch(exit -> exit == 0);
        assertThat(holesOverBound).as("holes longer than their bound (time from a fault to the first outcome of "
                + "the last partition)").isEmpty();
        return verdict;
    }

    private String summary(StreamCheck.Verdict verdict, Map<String, Integer> exits) {
        return ("%d deliveries of %d request ids; %d ids with exactly one outcome per delivery, %d with none, %d "
                + "duplicate outcomes; %d directory change deliveries, %d of %d outcomes of ended links; database "
                + "equals model: %s (%d links, %d directory entries); %d of %d garbage records dead-lettered, "
                + "%d other dead letters; faults %s; %d of %d workers exited 0 on SIGTERM")
                .formatted(verdict.deliveries(), verdict.distinctRequests(),
                        verdict.requestsWithExactlyOneOutcomePerDelivery(), verdict.requestsWithoutOutcome(),
                        verdict.duplicateOutcomes(), verdict.directoryChangeDeliveries(),
                        verdict.changeOutcomesOwed() - verdict.changeOutcomesMissing(), verdict.changeOutcomesOwed(),
                        verdict.databaseMatchesModel(), verdict.linksStored(), verdict.directoryEntriesStored(),
                        verdict.deadLettered() - verdict.unexpectedDeadLetters(), verdict.garbageSent(),
                        verdict.unexpectedDeadLetters(), faults,
                        exits.values().stream().filter(exit -> exit == 0).count(), exits.size());
    }

    /** "12 requests of this batch were already committed ..." after the log prefix: 12. */
    private static int leadingNumber(String line) {
        String before = line.substring(0, line.indexOf(ALREADY_COMMITTED));
        return Integer.parseInt(before.substring(before.lastIndexOf(' ') + 1));
    }

    private void requireProducerHealthy() {
        FaultRun owner = primary == null ? this : primary;
        if (owner.producerFailure.get() != null) {
            throw new IllegalStateException("the request stream failed", owner.producerFailure.get());
        }
    }

    private static String requestId(ConsumerRecord<byte[], byte[]> record) {
        String requestId = KafkaTestClient.header(record, "request_id");
        if (requestId == null) {
            throw new IllegalStateException("outcome without request_id header at " + record.topic() + "-"
                    + record.partition() + "@" + record.offset());
        }
        return requestId;
    }


    static void sleep(Duration duration) {
        if (duration.isNegative()) {
            return;
        }
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        faultsDone = true;
        closed = true;
        fleet.close();
        try {
            watcher.close();
        } finally {
            if (stream != null) {
                stream.close();
            }
        }
    }
}
