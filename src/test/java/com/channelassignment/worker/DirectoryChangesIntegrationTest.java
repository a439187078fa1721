package com.channelassignment.worker;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.ChannelChange;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.PhoneNumberType;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.RejectionCode;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.data.DirectoryPublisher;
import com.channelassignment.worker.testing.data.Workload;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Directory changes on the requests topic, through the real consumer on a real broker and PostgreSQL: a request
 * produced after the change it depends on was acknowledged is decided against it; older and repeated changes change
 * nothing; deleting what is assigned ends its links and tells listeners with an UNASSIGNED outcome.
 */
class DirectoryChangesIntegrationTest extends SpringWorkerHarness {

    private static final Instant CREATED = Instant.parse("2026-01-15T10:00:00Z").truncatedTo(ChronoUnit.MILLIS);

    @Test
    void neverRejectsARequestProducedAfterTheChangesThatCreatedItsIdentityAndMailbox() {
        int organizations = 40;
        int rounds = 1_000;
        List<String> orgs = new ArrayList<>();
        for (int i = 0; i < organizations; i++) {
            orgs.add("org-race-" + i + "-" + UUID.randomUUID().toString().substring(0, 6));
        }
        List<String> requestIds = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            String org = orgs.get(round % organizations);
            Identity identity = identity(org, "agent-" + round);
            Mailbox mailbox = mailbox(org, false);
            // Each send waits for the broker's acknowledgement: the request is produced after both changes were.
            sendChange(new IdentityChange(UUID.randomUUID().toString(), 1, identity));
            sendChange(new ChannelChange(UUID.randomUUID().toString(), 1, mailbox));
            String requestId = "race-" + round;
            send(anAssignment().withRequestId(requestId).inOrganization(org).forHandle(identity.agentHandle())
                    .ofMailbox(mailbox.id()).buildWire());
            requestIds.add(requestId);
        }

        Map<String, ChannelAssignmentOutcome> outcomes = outcomesFor(requestIds.toArray(String[]::new)).stream()
                .collect(Collectors.toMap(ChannelAssignmentOutcome::getRequestId, Function.identity()));

