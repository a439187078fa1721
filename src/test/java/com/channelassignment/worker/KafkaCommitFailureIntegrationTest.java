package com.channelassignment.worker;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.OutcomeStatus;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.FencingProducerInterceptor;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The database commits, then the Kafka transaction fails because the producer was fenced. The records come back, the
 * idempotency record turns the request into a replay, and readers see exactly one outcome: the original one.
 */
class KafkaCommitFailureIntegrationTest extends SpringWorkerHarness {

    @DynamicPropertySource
    static void fencingInterceptor(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.producer.properties.interceptor.classes",
                FencingProducerInterceptor.class::getName);
        registry.add("channel-assignment.retry.initial-interval", () -> "50ms");
    }

    @Test
    void publishesExactlyOneOutcomeAndAppliesOnceWhenTheKafkaTransactionFailsAfterTheDatabaseCommit() {
        DirectoryFixture directory = new DirectoryFixture();
        Identity agent = directory.identity("fenced-agent");
        Mailbox mailbox = directory.mailbox();
        directory.publishTo(worker());
        ChannelAssignmentRequest request = anAssignment().inOrganization(directory.organizationId())
                .forHandle("fenced-agent").ofMailbox(mailbox.id()).buildWire();

        FencingProducerInterceptor.arm(request.getRequestId());
        send(request);

        ChannelAssignmentOutcome outcome = onlyOutcomeFor(request.getRequestId());
        assertThat(FencingProducerInterceptor.sendsFor(request.getRequestId()))
                .as("the first publication was fenced and the request was delivered again")
                .isGreaterThanOrEqualTo(2);
        // A second decision would say changed=false (already assigned); the replay carries the original decision.
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.ASSIGNED);
        assertThat(outcome.getChanged()).isTrue();
        assertThat(outcome.getEventId()).isEqualTo(jdbc.queryForObject(
                "SELECT event_id::text FROM processed_requests WHERE request_id = ?", String.class,
                request.getRequestId()));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM processed_requests WHERE request_id = ?",
                Integer.class, request.getRequestId())).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT identity_id FROM channel_assignments WHERE channel_id = ?",
                UUID.class, mailbox.id())).isEqualTo(agent.id());
    }
}
