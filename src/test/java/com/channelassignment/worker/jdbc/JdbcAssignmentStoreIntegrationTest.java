package com.channelassignment.worker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.application.BatchLookups;
import com.channelassignment.worker.application.BatchWrites;
import com.channelassignment.worker.application.ChannelRef;
import com.channelassignment.worker.domain.ChannelLink;
import com.channelassignment.worker.application.ConcurrentRequestException;
import com.channelassignment.worker.application.DirectoryRows;
import com.channelassignment.worker.application.IdentityKey;
import com.channelassignment.worker.application.LoadedBatch;
import com.channelassignment.worker.application.PartitionRef;
import com.channelassignment.worker.application.ProcessedRequest;
import com.channelassignment.worker.application.RecordPosition;
import com.channelassignment.worker.application.RequestKey;
import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.PhoneNumberType;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.LockWaits;
import com.channelassignment.worker.testing.services.TestServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The store on a real PostgreSQL, where the use case's tests cannot force the timing. */
class JdbcAssignmentStoreIntegrationTest {

    private DriverManagerDataSource dataSource;
    private JdbcTemplate jdbc;
    private TransactionTemplate transactions;
    private JdbcAssignmentStore store;

    @BeforeEach
    void migratedDatabase() {
        TestServices.Database database = TestServices.createDatabase();
        Flyway.configure().dataSource(database.jdbcUrl(), database.username(), database.password()).load().migrate();
        dataSource = new DriverManagerDataSource(database.jdbcUrl(), database.username(), database.password());
        jdbc = new JdbcTemplate(dataSource);
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        store = new JdbcAssignmentStore(jdbc, Duration.ofSeconds(5), Duration.ofSeconds(15),
                Duration.ofSeconds(15));
    }

    @Test
    void aLinkCommittedWhileTheBatchWaitedForTheChannelsLockIsLoadedWithIt() throws Exception {
        DirectoryFixture directory = new DirectoryFixture();
        Identity holder = directory.identity("holder");
        Identity requester = directory.identity("requester");
        Mailbox mailbox = directory.mailbox();
        directory.loadWith(new JdbcDirectoryLoader(jdbc));

        // Another worker's batch holds the mailbox and links it; this batch's load waits for the mailbox while that
        // link is uncommitted, so only a read with a snapshot taken after the wait can see it.
        try (Connection otherBatch = dataSource.getConnection()) {
            otherBatch.setAutoCommit(false);
            try (PreparedStatement lock = otherBatch.prepareStatement(
                    "SELECT id FROM mailboxes WHERE id = ? FOR NO KEY UPDATE");
                    PreparedStatement link = otherBatch.prepareStatement("""
                            INSERT INTO channel_assignments (identity_id, organization_id, channel_type, channel_id,
                                                             assigned_at)
                            VALUES (?, ?, 'MAILBOX', ?, now())
                            """)) {
                lock.setObject(1, mailbox.id());
                lock.executeQuery().close();
                link.setObject(1, holder.id());
                link.setString(2, directory.organizationId());
                link.setObject(3, mailbox.id());
                link.executeUpdate();
            }
            CompletableFuture<LoadedBatch> loading = CompletableFuture.supplyAsync(() -> transactions.execute(
                    status -> store.lockAndLoad(new BatchLookups(new TreeSet<>(Set.of(new PartitionRef("requests", 0))), Map.of(),
                            Set.of(new IdentityKey(directory.organizationId(), "requester")),
                            Map.of(ChannelType.MAILBOX, Set.of(new ChannelRef(directory.organizationId(), mailbox.id()))),
                            Set.of()))));
            LockWaits.awaitSessionsWaitingForLocks(jdbc, 1);
            otherBatch.commit();

            DirectoryRows loaded = loading.get(15, TimeUnit.SECONDS).directory();
            assertThat(loaded.links()).containsExactly(new ChannelLink(holder.id(), directory.organizationId(),
                    ChannelType.MAILBOX, mailbox.id()));
            assertThat(loaded.identities()).extracting(Identity::id).containsExactly(requester.id());
            assertThat(loaded.channels()).extracting(Channel::id).containsExactly(mailbox.id());
        }
    }

    @Test
    void aFullBatchOfTheLongestHandlesAndIdsIsLoadedWhole() {
        // 500 requests whose handles and ids are as long as the rules allow, in two-byte characters: the largest
        // arrays a batch sends and the largest rows it reads back.
        DirectoryFixture directory = new DirectoryFixture();
        Set<IdentityKey> keys = new HashSet<>();
        Set<ChannelRef> mailboxes = new HashSet<>();
        Set<RequestKey> requestIds = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            String handle = "%03d".formatted(i) + "é".repeat(AssignmentRules.MAX_HANDLE_LENGTH - 3);
            Identity identity = directory.identity(handle);
            Mailbox mailbox = directory.mailbox();
            directory.linked(identity, mailbox);
            keys.add(new IdentityKey(directory.organizationId(), handle));
            mailboxes.add(new ChannelRef(directory.organizationId(), directory.mailbox().id()));
            requestIds.add(new RequestKey(directory.organizationId(),
                    "%03d".formatted(i) + "é".repeat(AssignmentRules.MAX_REQUEST_ID_LENGTH - 3)));
        }
        directory.loadWith(new JdbcDirectoryLoader(jdbc));

