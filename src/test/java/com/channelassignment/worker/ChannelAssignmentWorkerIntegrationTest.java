package com.channelassignment.worker;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.AssignmentRequests.anUnassignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.kafka.consume.AssignmentRequestListener;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.kafka.avro.IdentityStatus;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.kafka.avro.RejectionCode;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.KafkaTestClient;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The whole path: an encoded request on the topic, the outcome read with read_committed, the database state. */
class ChannelAssignmentWorkerIntegrationTest extends SpringWorkerHarness {

    @Test
    void answersTheFirstRuleARequestBreaksInTheRulesOrderEvenWithoutAUsableRequestId() {
        // No organization (403 in the API's order) and an empty request_id (422): the organization comes first.
        String correlationId = "order-check-" + UUID.randomUUID();
        ChannelAssignmentRequest request = anAssignment().withRequestId("").inOrganization(null)
                .forHandle("anyone").ofMailbox(UUID.randomUUID()).withCorrelationId(correlationId).buildWire();

        kafka().send(requestsTopic, "no-organization", contract.encodeRequest(request));

        List<ChannelAssignmentOutcome> outcomes = kafka().readUntil(outcomesTopic, true,
                all -> all.stream().anyMatch(r -> correlationId.equals(KafkaTestClient.header(r, "correlation_id"))),
                Duration.ofSeconds(60), Duration.ofMillis(500)).stream()
                .filter(r -> correlationId.equals(KafkaTestClient.header(r, "correlation_id")))
                .map(r -> contract.decodeOutcome(r.value())).toList();
        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
            assertThat(outcome.getRejection().getCode()).isEqualTo(RejectionCode.ORGANIZATION_MISSING);
            assertThat(outcome.getRejection().getHttpStatus()).isEqualTo(403);
        });
    }

    @Test
    void consumesAsTheConsumerGroupItIsConfiguredWithNotAsItsListenerId() throws Exception {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("grouped");
        Mailbox mailbox = directory.mailbox();
        directory.publishTo(worker());
        ChannelAssignmentRequest request = anAssignment().inOrganization(directory.organizationId())
                .forHandle("grouped").ofMailbox(mailbox.id()).buildWire();
        send(request);
        onlyOutcomeFor(request.getRequestId());

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestServices.kafkaBootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed.keySet()).extracting(TopicPartition::topic).contains(requestsTopic);
            assertThat(admin.listConsumerGroupOffsets(AssignmentRequestListener.DEFAULT_LISTENER_ID)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).keySet())
                    .extracting(TopicPartition::topic).doesNotContain(requestsTopic);
        }
    }

    @Test
    void assignsMailboxAndPublishesOutcomeWithIdentityDetail() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("sales-agent");
        Mailbox mailbox = directory.mailbox();
        PhoneNumber phone = directory.phoneNumber();
        directory.linked(agent, phone);
        directory.publishTo(worker());

        ChannelAssignmentRequest request = anAssignment().inOrganization(directory.organizationId())
                .forHandle("@sales-agent").ofMailbox(mailbox.id()).buildWire();
        send(request);

        ConsumerRecord<byte[], byte[]> record = outcomeRecordsFor(request.getRequestId()).get(0);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(directory.organizationId());
        assertThat(KafkaTestClient.header(record, "correlation_id")).isEqualTo(request.getCorrelationId());
        ChannelAssignmentOutcome outcome = onlyOutcomeFor(request.getRequestId());
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(outcome.getChanged()).isTrue();
        assertThat(outcome.getRejection()).isNull();
        assertThat(outcome.getCorrelationId()).isEqualTo(request.getCorrelationId());
        assertThat(outcome.getChannelId()).isEqualTo(mailbox.id().toString());
        assertThat(outcome.getIdentity().getId()).isEqualTo(agent.id().toString());
        assertThat(outcome.getIdentity().getAgentHandle()).isEqualTo("sales-agent");
        assertThat(outcome.getIdentity().getStatus()).isEqualTo(IdentityStatus.active);
        assertThat(outcome.getIdentity().getMailbox().getEmailAddress()).isEqualTo(mailbox.emailAddress());
        assertThat(outcome.getIdentity().getPhoneNumber().getNumber()).isEqualTo(phone.number());
        assertThat(outcome.getIdentity().getUpdatedAt()).isAfter(agent.updatedAt());
        assertThat(holderOf(mailbox.id())).isEqualTo(agent.id());
    }

    @Test
    void republishesStoredOutcomeForDuplicateRequest() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("support");
        Mailbox mailbox = directory.mailbox();
        directory.publishTo(worker());
        ChannelAssignmentRequest request = anAssignment().inOrganization(directory.organizationId())
                .forHandle("support").ofMailbox(mailbox.id()).buildWire();

        send(request);
        ChannelAssignmentOutcome first = onlyOutcomeFor(request.getRequestId());
        ChannelAssignmentRequest resent = ChannelAssignmentRequest.newBuilder(request)
                .setRequestedAt(request.getRequestedAt().plusSeconds(30)).build();
        send(resent);

        List<ConsumerRecord<byte[], byte[]>> records = kafka().readUntil(outcomesTopic, true,
                all -> all.stream().filter(r -> request.getRequestId().equals(KafkaTestClient.header(r,
                        "request_id"))).count() >= 2, Duration.ofSeconds(60), Duration.ofMillis(750))
                .stream().filter(r -> request.getRequestId().equals(KafkaTestClient.header(r, "request_id")))
                .toList();
        assertThat(records).hasSize(2);
        assertThat(records.get(1).value()).isEqualTo(records.get(0).value());
        assertThat(first.getChanged()).isTrue();
        assertThat(holderOf(mailbox.id())).isEqualTo(agent.id());
        assertThat(processedCount(request.getRequestId())).isEqualTo(1);
    }

    @Test
    void rejectsReusedIdempotencyKeyWithoutTouchingState() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("billing");
        Mailbox first = directory.mailbox();
        Mailbox second = directory.mailbox();
        directory.publishTo(worker());
        String requestId = "req-" + UUID.randomUUID();
        send(anAssignment().withRequestId(requestId).inOrganization(directory.organizationId())
                .forHandle("billing").ofMailbox(first.id()).buildWire());
        ChannelAssignmentOutcome original = onlyOutcomeFor(requestId);

        send(anUnassignment().withRequestId(requestId).inOrganization(directory.organizationId())
                .forHandle("billing").buildWire());
        List<ChannelAssignmentOutcome> outcomes = waitForOutcomes(requestId, 2);

        ChannelAssignmentOutcome reuse = outcomes.get(1);
        assertThat(reuse.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(reuse.getRejection().getCode()).isEqualTo(RejectionCode.IDEMPOTENCY_KEY_REUSED);
        assertThat(reuse.getRejection().getHttpStatus()).isEqualTo(422);
        assertThat(reuse.getEventId()).isNotEqualTo(original.getEventId());
        assertThat(holderOf(first.id())).isEqualTo(agent.id());
        assertThat(holderOf(second.id())).isNull();
        assertThat(jdbc.queryForObject("SELECT event_id::text FROM processed_requests WHERE request_id = ?",
                String.class, requestId)).isEqualTo(original.getEventId());
    }

    @Test
    void rejectsAssignmentOfAnotherOrganizationsMailboxLikeAMissingOne() {
        DirectoryFixture ours = new DirectoryFixture();
        ours.identity("sales-agent");
        ours.publishTo(worker());
        DirectoryFixture theirs = new DirectoryFixture();
        Mailbox foreign = theirs.mailbox();
        theirs.publishTo(worker());
        UUID missing = UUID.randomUUID();

        ChannelAssignmentRequest crossOrganization = anAssignment().inOrganization(ours.organizationId())
                .forHandle("sales-agent").ofMailbox(foreign.id()).buildWire();
        ChannelAssignmentRequest nonexistent = anAssignment().inOrganization(ours.organizationId())
                .forHandle("sales-agent").ofMailbox(missing).buildWire();
        send(crossOrganization);
        send(nonexistent);

        ChannelAssignmentOutcome crossOutcome = onlyOutcomeFor(crossOrganization.getRequestId());
        ChannelAssignmentOutcome missingOutcome = onlyOutcomeFor(nonexistent.getRequestId());
        assertThat(crossOutcome.getRejection().getCode()).isEqualTo(RejectionCode.CHANNEL_NOT_FOUND);
        assertThat(crossOutcome.getRejection().getHttpStatus()).isEqualTo(404);
        assertThat(crossOutcome.getRejection().getMessage())
                .isEqualTo(missingOutcome.getRejection().getMessage().replace(missing.toString(),
                        foreign.id().toString()));
        assertThat(crossOutcome.getIdentity()).isNull();
        assertThat(holderOf(foreign.id())).isNull();
    }

    @Test
    void unassigningReleasesTheChannelForAnotherIdentityAndIsIdempotent() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity first = directory.identity("first");
        Identity second = directory.identity("second");
        PhoneNumber phone = directory.phoneNumber();
        directory.linked(first, phone);
        directory.publishTo(worker());

        ChannelAssignmentRequest release = anUnassignment().inOrganization(directory.organizationId())
                .forHandle("first").ofType(ChannelType.PHONE_NUMBER).buildWire();
        ChannelAssignmentRequest releaseAgain = anUnassignment().inOrganization(directory.organizationId())
                .forHandle("first").ofType(ChannelType.PHONE_NUMBER).buildWire();
        ChannelAssignmentRequest reassign = anAssignment().inOrganization(directory.organizationId())
                .forHandle("second").ofPhoneNumber(phone.id()).buildWire();
        send(release);
        send(releaseAgain);
        send(reassign);

        ChannelAssignmentOutcome released = onlyOutcomeFor(release.getRequestId());
        assertThat(released.getStatus()).isEqualTo(OutcomeStatus.UNASSIGNED);
        assertThat(released.getChanged()).isTrue();
        assertThat(released.getChannelId()).isEqualTo(phone.id().toString());
        assertThat(released.getIdentity().getPhoneNumber()).isNull();
        ChannelAssignmentOutcome noop = onlyOutcomeFor(releaseAgain.getRequestId());
        assertThat(noop.getStatus()).isEqualTo(OutcomeStatus.UNASSIGNED);
        assertThat(noop.getChanged()).isFalse();
        assertThat(noop.getChannelId()).isNull();
        assertThat(onlyOutcomeFor(reassign.getRequestId()).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(holderOf(phone.id())).isEqualTo(second.id());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM phone_numbers WHERE id = ?", Integer.class,
                phone.id())).isEqualTo(1);
    }

    @Test
    void exactlyOneOfTwoIdentitiesRacingForOneChannelWins() {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("left");
        directory.identity("right");
        Mailbox contested = directory.mailbox();
        directory.publishTo(worker());
        ChannelAssignmentRequest left = anAssignment().inOrganization(directory.organizationId())
                .forHandle("left").ofMailbox(contested.id()).buildWire();
        ChannelAssignmentRequest right = anAssignment().inOrganization(directory.organizationId())
                .forHandle("right").ofMailbox(contested.id()).buildWire();
        // Different keys put the two requests on different partitions, handled by different consumer threads.
        kafka().send(requestsTopic, "left-key", contract.encodeRequest(left));
        kafka().send(requestsTopic, "right-key-2", contract.encodeRequest(right));

        List<ChannelAssignmentOutcome> outcomes = outcomesFor(left.getRequestId(), right.getRequestId());
        assertThat(outcomes).hasSize(2);
        assertThat(outcomes).filteredOn(o -> o.getStatus() == OutcomeStatus.ASSIGNED).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o.getStatus() == OutcomeStatus.REJECTED)
                .singleElement()
                .satisfies(o -> assertThat(o.getRejection().getCode())
                        .isEqualTo(RejectionCode.CHANNEL_ALREADY_ASSIGNED));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE channel_id = ?",
                Integer.class, contested.id())).isEqualTo(1);
    }

    @Test
    void deadLettersGarbageWithItsOriginalBytesAndKeepsThePartitionFlowing() {
        DirectoryFixture directory = new DirectoryFixture();
        directory.identity("after-garbage");
        Mailbox mailbox = directory.mailbox();
        directory.publishTo(worker());
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        String key = directory.organizationId();

        kafka().send(requestsTopic, key, garbage);
        ChannelAssignmentRequest valid = anAssignment().inOrganization(directory.organizationId())
                .forHandle("after-garbage").ofMailbox(mailbox.id()).buildWire();
        send(valid);

        assertThat(onlyOutcomeFor(valid.getRequestId()).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        List<ConsumerRecord<byte[], byte[]>> deadLetters = kafka().readUntil(deadLetterTopic, true,
                all -> all.stream().anyMatch(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8))),
                Duration.ofSeconds(30), Duration.ofMillis(500)).stream()
                .filter(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8))).toList();
        assertThat(deadLetters).hasSize(1);
        ConsumerRecord<byte[], byte[]> deadLetter = deadLetters.get(0);
        assertThat(deadLetter.value()).isEqualTo(garbage);
        assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-exception-fqcn"))
                .endsWith("UndecodableRecordException");
        assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-original-topic")).isEqualTo(requestsTopic);
        assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-exception-message")).contains("not a channel");
    }

    @Test
    void deadLettersAPoisonRecordAfterBoundedAttemptsAndAppliesTheRestOfItsBatchOnce() {
        // A constraint the rules know nothing about: PostgreSQL refuses to record any request id starting "poison-".
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.request_id LIKE 'poison-%' THEN
                        RAISE EXCEPTION 'request % is poison', NEW.request_id USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                END $$""");
        jdbc.execute("DROP TRIGGER IF EXISTS refuse_poison ON processed_requests");
        jdbc.execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON processed_requests FOR EACH ROW "
                + "EXECUTE FUNCTION refuse_poison()");
        DirectoryFixture directory = new DirectoryFixture();
        Identity before = directory.identity("before");
        Identity after = directory.identity("after");
        directory.identity("poisoned");
        Mailbox first = directory.mailbox();
        Mailbox second = directory.mailbox();
        Mailbox third = directory.mailbox();
        directory.publishTo(worker());
        String organization = directory.organizationId();
        ChannelAssignmentRequest healthyBefore = anAssignment().inOrganization(organization).forHandle("before")
                .ofMailbox(first.id()).buildWire();
        ChannelAssignmentRequest poison = anAssignment().withRequestId("poison-" + UUID.randomUUID())
                .inOrganization(organization).forHandle("poisoned").ofMailbox(second.id()).buildWire();
        ChannelAssignmentRequest healthyAfter = anAssignment().inOrganization(organization).forHandle("after")
                .ofMailbox(third.id()).buildWire();

        kafka().sendTogether(requestsTopic, organization, List.of(contract.encodeRequest(healthyBefore),
                contract.encodeRequest(poison), contract.encodeRequest(healthyAfter)));

        assertThat(onlyOutcomeFor(healthyBefore.getRequestId()).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(onlyOutcomeFor(healthyAfter.getRequestId()).getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(holderOf(first.id())).isEqualTo(before.id());
        assertThat(holderOf(third.id())).isEqualTo(after.id());
        assertThat(holderOf(second.id())).as("the poison's effects rolled back").isNull();
        assertThat(processedCount(healthyBefore.getRequestId()) + processedCount(healthyAfter.getRequestId()))
                .isEqualTo(2);
        List<ConsumerRecord<byte[], byte[]>> deadLetters = kafka().readUntil(deadLetterTopic, true,
                all -> all.stream().anyMatch(r -> organization.equals(new String(r.key(), StandardCharsets.UTF_8))),
                Duration.ofSeconds(60), Duration.ofMillis(500)).stream()
                .filter(r -> organization.equals(new String(r.key(), StandardCharsets.UTF_8))).toList();
        assertThat(deadLetters).singleElement().satisfies(deadLetter -> {
            assertThat(deadLetter.value()).isEqualTo(contract.encodeRequest(poison));
            assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-exception-fqcn"))
                    .isEqualTo("org.springframework.dao.DataIntegrityViolationException");
            assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-exception-message")).contains("is poison");
            assertThat(KafkaTestClient.header(deadLetter, "kafka_dlt-original-topic")).isEqualTo(requestsTopic);
            assertThat(deadLetter.headers().lastHeader("kafka_dlt-original-partition")).isNotNull();
            assertThat(deadLetter.headers().lastHeader("kafka_dlt-original-offset")).isNotNull();
        });
    }

    private List<ChannelAssignmentOutcome> waitForOutcomes(String requestId, int count) {
        return kafka().readUntil(outcomesTopic, true,
                all -> all.stream().filter(r -> requestId.equals(KafkaTestClient.header(r, "request_id")))
                        .count() >= count, Duration.ofSeconds(60), Duration.ofMillis(750))
                .stream().filter(r -> requestId.equals(KafkaTestClient.header(r, "request_id")))
                .map(r -> contract.decodeOutcome(r.value())).toList();
    }

    private UUID holderOf(UUID channelId) {
        return jdbc.query("SELECT identity_id FROM channel_assignments WHERE channel_id = ?",
                rs -> rs.next() ? rs.getObject(1, UUID.class) : null, channelId);
    }

    private int processedCount(String requestId) {
        return jdbc.queryForObject("SELECT count(*) FROM processed_requests WHERE request_id = ?", Integer.class,
                requestId);
    }
}
