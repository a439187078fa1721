package com.channelassignment.worker;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.AssignmentRequests.anUnassignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.RejectionCode;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Two organizations that share a handle, an identity id, a mailbox id and their idempotency keys, through the real
 * consumer: each is answered as if the other did not exist, and nothing of one shows in the other's outcomes, headers,
 * INFO log lines or metrics.
 */
@ExtendWith(OutputCaptureExtension.class)
class TenantIsolationIntegrationTest extends SpringWorkerHarness {

    private static final String HANDLE = "support-bot";

    @Autowired
    MeterRegistry meters;

    /** One organization's side of the test: its directory and its view of the shared ids. */
    private record Tenant(DirectoryFixture directory, Identity agent, Mailbox mailbox) {

        String organizationId() {
            return directory.organizationId();
        }
    }

    @Test
    void theSameRequestIdInTwoOrganizationsIsTwoRequestsEachAppliedOnceAndReplayedOnItsOwn() {
        UUID sharedIdentityId = UUID.randomUUID();
        UUID sharedMailboxId = UUID.randomUUID();
        Tenant acme = tenant(sharedIdentityId, sharedMailboxId);
        Tenant globex = tenant(sharedIdentityId, sharedMailboxId);
        String requestId = "order-" + UUID.randomUUID().toString().substring(0, 8);

        ChannelAssignmentRequest acmeRequest = assignment(acme, requestId);
        send(acmeRequest);
        assertThat(outcomesOf(acme, requestId, 1)).singleElement()
                .satisfies(outcome -> assertAssignedTo(outcome, acme));
        ChannelAssignmentRequest globexRequest = assignment(globex, requestId);
        send(globexRequest);
        send(acmeRequest);
        send(globexRequest);

        List<ChannelAssignmentOutcome> acmeOutcomes = outcomesOf(acme, requestId, 2);
        List<ChannelAssignmentOutcome> globexOutcomes = outcomesOf(globex, requestId, 2);
        assertThat(acmeOutcomes).allSatisfy(outcome -> assertAssignedTo(outcome, acme));
        assertThat(globexOutcomes).allSatisfy(outcome -> assertAssignedTo(outcome, globex));
        assertThat(acmeOutcomes).extracting(ChannelAssignmentOutcome::getEventId).as("the duplicate is a replay")
                .containsOnly(acmeOutcomes.get(0).getEventId());
        assertThat(globexOutcomes).extracting(ChannelAssignmentOutcome::getEventId).as("the duplicate is a replay")
                .containsOnly(globexOutcomes.get(0).getEventId())
                .doesNotContain(acmeOutcomes.get(0).getEventId());
        assertThat(jdbc.queryForList("SELECT organization_id FROM processed_requests WHERE request_id = ?",
                String.class, requestId)).containsExactlyInAnyOrder(acme.organizationId(), globex.organizationId());
    }