        assertThat(outcomes).hasSize(rounds);
        assertThat(outcomes.values()).allSatisfy(outcome -> assertThat(outcome.getStatus())
                .as("%s: %s", outcome.getRequestId(), outcome.getRejection()).isEqualTo(OutcomeStatus.ASSIGNED));
        assertThat(KafkaTestClient.endOffsets(TestServices.kafkaBootstrapServers(), requestsTopic).values().stream()
                .filter(end -> end > 0).count()).as("partitions the stream used").isGreaterThan(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE organization_id LIKE ?",
                Integer.class, "org-race-%")).isEqualTo(rounds);
    }

    @Test
    void olderAndRepeatedChangesChangeNothing() {
        String org = organization();
        Identity original = identity(org, "old-handle");
        Identity renamed = new Identity(original.id(), org, "new-handle", IdentityStatus.ACTIVE, CREATED,
                CREATED.plusSeconds(60));
        Mailbox mailbox = mailbox(org, false);
        IdentityChange rename = new IdentityChange("rename-" + org, 2, renamed);

        sendChange(rename);
        sendChange(new IdentityChange("create-" + org, 1, original));
        sendChange(rename);
        sendChange(new ChannelChange("mailbox-" + org, 1, mailbox));
        send(assign(org, "by-old-handle", "old-handle", mailbox));
        send(assign(org, "by-new-handle", "new-handle", mailbox));

        assertThat(onlyOutcomeFor("by-old-handle").getRejection().getCode())
                .isEqualTo(RejectionCode.IDENTITY_NOT_FOUND);
        assertThat(onlyOutcomeFor("by-new-handle").getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(jdbc.queryForMap("SELECT agent_handle, version FROM identities WHERE organization_id = ?", org))
                .containsEntry("agent_handle", "new-handle").containsEntry("version", 2L);
    }

    @Test
    void deletingAnAssignedIdentityEndsItsLinksAndPublishesAnUnassignedOutcomeForEach() {
        String org = organization();
        Identity agent = identity(org, "leaver");
        Mailbox mailbox = mailbox(org, false);
        PhoneNumber number = phoneNumber(org, PhoneNumberStatus.ACTIVE);
        sendChange(new IdentityChange(UUID.randomUUID().toString(), 1, agent));
        sendChange(new ChannelChange(UUID.randomUUID().toString(), 1, mailbox));
        sendChange(new ChannelChange(UUID.randomUUID().toString(), 1, number));
        send(assign(org, "leaver-mailbox", "leaver", mailbox));
        send(anAssignment().withRequestId("leaver-number").inOrganization(org).forHandle("leaver")
                .ofPhoneNumber(number.id()).buildWire());
        assertThat(onlyOutcomeFor("leaver-number").getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        String deletionId = "delete-" + org;
        DirectoryChange deletion = new IdentityChange(deletionId, 2, new Identity(agent.id(), org, "leaver",
                IdentityStatus.DELETED, CREATED, CREATED.plusSeconds(120)));

        sendChange(deletion);
        List<ChannelAssignmentOutcome> ended = outcomesFor(deletionId);

        assertThat(ended).hasSize(2).allSatisfy(outcome -> {
            assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.UNASSIGNED);
            assertThat(outcome.getChanged()).isTrue();
            assertThat(outcome.getIdentity().getStatus().name()).isEqualTo("deleted");
            assertThat(outcome.getIdentity().getMailbox()).isNull();
            assertThat(outcome.getIdentity().getPhoneNumber()).isNull();
        });
        assertThat(ended).extracting(ChannelAssignmentOutcome::getChannelId)
                .containsExactlyInAnyOrder(mailbox.id().toString(), number.id().toString());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE organization_id = ?",
                Integer.class, org)).isZero();

        sendChange(deletion);
        send(assign(org, "leaver-again", "leaver", mailbox));
        assertThat(onlyOutcomeFor("leaver-again").getRejection().getCode())
                .isEqualTo(RejectionCode.IDENTITY_NOT_FOUND);
        List<ChannelAssignmentOutcome> replayed = outcomesFor(deletionId);
        assertThat(replayed).as("the repeated deletion publishes its stored outcomes again").hasSize(4)
                .extracting(ChannelAssignmentOutcome::getEventId).containsOnly(
                        ended.get(0).getEventId(), ended.get(1).getEventId());
    }

    @Test
    void deletingAnAssignedMailboxOrReleasingANumberEndsThatLinkAndFreesNothingElse() {
        String org = organization();
        Identity agent = identity(org, "keeper");
        Mailbox mailbox = mailbox(org, false);
        PhoneNumber number = phoneNumber(org, PhoneNumberStatus.ACTIVE);
        sendChange(new IdentityChange(UUID.randomUUID().toString(), 1, agent));
        sendChange(new ChannelChange(UUID.randomUUID().toString(), 1, mailbox));
        sendChange(new ChannelChange(UUID.randomUUID().toString(), 1, number));
        send(assign(org, "keeper-mailbox", "keeper", mailbox));
        send(anAssignment().withRequestId("keeper-number").inOrganization(org).forHandle("keeper")
                .ofPhoneNumber(number.id()).buildWire());
        assertThat(onlyOutcomeFor("keeper-number").getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);

        sendChange(new ChannelChange("delete-mailbox-" + org, 2, new Mailbox(mailbox.id(), org,
                mailbox.emailAddress(), null, true, CREATED, CREATED.plusSeconds(60))));
        ChannelAssignmentOutcome mailboxGone = onlyOutcomeFor("delete-mailbox-" + org);
        assertThat(mailboxGone.getStatus()).isEqualTo(OutcomeStatus.UNASSIGNED);
        assertThat(mailboxGone.getChannelId()).isEqualTo(mailbox.id().toString());
        assertThat(mailboxGone.getIdentity().getStatus().name()).isEqualTo("active");
        assertThat(mailboxGone.getIdentity().getMailbox()).isNull();
        assertThat(mailboxGone.getIdentity().getPhoneNumber().getId()).isEqualTo(number.id().toString());

        sendChange(new ChannelChange("release-number-" + org, 2, new PhoneNumber(number.id(), org, number.number(),
                number.numberType(), PhoneNumberStatus.RELEASED, CREATED, CREATED.plusSeconds(90))));
        ChannelAssignmentOutcome numberGone = onlyOutcomeFor("release-number-" + org);
        assertThat(numberGone.getChannelId()).isEqualTo(number.id().toString());
        assertThat(numberGone.getIdentity().getPhoneNumber()).isNull();

        send(assign(org, "keeper-deleted-mailbox", "keeper", mailbox));
        assertThat(onlyOutcomeFor("keeper-deleted-mailbox").getRejection().getCode())
                .isEqualTo(RejectionCode.CHANNEL_NOT_FOUND);
        assertThat(jdbc.queryForObject("SELECT status FROM identities WHERE organization_id = ?", String.class, org))
                .isEqualTo("active");
    }

    @Test
    void deadLettersAChangeThatWouldGiveAHandleToTwoLiveIdentitiesAndOneThatCannotBeStored() {
        String org = organization();
        sendChange(new IdentityChange(UUID.randomUUID().toString(), 1, identity(org, "taken")));
        byte[] secondHolder = contract.encodeChange(new IdentityChange("second-holder-" + org, 1,
                identity(org, "taken")));
        byte[] notAUuid = contract.encodeChange(com.channelassignment.worker.kafka.avro.DirectoryChange.newBuilder(
                        com.channelassignment.worker.contract.AvroContract.toAvro(new ChannelChange("bad-" + org, 1,
                                mailbox(org, false))))
                .setEntry(new com.channelassignment.worker.kafka.avro.MailboxState("not-a-uuid", "x@y.test", null,
                        false, CREATED))
                .build());
        kafka().send(requestsTopic, org, secondHolder);
        kafka().send(requestsTopic, org, notAUuid);
        send(assign(org, "after-dead-letters", "taken", mailbox(org, false)));

        assertThat(onlyOutcomeFor("after-dead-letters").getRejection().getCode())
                .isEqualTo(RejectionCode.CHANNEL_NOT_FOUND);
        List<ConsumerRecord<byte[], byte[]>> deadLetters = kafka().readUntil(deadLetterTopic, true,
                records -> records.stream().filter(record -> org.equals(key(record))).count() >= 2,
                Duration.ofSeconds(30), Duration.ofMillis(500)).stream().filter(record -> org.equals(key(record)))
                .toList();
        assertThat(deadLetters).extracting(record -> KafkaTestClient.header(record, "kafka_dlt-exception-fqcn"))
                .containsExactlyInAnyOrder("com.channelassignment.worker.kafka.consume.RefusedDirectoryChangeException",
                        "com.channelassignment.worker.contract.UndecodableRecordException");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM identities WHERE organization_id = ?", Integer.class,
                org)).isEqualTo(1);
    }

    @Test
    void loadsAWholeDirectoryPublishedAsChangesAndDecidesAgainstIt() {
        Workload workload = new Workload(7, 30, 4);
        DirectoryPublisher.Published published = DirectoryPublisher.publish(TestServices.kafkaBootstrapServers(),
                requestsTopic, workload.directory(), 1);
        String org = Workload.organization(29);
        Identity agent = workload.directory().identities().stream().filter(i -> i.organizationId().equals(org))
                .findFirst().orElseThrow();
        Mailbox mailbox = workload.directory().channels().stream().filter(Mailbox.class::isInstance)
                .map(Mailbox.class::cast).filter(m -> m.organizationId().equals(org)).findFirst().orElseThrow();

        String requestId = "after-load-" + UUID.randomUUID();
        send(assign(org, requestId, agent.agentHandle(), mailbox));

        assertThat(published.changes()).isEqualTo(workload.directory().identities().size()
                + workload.directory().channels().size());
        assertThat(onlyOutcomeFor(requestId).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        String[] organizations = workload.directory().identities().stream().map(Identity::organizationId).distinct()
                .toArray(String[]::new);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM identities WHERE organization_id = ANY (?) AND version = 1",
                Integer.class, (Object) organizations)).isEqualTo(workload.directory().identities().size());
    }

    private void sendChange(DirectoryChange change) {
        kafka().send(requestsTopic, change.organizationId(), contract.encodeChange(change));
    }

    private static ChannelAssignmentRequest assign(String org, String requestId, String handle, Mailbox mailbox) {
        return anAssignment().withRequestId(requestId).inOrganization(org).forHandle(handle).ofMailbox(mailbox.id())
                .buildWire();
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String organization() {
        return "org-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Identity identity(String org, String handle) {
        return new Identity(UUID.randomUUID(), org, handle, IdentityStatus.ACTIVE, CREATED, CREATED);
    }

    private static Mailbox mailbox(String org, boolean deleted) {
        UUID id = UUID.randomUUID();
        return new Mailbox(id, org, "box-" + id.toString().substring(0, 8) + "@" + org + ".test", "Agent", deleted,
                CREATED, CREATED);
    }

    private static PhoneNumber phoneNumber(String org, PhoneNumberStatus status) {
        return new PhoneNumber(UUID.randomUUID(), org, "+18335550100", PhoneNumberType.LOCAL, status, CREATED,
                CREATED);
    }
}
