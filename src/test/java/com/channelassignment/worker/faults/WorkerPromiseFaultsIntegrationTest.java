package com.channelassignment.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.testing.services.CommitDroppingProxy;
import com.channelassignment.worker.testing.services.ConnectionStorm;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.data.Workload;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The promise (one committed outcome per delivery, the database equal to the model, exactly the garbage
 * dead-lettered) under faults aimed at the seams between PostgreSQL's commit and Kafka's: connections terminated by the
 * hundred, a COMMIT whose answer is lost, records that fail only after the database committed, idempotency records
 * purged before a redelivery, and two deployments reading one topic. Same processes, figures and verdict as
 * {@link WorkerFaultsIntegrationTest}; docs/reliability.md describes each scenario.
 */
class WorkerPromiseFaultsIntegrationTest extends FaultSuiteServices {

    /** The broker's default message.max.bytes: the largest record batch it accepts. */
    private static final int BROKER_MESSAGE_MAX_BYTES = 1_048_588;
    /** Batch and record framing around a single record's key and value, with room to spare. */
    private static final int RECORD_FRAMING_ALLOWANCE = 256;
    private static final Duration FOLLOWER_OUTCOME_LIMIT = Duration.ofSeconds(30);

    @Test
    void answersEveryDeliveryExactlyOnceWhileHundredsOfTheWorkersConnectionsAreTerminatedDuringABurst()
            throws Exception {
        TestServices.Database database = postgres.createDatabase();
        // Three consumer threads retrying within 100 ms borrow connections all the time, so the pool keeps opening
        // new ones for the storm to end: at least 100 within 10 s.
        try (FaultRun run = FaultRun.begin("storm", 5005, broker.bootstrapServers(), database, SIZE,
                List.of("--spring.kafka.listener.concurrency=3", "--channel-assignment.retry.initial-interval=20ms",
                        "--channel-assignment.retry.max-interval=100ms"))) {
            run.fleet().start(1);
            run.startStream();
            run.awaitProgress(20);
            // The storm lands while a block of requests is queued, so most terminations hit a batch in flight.
            run.burst(1_000);
            ConnectionStorm storm = new ConnectionStorm(database.jdbcUrl(), database.username(),
                    database.password(), run.databaseName(), run.applicationName());
            run.log("connection storm on %s, application_name %s".formatted(run.databaseName(),
                    run.applicationName()));
            ConnectionStorm.Result result = storm.blow(100, Duration.ofSeconds(10), Duration.ofSeconds(60),
                    Duration.ofMillis(20));
            run.figure("postgres_backends_terminated", result.terminated());
            run.figure("postgres_storm_seconds", Math.round(result.elapsed().toMillis() / 100.0) / 10.0);
            run.log("storm over: %d backends terminated in %d rounds".formatted(result.terminated(), result.rounds()));
            assertThat(result.terminated()).as("terminations in the storm").isGreaterThanOrEqualTo(100);
            // The storm stops as soon as it has both; past 10 s it took longer than 10 s to reach 100.
            assertThat(result.elapsed()).as("time the storm needed for 100 terminations")
                    .isLessThan(Duration.ofSeconds(11));
            run.awaitProgress(20);
            run.finish();
        }
    }

    @Test
    void answersEveryDeliveryExactlyOnceWhenTheConnectionDiesAfterTheCommitReachedPostgresql() throws Exception {
        TestServices.Database database = postgres.createDatabase();
        URI server = URI.create(database.jdbcUrl().substring("jdbc:".length()));
        int drops = 12;
        // 200 ms: far longer than PostgreSQL takes to commit a batch on this host, so the commit happened.
        try (CommitDroppingProxy proxy = CommitDroppingProxy.start(server.getHost(), server.getPort(),
                Duration.ofMillis(200));
                FaultRun run = FaultRun.begin("commit-lost", 6006, broker.bootstrapServers(), database, SIZE,
                        List.of("--spring.datasource.url=jdbc:postgresql://127.0.0.1:%d%s?sslmode=disable"
                                .formatted(proxy.port(), server.getPath()) + "&gssEncMode=disable"))) {
            run.figureAtEnd("commits_dropped_after_forwarding", proxy::commitsDropped);
            run.figureAtEnd("commit_proxy", proxy::describe);
            run.fleet().start(1);
            run.startStream();
            run.awaitProgress(20);
            proxy.dropEvery(5, drops);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (proxy.commitsDropped() < drops && System.nanoTime() < deadline) {
                FaultRun.sleep(Duration.ofMillis(100));
            }
            run.log("commit proxy: " + proxy.describe());
            assertThat(proxy.commitsDropped()).as("COMMITs dropped after forwarding; " + proxy.describe())
                    .isEqualTo(drops);
            run.awaitProgress(20);
            run.finish();
        }
    }

