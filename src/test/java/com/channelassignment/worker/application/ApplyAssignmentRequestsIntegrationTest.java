package com.channelassignment.worker.application;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.jdbc.JdbcAssignmentStore;
import com.channelassignment.worker.jdbc.JdbcDirectoryLoader;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.LockWaits;
import com.channelassignment.worker.testing.services.TestServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The batch use case on a real PostgreSQL, without Kafka: concurrent batches from different partitions or workers,
 * and a zombie's late batch. Each batch gets its own connection, as in separate worker instances.
 */
class ApplyAssignmentRequestsIntegrationTest {

    private static DriverManagerDataSource dataSource;
    private static JdbcTemplate jdbc;
    private static ApplyAssignmentRequests applyRequests;
    private static JdbcDirectoryLoader loader;

    @BeforeAll
    static void migratedDatabase() {
        TestServices.Database database = TestServices.createDatabase();
        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load().migrate();
        dataSource = new DriverManagerDataSource(database.jdbcUrl(), database.username(),
                database.password());
        jdbc = new JdbcTemplate(dataSource);
        loader = new JdbcDirectoryLoader(jdbc);
        applyRequests = new ApplyAssignmentRequests(
                new JdbcAssignmentStore(jdbc, Duration.ofSeconds(5), Duration.ofSeconds(15),
                        Duration.ofSeconds(15)), new AvroContract()::encodeOutcome,
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), Clock.systemUTC());
    }

    @Test
    void exactlyOneOfTwoConcurrentBatchesWinsEachContestedChannel() throws Exception {
        for (int round = 0; round < 10; round++) {
            DirectoryFixture directory = new DirectoryFixture();
            List<AssignmentRequest> left = new ArrayList<>();
            List<AssignmentRequest> right = new ArrayList<>();
            List<Mailbox> contested = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Mailbox mailbox = directory.mailbox();
                contested.add(mailbox);
                directory.identity("left-" + i);
                directory.identity("right-" + i);
                left.add(assign(directory.organizationId(), "left-" + i, mailbox.id()));
                right.add(assign(directory.organizationId(), "right-" + i, mailbox.id()));
            }
            directory.loadWith(loader);
            // Each round is a new stretch of log: offsets are never reused within a topic.
            String topic = "contested-" + UUID.randomUUID();

            CyclicBarrier start = new CyclicBarrier(2);
            CompletableFuture<AppliedBatch> leftBatch = CompletableFuture.supplyAsync(
                    () -> awaitThen(start, () -> applyRetrying(batch(topic, 0, left))));
            CompletableFuture<AppliedBatch> rightBatch = CompletableFuture.supplyAsync(
                    () -> awaitThen(start, () -> applyRetrying(batch(topic, 1, right))));

            List<PublishableOutcome> outcomes = new ArrayList<>(leftBatch.get().outcomes());
            outcomes.addAll(rightBatch.get().outcomes());
            assertThat(outcomes).filteredOn(o -> o.status() == OutcomeStatus.ASSIGNED).hasSize(20);
            assertThat(outcomes).filteredOn(o -> o.status() == OutcomeStatus.REJECTED)
                    .hasSize(20)
                    .allSatisfy(o -> assertThat(o.rejectionCode()).isEqualTo(RejectionCode.CHANNEL_ALREADY_ASSIGNED));
            for (Mailbox mailbox : contested) {
                assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE channel_id = ?",
                        Integer.class, mailbox.id())).isEqualTo(1);
            }
        }
    }

    @Test
    void batchesNamingTheSameIdentitiesInOppositeOrdersDoNotDeadlock() throws Exception {
        DirectoryFixture directory = new DirectoryFixture();
        List<AssignmentRequest> forwards = new ArrayList<>();
        List<AssignmentRequest> backwards = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            directory.identity("agent-" + i);
            forwards.add(assign(directory.organizationId(), "agent-" + i, directory.mailbox().id()));
            backwards.add(0, assign(directory.organizationId(), "agent-" + i, directory.mailbox().id()));
        }
        directory.loadWith(loader);

        // Another transaction holds the identity in the middle, so both batches are waiting, each holding what it
        // locked before, when it lets go. Locking in request order, each would then hold identities the other needs.
        try (Connection blocker = dataSource.getConnection()) {
            blocker.setAutoCommit(false);
            try (PreparedStatement lock = blocker.prepareStatement(
                    "SELECT id FROM identities WHERE organization_id = ? AND agent_handle = 'agent-10' FOR UPDATE")) {
                lock.setString(1, directory.organizationId());
                lock.executeQuery().close();
            }
            String topic = "opposite-orders-" + UUID.randomUUID();
            CompletableFuture<AppliedBatch> forwardBatch = CompletableFuture.supplyAsync(
                    () -> applyRetrying(batch(topic, 0, forwards)));
            CompletableFuture<AppliedBatch> backwardBatch = CompletableFuture.supplyAsync(
                    () -> applyRetrying(batch(topic, 1, backwards)));
            LockWaits.awaitSessionsWaitingForLocks(jdbc, 2);
            blocker.commit();

            // PostgreSQL ends a deadlock by failing one of the batches, which applyRetrying rethrows.
            List<PublishableOutcome> outcomes = new ArrayList<>(forwardBatch.get().outcomes());
            outcomes.addAll(backwardBatch.get().outcomes());
            assertThat(outcomes).filteredOn(o -> o.status() == OutcomeStatus.ASSIGNED).hasSize(20);
            assertThat(outcomes).filteredOn(o -> o.status() == OutcomeStatus.REJECTED)
                    .hasSize(20)
                    .allSatisfy(o -> assertThat(o.rejectionCode()).isEqualTo(RejectionCode.IDENTITY_CHANNEL_OCCUPIED));
        }
    }

    @Test
    void aRequestIdAnotherTransactionRecordsWhileTheBatchWritesFailsTheBatchOnceAndTheRetryReplaysIt()
            throws Exception {
        // The request names an identity that does not exist, so it locks no identity row that a second copy would
        // queue behind: only the idempotency record's key meets the other transaction.
        AssignmentRequest unowned = new AssignmentRequest("req-" + UUID.randomUUID(), "org-" + UUID.randomUUID(),
                "nobody", Operation.ASSIGN, ChannelType.MAILBOX, UUID.randomUUID().toString(), Instant.now(), null);
        byte[] storedOutcome = {7, 7, 7};
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement record = other.prepareStatement("""
                    INSERT INTO processed_requests (organization_id, request_id, fingerprint, event_id, status,
                                                    rejection_code, outcome, source_topic, source_partition,
                                                    source_offset, processed_at)
                    VALUES (?, ?, ?, ?, 'REJECTED', 'IDENTITY_NOT_FOUND', ?, 'elsewhere', 3, 0, now())
                    """)) {
                record.setString(1, unowned.organizationId());
                record.setString(2, unowned.requestId());
                record.setBytes(3, unowned.contentFingerprint());
                record.setObject(4, UUID.randomUUID());
                record.setBytes(5, storedOutcome);
                record.executeUpdate();
            }
            AtomicInteger attempts = new AtomicInteger();
            CompletableFuture<AppliedBatch> batch = CompletableFuture.supplyAsync(() -> applyRetrying(
                    batch("unowned-" + UUID.randomUUID(), 0, List.of(unowned)), attempts));
            // The batch found no record, and its insert now waits for the other transaction's uncommitted key.
            LockWaits.awaitSessionsWaitingForLocks(jdbc, 1);
            other.commit();

            PublishableOutcome outcome = batch.get().outcomes().get(0);
            assertThat(attempts).as("the first attempt failed on the key, the retry replayed").hasValue(2);
            assertThat(outcome.replay()).isTrue();
            assertThat(outcome.payload()).isEqualTo(storedOutcome);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM processed_requests WHERE request_id = ?",
                Integer.class, unowned.requestId())).isEqualTo(1);
    }

    @Test
    void theSameRequestRacingOnTwoPartitionsIsAppliedOnceAndReplayedOnce() throws Exception {
        for (int round = 0; round < 10; round++) {
            DirectoryFixture directory = new DirectoryFixture();
            directory.identity("agent");
            Mailbox mailbox = directory.mailbox();
            directory.loadWith(loader);
            AssignmentRequest request = assign(directory.organizationId(), "agent", mailbox.id());
            String topic = "racing-" + UUID.randomUUID();

            CyclicBarrier start = new CyclicBarrier(2);
            CompletableFuture<AppliedBatch> first = CompletableFuture.supplyAsync(
                    () -> awaitThen(start, () -> applyRetrying(batch(topic, 0, List.of(request)))));
            CompletableFuture<AppliedBatch> second = CompletableFuture.supplyAsync(
                    () -> awaitThen(start, () -> applyRetrying(batch(topic, 1, List.of(request)))));

            PublishableOutcome a = first.get().outcomes().get(0);
            PublishableOutcome b = second.get().outcomes().get(0);
            assertThat(List.of(a.replay(), b.replay())).containsExactlyInAnyOrder(true, false);
            assertThat(a.payload()).isEqualTo(b.payload());
            assertThat(jdbc.queryForObject("SELECT count(*) FROM processed_requests WHERE request_id = ?",
                    Integer.class, request.requestId())).isEqualTo(1);
        }
    }

    @Test
    void aZombiesLateBatchReplaysWhatTheNewOwnerCommittedInsteadOfApplyingItAgain() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("agent");
        Mailbox mailbox = directory.mailbox();
        directory.loadWith(loader);
        String topic = "zombie-" + UUID.randomUUID();
        AssignmentRequest assignment = assign(directory.organizationId(), "agent", mailbox.id());
        AssignmentRequest release = unassign(directory.organizationId(), "agent");

        // The new owner of the partition applies offsets 0 (assign) and 1 (unassign) and commits.
        applyRequests.apply(batch(topic, 0, List.of(assignment, release)), Map.of());
        // The zombie, paused before its database transaction, wakes up and commits its copy of offset 0.
        AppliedBatch late = applyRequests.apply(batch(topic, 0, List.of(assignment)), Map.of());

        assertThat(late.alreadyCommittedRequests()).isEqualTo(1);
        assertThat(late.outcomes()).singleElement().satisfies(outcome -> assertThat(outcome.replay()).isTrue());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE identity_id = ?",
                Integer.class, agent.id())).as("the unassignment at offset 1 stays the last word").isZero();
        assertThat(jdbc.queryForObject(
                "SELECT next_offset FROM partition_progress WHERE topic = ? AND partition_number = 0",
                Long.class, topic)).isEqualTo(2L);
    }

    @Test
    void skipsARedeliveryBelowTheCommittedProgressOnceItsIdempotencyRecordIsPurged() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("agent");
        Mailbox mailbox = directory.mailbox();
        directory.loadWith(loader);
        String topic = "purged-" + UUID.randomUUID();
        AssignmentRequest assignment = assign(directory.organizationId(), "agent", mailbox.id());
        AssignmentRequest release = unassign(directory.organizationId(), "agent");
        AssignmentRequest unusableKey = new AssignmentRequest("", directory.organizationId(), "agent",
                Operation.ASSIGN, ChannelType.MAILBOX, mailbox.id().toString(), Instant.now(), null);
        applyRequests.apply(batch(topic, 0, List.of(assignment, release, unusableKey)), Map.of(topic, "topic-id-1"));
        purgeIdempotencyRecords(assignment, release);

        // An offset reset to the earliest offset delivers all three again.
        AppliedBatch redelivered = applyRequests.apply(batch(topic, 0, List.of(assignment, release, unusableKey)),
                Map.of(topic, "topic-id-1"));

        assertThat(redelivered.skipped()).containsExactly(new RecordPosition(topic, 0, 0),
                new RecordPosition(topic, 0, 1));
        assertThat(redelivered.outcomes()).as("never recorded, so answered on every delivery, with no effect")
                .singleElement().satisfies(outcome -> {
                    assertThat(outcome.position()).isEqualTo(new RecordPosition(topic, 0, 2));
                    assertThat(outcome.rejectionCode()).isEqualTo(RejectionCode.INVALID_REQUEST);
                });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE identity_id = ?",
                Integer.class, agent.id())).as("the assignment is not applied a second time").isZero();
    }

    @Test
    void appliesTheRecordsOfATopicCreatedAgainUnderTheSameNameFromItsFirstOffset() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("agent");
        Mailbox first = directory.mailbox();
        Mailbox second = directory.mailbox();
        directory.loadWith(loader);
        String topic = "recreated-" + UUID.randomUUID();
        AssignmentRequest old = assign(directory.organizationId(), "agent", first.id());
        AssignmentRequest release = unassign(directory.organizationId(), "agent");
        applyRequests.apply(batch(topic, 0, List.of(old, release)), Map.of(topic, "deleted-topic-id"));

        AppliedBatch fresh = applyRequests.apply(batch(topic, 0, List.of(assign(directory.organizationId(),
                "agent", second.id()))), Map.of(topic, "new-topic-id"));

        assertThat(fresh.skipped()).isEmpty();
        assertThat(fresh.outcomes()).singleElement()
                .satisfies(outcome -> assertThat(outcome.status()).isEqualTo(OutcomeStatus.ASSIGNED));
        assertThat(jdbc.queryForObject("SELECT channel_id FROM channel_assignments WHERE identity_id = ?",
                UUID.class, agent.id())).isEqualTo(second.id());
        assertThat(jdbc.queryForObject("SELECT next_offset FROM partition_progress WHERE topic = ? "
                + "AND partition_number = 0", Long.class, topic)).isEqualTo(1L);
    }

    @Test
    void keepsProgressRecordedBeforeTopicIdsWereKnownWhenTheTopicIdArrives() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("agent");
        Mailbox mailbox = directory.mailbox();
        directory.loadWith(loader);
        String topic = "adopted-" + UUID.randomUUID();
        AssignmentRequest assignment = assign(directory.organizationId(), "agent", mailbox.id());
        AssignmentRequest release = unassign(directory.organizationId(), "agent");
        applyRequests.apply(batch(topic, 0, List.of(assignment, release)), Map.of());
        purgeIdempotencyRecords(assignment, release);

        AppliedBatch redelivered = applyRequests.apply(batch(topic, 0, List.of(assignment)),
                Map.of(topic, "topic-id-1"));

        assertThat(redelivered.skipped()).containsExactly(new RecordPosition(topic, 0, 0));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE identity_id = ?",
                Integer.class, agent.id())).isZero();
        assertThat(jdbc.queryForObject("SELECT topic_id FROM partition_progress WHERE topic = ? "
                + "AND partition_number = 0", String.class, topic)).isEqualTo("topic-id-1");
    }

    @Test
    void aRecordAppliedInIsolationLeavesItsPartitionsProgressForThePoisonBesideItToBeDecidedAgain() {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("agent");
        Mailbox mailbox = directory.mailbox();
        directory.loadWith(loader);
        String topic = "isolated-" + UUID.randomUUID();
        AssignmentRequest healthy = assign(directory.organizationId(), "agent", mailbox.id());

        AppliedBatch applied = applyRequests.applyIsolated(
                new IncomingRequest(new RecordPosition(topic, 0, 7), healthy), Map.of(topic, "topic-id"));

        assertThat(applied.outcomes()).singleElement()
                .satisfies(outcome -> assertThat(outcome.status()).isEqualTo(OutcomeStatus.ASSIGNED));
        // Offsets 0 to 6 may hold a poison record whose dead letter is not committed yet: progress stays behind it.
        assertThat(jdbc.queryForObject("SELECT next_offset FROM partition_progress WHERE topic = ? "
                + "AND partition_number = 0", Long.class, topic)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM processed_requests WHERE request_id = ?",
                Integer.class, healthy.requestId())).as("guarded by its own idempotency record").isEqualTo(1);
    }

    @Test
    void aRequestWithoutOrganizationIsRefusedTheSameWayOnEveryDeliveryAndNeverRecorded() {
        // An empty request_id too: the rules' order says the missing organization is what the caller hears first.
        AssignmentRequest unowned = new AssignmentRequest("", null, "agent", Operation.ASSIGN, ChannelType.MAILBOX,
                UUID.randomUUID().toString(), Instant.now(), null);
        AssignmentRequest keyed = new AssignmentRequest("req-" + UUID.randomUUID(), " ", "agent", Operation.ASSIGN,
                ChannelType.MAILBOX, UUID.randomUUID().toString(), Instant.now(), null);
        String topic = "unowned-" + UUID.randomUUID();

        AppliedBatch first = applyRequests.apply(batch(topic, 0, List.of(unowned, keyed)), Map.of());
        AppliedBatch again = applyRequests.apply(batch(topic, 0, List.of(unowned, keyed)), Map.of());

        for (AppliedBatch applied : List.of(first, again)) {
            assertThat(applied.skipped()).isEmpty();
            assertThat(applied.outcomes()).extracting(PublishableOutcome::rejectionCode)
                    .containsExactly(RejectionCode.ORGANIZATION_MISSING, RejectionCode.ORGANIZATION_MISSING);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM processed_requests WHERE request_id IN ('', ?)",
                Integer.class, keyed.requestId())).isZero();
    }

    private static void purgeIdempotencyRecords(AssignmentRequest... requests) {
        for (AssignmentRequest request : requests) {
            jdbc.update("DELETE FROM processed_requests WHERE request_id = ?", request.requestId());
        }
    }

    private static AssignmentRequest assign(String organizationId, String handle, UUID mailboxId) {
        return new AssignmentRequest("req-" + UUID.randomUUID(), organizationId, handle, Operation.ASSIGN,
                ChannelType.MAILBOX, mailboxId.toString(), Instant.now(), null);
    }

    private static AssignmentRequest unassign(String organizationId, String handle) {
        return new AssignmentRequest("req-" + UUID.randomUUID(), organizationId, handle, Operation.UNASSIGN,
                ChannelType.MAILBOX, null, Instant.now(), null);
    }

    private static List<IncomingRequest> batch(String topic, int partition, List<AssignmentRequest> requests) {
        List<IncomingRequest> batch = new ArrayList<>();
        for (int offset = 0; offset < requests.size(); offset++) {
            batch.add(new IncomingRequest(new RecordPosition(topic, partition, offset), requests.get(offset)));
        }
        return batch;
    }

    /** What the listener container does with a transient failure: roll back and apply the same batch again. */
    private static AppliedBatch applyRetrying(List<IncomingRequest> batch) {
        return applyRetrying(batch, new AtomicInteger());
    }

    private static AppliedBatch applyRetrying(List<IncomingRequest> batch, AtomicInteger attempts) {
        for (int attempt = 1; ; attempt++) {
            attempts.set(attempt);
            try {
                return applyRequests.apply(batch, Map.of());
            } catch (ConcurrentRequestException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static <T> T awaitThen(CyclicBarrier barrier, java.util.function.Supplier<T> action) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return action.get();
    }
}