        LoadedBatch loaded = transactions.execute(
                status -> store.lockAndLoad(new BatchLookups(new TreeSet<>(Set.of(new PartitionRef("requests", 0))), Map.of(),
                        keys, Map.of(ChannelType.MAILBOX, mailboxes), requestIds)));

        assertThat(loaded.directory().identities()).extracting(Identity::agentHandle)
                .containsExactlyInAnyOrderElementsOf(keys.stream().map(IdentityKey::agentHandle).toList());
        assertThat(loaded.directory().links()).hasSize(500);
        assertThat(loaded.directory().channels()).as("the requested mailboxes and the held ones").hasSize(1000);
    }

    @Test
    void loadsTheRequestedAndTheHeldChannelsOfEveryTypeEachAsItsOwnType() {
        String organization = "org-" + UUID.randomUUID();
        Instant created = Instant.parse("2026-01-15T10:00:00Z");
        Instant updated = Instant.parse("2026-02-01T08:30:00.123456Z");
        Identity holder = new Identity(UUID.randomUUID(), organization, "holder", IdentityStatus.ACTIVE, created,
                updated);
        Mailbox heldMailbox = new Mailbox(UUID.randomUUID(), organization, "held@acme.test", null, false, created,
                updated);
        PhoneNumber heldPhone = new PhoneNumber(UUID.randomUUID(), organization, "+18005550100",
                PhoneNumberType.LOCAL, PhoneNumberStatus.PAUSED, created, updated);
        Mailbox requestedMailbox = new Mailbox(UUID.randomUUID(), organization, "gone@acme.test", "Gone", true,
                created, updated);
        PhoneNumber requestedPhone = new PhoneNumber(UUID.randomUUID(), organization, "+18335550100",
                PhoneNumberType.TOLL_FREE, PhoneNumberStatus.RELEASED, created, updated);
        List<ChannelLink> links = List.of(
                new ChannelLink(holder.id(), organization, ChannelType.MAILBOX, heldMailbox.id()),
                new ChannelLink(holder.id(), organization, ChannelType.PHONE_NUMBER, heldPhone.id()));
        new JdbcDirectoryLoader(jdbc).load(new DirectoryRows(List.of(holder),
                List.of(heldMailbox, heldPhone, requestedMailbox, requestedPhone), links));

        DirectoryRows loaded = transactions.execute(status -> store.lockAndLoad(new BatchLookups(
                new TreeSet<>(Set.of(new PartitionRef("requests", 0))), Map.of(),
                Set.of(new IdentityKey(organization, "holder")),
                Map.of(ChannelType.MAILBOX, Set.of(new ChannelRef(organization, requestedMailbox.id())),
                        ChannelType.PHONE_NUMBER, Set.of(new ChannelRef(organization, requestedPhone.id()))),
                Set.of()))).directory();

        assertThat(loaded.channels()).containsExactlyInAnyOrder(heldMailbox, heldPhone, requestedMailbox,
                requestedPhone);
        assertThat(loaded.links()).containsExactlyInAnyOrderElementsOf(links);
        assertThat(loaded.identities()).containsExactly(holder);
    }

    @Test
    void savingARequestIdRecordedSinceTheBatchLookedFailsAsConcurrentAndWritesNothing() {
        String requestId = "req-" + UUID.randomUUID();
        ProcessedRequest recordedByOtherWorker = rejected(requestId, "other-request",
                new RecordPosition("requests", 1, 7));
        transactions.executeWithoutResult(status -> store.save(writes(recordedByOtherWorker)));

        // This batch found nothing for the id before the other worker committed; it also records a second request.
        ProcessedRequest sameId = rejected(requestId, "this-request", new RecordPosition("requests", 0, 3));
        ProcessedRequest fresh = rejected("req-" + UUID.randomUUID(), "this-request",
                new RecordPosition("requests", 0, 4));
        assertThatThrownBy(() -> transactions.executeWithoutResult(status -> store.save(writes(sameId, fresh))))
                .isInstanceOf(ConcurrentRequestException.class)
                .hasMessageContaining(requestId);

        assertThat(jdbc.queryForList("SELECT correlation_id FROM processed_requests", String.class))
                .as("the other worker's record stays, and nothing of the failed batch is left")
                .containsExactly("other-request");
    }

    private static ProcessedRequest rejected(String requestId, String correlationId, RecordPosition position) {
        return new ProcessedRequest(new RequestKey("org-store-test", requestId), new byte[] {1}, UUID.randomUUID(), OutcomeStatus.REJECTED,
                RejectionCode.IDENTITY_NOT_FOUND, correlationId, new byte[] {2}, position, Instant.now());
    }

    private static BatchWrites writes(ProcessedRequest... requests) {
        return new BatchWrites(List.of(requests), Set.of(), Set.of(), List.of(), Map.of(), Instant.now());
    }
}