    @Test
    void answersTheNextRequestOfThePartitionWithinSecondsAfterRecordsThatFailAfterTheDatabaseCommit()
            throws Exception {
        try (FaultRun run = FaultRun.begin("late-poison", 7007, broker.bootstrapServers(), postgres.createDatabase(),
                SIZE)) {
            Workload workload = run.workload();
            byte[] hugeKey = hugeKey(run, workload);
            int hugeKeyPartition = KafkaTestClient.partitionOf(hugeKey, FaultRun.PARTITIONS);
            // Three partitions, one poison each: a partition stalled by one cannot hide whether another recovers.
            String ancientOrganization = organizationOutside(List.of(hugeKeyPartition));
            String hugeGarbageOrganization = organizationOutside(List.of(hugeKeyPartition,
                    partitionOf(ancientOrganization)));

            run.fleet().start(1);
            run.startStream();
            run.awaitProgress(50);

            Map<String, String> followers = new LinkedHashMap<>();
            // A valid request from the year 1000: its end-to-end latency overflows a nanosecond count.
            run.stream().send(unassignment("r-ancient-" + run.groupId(), ancientOrganization, 2,
                    Instant.parse("1000-01-01T00:00:00Z")));
            followers.put("outcome_wait_after_a_request_from_the_year_1000",
                    send(run, unassignment("r-after-ancient-" + run.groupId(), ancientOrganization, 3, Instant.now())));
            // An undecodable record just under the broker's limit: dead-lettered whole, it would not fit.
            run.stream().sendGarbage(hugeGarbageOrganization, hugeGarbage(run.groupId()));
            followers.put("outcome_wait_after_an_undecodable_1mb_record",
                    send(run, unassignment("r-after-huge-garbage-" + run.groupId(), hugeGarbageOrganization, 4,
                            Instant.now())));
            // A valid request under a 1 MB key: its outcome, echoing the key, would not fit.
            run.stream().send(workload.assignmentInQuietOrganization("r-huge-key-" + run.groupId(), 0,
                    ChannelType.MAILBOX, Instant.now()), hugeKey);
            AssignmentRequest afterHugeKey = workload.assignmentInQuietOrganization("r-after-huge-key-"
                    + run.groupId(), 1, ChannelType.PHONE_NUMBER, Instant.now());
            run.stream().send(afterHugeKey, hugeKey);
            followers.put("outcome_wait_after_a_request_with_a_1mb_key", afterHugeKey.requestId());
            run.count("records_failing_after_commit");
            run.count("records_failing_after_commit");
            run.count("records_failing_after_commit");

            Map<String, String> waits = awaitOutcomes(run, followers, FOLLOWER_OUTCOME_LIMIT);
            run.log("followers: " + waits);
            waits.forEach(run::figure);
            assertThat(waits).as("the request behind each poison record answered within %s",
                    FOLLOWER_OUTCOME_LIMIT).allSatisfy((follower, wait) -> assertThat(wait).doesNotContain("none"));
            run.awaitProgress(20);
            run.finish();
        }
    }

    @Test
    void appliesNothingTwiceWhenTheOffsetsGoBackToTheEarliestAfterTheIdempotencyRecordsWerePurged()
            throws Exception {
        try (FaultRun run = FaultRun.begin("retention-reset", 8008, broker.bootstrapServers(),
                postgres.createDatabase(), SIZE, List.of())) {
            // The stream re-sends earlier requests; with a 1 s retention a re-send would rightly be applied as new,
            // so the short retention starts only once the stream has been answered.
            run.fleet().start(1);
            run.startStream();
            run.awaitProgress(20);
            run.endStream();
            run.awaitDrained();
            run.fleet().setArguments(List.of("--channel-assignment.retention.idempotency-records=1s",
                    "--channel-assignment.retention.purge-interval=1s"));
            long stored = idempotencyRecords(run);
            run.figure("idempotency_records_purged", stored);
            assertThat(stored).as("idempotency records before the purge").isPositive();
            run.fleet().start(1);
            awaitIdempotencyRecordsPurged(run, Duration.ofSeconds(60));
            run.settle("stream answered, idempotency records purged");

            int partitions = KafkaTestClient.resetGroupToEarliest(run.bootstrapServers(), run.groupId(),
                    run.requestsTopic(), Duration.ofSeconds(60));
            run.log("offsets of %s reset to the earliest on %d partitions".formatted(run.groupId(), partitions));
            run.count("offset_resets_to_earliest");
            int outcomesBeforeReset = run.check().outcomesSeen();
            // Undecodable records and requests without a usable organization have no idempotency record: each is
            // dead-lettered or refused again.
            run.check().garbageRedelivered();
            run.check().unrecordableRedelivered();
            run.fleet().start(1);
            int fresh = 0;
            for (ChannelType type : ChannelType.values()) {
                for (int agent = 0; agent < 5; agent++) {
                    run.stream().send(run.workload().assignmentInQuietOrganization(
                            "r-fresh-%s-%d-%s".formatted(type, agent, run.groupId()), agent, type, Instant.now()));
                    fresh++;
                }
            }
            run.figureAtEnd("outcomes_after_offset_reset", () -> run.check().outcomesSeen() - outcomesBeforeReset);
            run.figure("fresh_requests_after_offset_reset", fresh);
            run.finishAfterRedelivery("after the offset reset to the earliest, plus fresh requests");
        }
    }