    @Test
    void theSameRequestIdSentByTwoOrganizationsAtOnceIsAppliedForEach() {
        UUID sharedIdentityId = UUID.randomUUID();
        UUID sharedMailboxId = UUID.randomUUID();
        Tenant acme = tenant(sharedIdentityId, sharedMailboxId);
        Tenant globex = tenant(sharedIdentityId, sharedMailboxId);
        String requestId = "order-" + UUID.randomUUID().toString().substring(0, 8);

        // One producer batch, so both are in flight together and usually in one poll.
        kafka().sendTogether(requestsTopic, acme.organizationId(),
                List.of(contract.encodeRequest(assignment(acme, requestId))));
        kafka().sendTogether(requestsTopic, globex.organizationId(),
                List.of(contract.encodeRequest(assignment(globex, requestId))));

        assertThat(outcomesOf(acme, requestId, 1)).singleElement()
                .satisfies(outcome -> assertAssignedTo(outcome, acme));
        assertThat(outcomesOf(globex, requestId, 1)).singleElement()
                .satisfies(outcome -> assertAssignedTo(outcome, globex));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE channel_id = ?",
                Integer.class, sharedMailboxId)).as("each organization's mailbox linked").isEqualTo(2);
    }

    @Test
    void aKeyReusedWithinOneOrganizationIsRejectedWithoutTouchingTheOtherOrganizationsUseOfIt() {
        Tenant acme = tenant(UUID.randomUUID(), UUID.randomUUID());
        Tenant globex = tenant(UUID.randomUUID(), UUID.randomUUID());
        String requestId = "order-" + UUID.randomUUID().toString().substring(0, 8);
        send(assignment(acme, requestId));
        outcomesOf(acme, requestId, 1);

        send(anUnassignment().withRequestId(requestId).inOrganization(acme.organizationId()).forHandle(HANDLE)
                .buildWire());
        send(anUnassignment().withRequestId(requestId).inOrganization(globex.organizationId()).forHandle(HANDLE)
                .buildWire());

        assertThat(outcomesOf(acme, requestId, 2)).last().satisfies(outcome -> {
            assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
            assertThat(outcome.getRejection().getCode()).isEqualTo(RejectionCode.IDEMPOTENCY_KEY_REUSED);
        });
        assertThat(outcomesOf(globex, requestId, 1)).singleElement()
                .satisfies(outcome -> assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.UNASSIGNED));
    }

    @Test
    void nothingOfOneOrganizationShowsInTheOthersOutcomesHeadersLogsOrMetrics(CapturedOutput output) {
        UUID sharedIdentityId = UUID.randomUUID();
        UUID sharedMailboxId = UUID.randomUUID();
        Tenant acme = tenant(sharedIdentityId, sharedMailboxId);
        Tenant globex = tenant(sharedIdentityId, sharedMailboxId);
        String requestId = "order-" + UUID.randomUUID().toString().substring(0, 8);
        String acmeCorrelation = "acme-only-" + UUID.randomUUID();
        send(anAssignment().withRequestId(requestId).inOrganization(acme.organizationId()).forHandle(HANDLE)
                .ofMailbox(sharedMailboxId).withCorrelationId(acmeCorrelation).buildWire());
        outcomesOf(acme, requestId, 1);

        // globex asks for the same mailbox id, which acme's agent holds in acme; and reuses acme's key.
        send(anAssignment().withRequestId(requestId).inOrganization(globex.organizationId()).forHandle(HANDLE)
                .ofMailbox(sharedMailboxId).buildWire());

        List<ConsumerRecord<byte[], byte[]>> globexRecords = outcomeRecordsOf(globex, requestId, 1);
        assertThat(globexRecords).singleElement().satisfies(record -> {
            ChannelAssignmentOutcome outcome = contract.decodeOutcome(record.value());
            assertAssignedTo(outcome, globex);
            assertThat(outcome.toString()).doesNotContain(acme.organizationId())
                    .doesNotContain(acme.mailbox().emailAddress()).doesNotContain(acmeCorrelation);
            record.headers().forEach(header -> assertThat(new String(header.value(), StandardCharsets.UTF_8))
                    .doesNotContain(acme.organizationId()).doesNotContain(acmeCorrelation));
        });
        assertThat(output.getOut().lines().filter(line -> line.contains(" INFO ")))
                .noneMatch(line -> line.contains(acme.organizationId()) || line.contains(globex.organizationId())
                        || line.contains(acme.mailbox().emailAddress()) || line.contains(acmeCorrelation));
        assertThat(meters.getMeters()).flatExtracting(meter -> meter.getId().getTags()).extracting(Tag::getValue)
                .doesNotContain(acme.organizationId(), globex.organizationId(), requestId, HANDLE);
        assertThat(meters.getMeters()).extracting(Meter::getId).isNotEmpty();
    }

    private Tenant tenant(UUID identityId, UUID mailboxId) {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity(identityId, HANDLE, IdentityStatus.ACTIVE);
        Mailbox mailbox = directory.mailbox(mailboxId, directory.organizationId(), false);
        directory.publishTo(worker());
        return new Tenant(directory, agent, mailbox);
    }

    private static ChannelAssignmentRequest assignment(Tenant tenant, String requestId) {
        return anAssignment().withRequestId(requestId).inOrganization(tenant.organizationId()).forHandle(HANDLE)
                .ofMailbox(tenant.mailbox().id()).buildWire();
    }

    private static void assertAssignedTo(ChannelAssignmentOutcome outcome, Tenant tenant) {
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(outcome.getOrganizationId()).isEqualTo(tenant.organizationId());
        assertThat(outcome.getIdentity().getOrganizationId()).isEqualTo(tenant.organizationId());
        assertThat(outcome.getIdentity().getMailbox().getEmailAddress()).isEqualTo(tenant.mailbox().emailAddress());
    }

    /** The first {@code count} committed outcomes for the request id that belong to the tenant (keyed by it). */
    private List<ChannelAssignmentOutcome> outcomesOf(Tenant tenant, String requestId, int count) {
        return outcomeRecordsOf(tenant, requestId, count).stream()
                .map(record -> contract.decodeOutcome(record.value())).toList();
    }

    private List<ConsumerRecord<byte[], byte[]>> outcomeRecordsOf(Tenant tenant, String requestId, int count) {
        byte[] key = tenant.organizationId().getBytes(StandardCharsets.UTF_8);
        List<ConsumerRecord<byte[], byte[]>> mine = kafka().readUntil(outcomesTopic, true,
                records -> records.stream().filter(record -> isFor(record, key, requestId)).count() >= count,
                Duration.ofSeconds(60), Duration.ofMillis(500)).stream()
                .filter(record -> isFor(record, key, requestId)).toList();
        assertThat(mine).as("outcomes of %s for %s", tenant.organizationId(), requestId).hasSize(count);
        return mine;
    }

    private static boolean isFor(ConsumerRecord<byte[], byte[]> record, byte[] key, String requestId) {
        return Arrays.equals(record.key(), key) && requestId.equals(KafkaTestClient.header(record,
                "request_id"));
    }
}