    @Test
    void answersEveryRequestInEachOfTwoDeploymentsThatConsumeOneTopicWithTheirOwnGroupIds() throws Exception {
        // Each deployment answering only its share of the partitions shows after the drain; a minute is plenty.
        FaultSuiteSize size = SIZE.withDrainTimeout(Duration.ofSeconds(60));
        try (FaultRun first = FaultRun.begin("deployment-a", 9009, broker.bootstrapServers(),
                postgres.createDatabase(), size);
                FaultRun second = FaultRun.alongside(first, "deployment-b", postgres.createDatabase(), List.of())) {
            first.fleet().start(1);
            second.fleet().start(1);
            first.startStream();
            first.awaitProgress(20);
            second.awaitProgress(20);
            assertAll(first::finish, second::finish,
                    () -> assertConsumedToTheEndByItsOwnGroup(first),
                    () -> assertConsumedToTheEndByItsOwnGroup(second));
        }
    }

    private static void assertConsumedToTheEndByItsOwnGroup(FaultRun run) {
        assertThat(KafkaTestClient.committedOffsets(run.bootstrapServers(), run.groupId(), run.requestsTopic()))
                .as("committed offsets of group %s on %s; groups on the broker: %s", run.groupId(),
                        run.requestsTopic(), KafkaTestClient.consumerGroups(run.bootstrapServers()))
                .isEqualTo(KafkaTestClient.endOffsets(run.bootstrapServers(), run.requestsTopic()));
    }

    /** Waits until the workers' purge has emptied the idempotency table. */
    private static void awaitIdempotencyRecordsPurged(FaultRun run, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left = idempotencyRecords(run); left > 0; left = idempotencyRecords(run)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("%d idempotency records left after %s of purging".formatted(left, timeout));
            }
            FaultRun.sleep(Duration.ofMillis(200));
        }
        run.log("idempotency records purged: processed_requests is empty");
    }

    private static long idempotencyRecords(FaultRun run) {
        return run.jdbc().queryForObject("SELECT count(*) FROM processed_requests", Long.class);
    }

    /** How long each follower waited for its outcome, or "none within" the limit. */
    private static Map<String, String> awaitOutcomes(FaultRun run, Map<String, String> followers, Duration limit) {
        Map<String, String> waits = new LinkedHashMap<>();
        long started = System.nanoTime();
        while (waits.size() < followers.size() && System.nanoTime() - started < limit.toNanos()) {
            followers.forEach((follower, requestId) -> {
                if (!waits.containsKey(follower) && run.check().outcomesFor(requestId) > 0) {
                    waits.put(follower, "%.1f s".formatted((System.nanoTime() - started) / 1e9));
                }
            });
            FaultRun.sleep(Duration.ofMillis(50));
        }
        followers.keySet().forEach(follower -> waits.putIfAbsent(follower, "none within " + limit.toSeconds() + " s"));
        return waits;
    }

    private static String send(FaultRun run, AssignmentRequest request) {
        run.stream().send(request);
        return request.requestId();
    }

    /** An unassignment of agent {@code agent}'s mailbox: valid, and harmless to the rest of the stream. */
    private static AssignmentRequest unassignment(String requestId, String organization, int agent,
            Instant requestedAt) {
        return new AssignmentRequest(requestId, organization, "agent-" + agent, Operation.UNASSIGN,
                ChannelType.MAILBOX, null, requestedAt, "late-poison");
    }

    /** As large as a request under it may be and still fit the broker's limit; unique to the run. */
    private static byte[] hugeKey(FaultRun run, Workload workload) {
        int valueSize = run.stream().encode(workload.assignmentInQuietOrganization("r-after-huge-key-"
                + run.groupId(), 1, ChannelType.PHONE_NUMBER, Instant.now())).length;
        byte[] key = new byte[BROKER_MESSAGE_MAX_BYTES - RECORD_FRAMING_ALLOWANCE - valueSize];
        Arrays.fill(key, (byte) 'k');
        byte[] prefix = ("huge-key-" + run.groupId() + "-").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(prefix, 0, key, 0, prefix.length);
        return key;
    }

    private static byte[] hugeGarbage(String run) {
        byte[] value = new byte[BROKER_MESSAGE_MAX_BYTES - RECORD_FRAMING_ALLOWANCE - 64];
        Arrays.fill(value, (byte) 'g');
        byte[] prefix = ("not a request: huge garbage of " + run + " ").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(prefix, 0, value, 0, prefix.length);
        return value;
    }

    private static int partitionOf(String organization) {
        return KafkaTestClient.partitionOf(organization.getBytes(StandardCharsets.UTF_8), FaultRun.PARTITIONS);
    }

    /** The first stream organization whose partition is none of {@code taken}. */
    private static String organizationOutside(List<Integer> taken) {
        for (int i = 0; ; i++) {
            String organization = Workload.organization(i);
            if (!taken.contains(partitionOf(organization))) {
                return organization;
            }
        }
    }
}
