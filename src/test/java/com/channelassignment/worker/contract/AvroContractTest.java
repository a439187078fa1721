package com.channelassignment.worker.contract;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.contract.UndecodableRecordException;
import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.AssignmentRequests.anUnassignment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityDetail;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.Outcome;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.PhoneNumberType;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AvroContractTest {

    private static final Instant REQUESTED_AT = Instant.parse("2025-01-15T10:15:30.123Z");
    private static final Instant PROCESSED_AT = Instant.parse("2025-01-15T10:15:30.456Z");
    private static final Instant CREATED_AT = Instant.parse("2024-06-01T08:00:00Z");
    private static final Instant UPDATED_AT = Instant.parse("2025-01-15T10:15:30.456Z");
    private static final String CHANNEL_ID = "3f2b8c1e-9d4a-4e7b-8a61-0c5d2e7f9b34";

    /** A request schema as an earlier producer might have had it: before correlation_id was added. */
    private static final Schema REQUEST_SCHEMA_WITHOUT_CORRELATION_ID = new Schema.Parser().parse("""
            {
              "type": "record",
              "name": "ChannelAssignmentRequest",
              "namespace": "com.channelassignment.worker.kafka.avro",
              "fields": [
                {"name": "request_id", "type": "string"},
                {"name": "organization_id", "type": ["null", "string"], "default": null},
                {"name": "agent_handle", "type": "string"},
                {"name": "operation", "type": {"type": "enum", "name": "Operation", "symbols": ["ASSIGN", "UNASSIGN"]}},
                {"name": "channel_type",
                 "type": {"type": "enum", "name": "ChannelType", "symbols": ["MAILBOX", "PHONE_NUMBER"]}},
                {"name": "channel_id", "type": ["null", "string"], "default": null},
                {"name": "requested_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
              ]
            }
            """);

    private final AvroContract contract = new AvroContract();

    @Test
    void readsBackTheRequestItWrote() {
        byte[] bytes = contract.encodeRequest(aRequest().build());

        AssignmentRequest decoded = contract.decodeRequest(bytes);

        assertThat(decoded).isEqualTo(new AssignmentRequest("req-42", "org-abc123", "@sales-bot", Operation.ASSIGN,
                ChannelType.PHONE_NUMBER, CHANNEL_ID, REQUESTED_AT, "workflow-7"));
    }

    @Test
    void readsBackARequestWithOnlyTheRequiredFields() {
        ChannelAssignmentRequest request = aRequest()
                .setOrganizationId(null)
                .setOperation(com.channelassignment.worker.kafka.avro.Operation.UNASSIGN)
                .setChannelId(null)
                .setCorrelationId(null)
                .build();

        AssignmentRequest decoded = contract.decodeRequest(contract.encodeRequest(request));

        assertThat(decoded).isEqualTo(new AssignmentRequest("req-42", null, "@sales-bot", Operation.UNASSIGN,
                ChannelType.PHONE_NUMBER, null, REQUESTED_AT, null));
    }

    @Test
    void writesSingleObjectEncoding() {
        byte[] bytes = contract.encodeRequest(aRequest().build());

        assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint)
                .isEqualTo(SchemaNormalization.parsingFingerprint64(ChannelAssignmentRequest.getClassSchema()));
    }

    @Test
    void shipsTheReleasedRequestSchemasOnTheClasspath() {
        assertThat(ReleasedSchemas.requests()).isNotEmpty();
    }

    @Test
    void rejectsBytesThatAreNotSingleObjectEncoded() {
        assertUndecodable("{\"request_id\": \"req-42\"}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rejectsEmptyValue() {
        assertUndecodable(new byte[0]);
    }

    @Test
    void rejectsTombstone() {
        assertThatThrownBy(() -> contract.decodeRequest(null))
                .isInstanceOf(UndecodableRecordException.class)
                .hasMessageContaining("tombstone");
    }

    @Test
    void rejectsRequestWrittenWithAnUnknownSchema() {
        byte[] bytes = contract.encodeRequest(aRequest().build());
        Arrays.fill(bytes, 2, 10, (byte) 0x5A);

        assertThatThrownBy(() -> contract.decodeRequest(bytes))
                .isInstanceOf(UndecodableRecordException.class)
                .hasCauseInstanceOf(MissingSchemaException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 10, 15, -1})
    void rejectsTruncatedRequest(int keptBytes) {
        byte[] bytes = contract.encodeRequest(aRequest().build());

        assertUndecodable(Arrays.copyOf(bytes, keptBytes > 0 ? keptBytes : bytes.length + keptBytes));
    }

    @Test
    void readsRequestWrittenWithAnOlderSchema() throws IOException {
        GenericRecord older = new GenericRecordBuilder(REQUEST_SCHEMA_WITHOUT_CORRELATION_ID)
                .set("request_id", "req-42")
                .set("organization_id", "org-abc123")
                .set("agent_handle", "sales-bot")
                .set("operation", enumSymbol("operation", "ASSIGN"))
                .set("channel_type", enumSymbol("channel_type", "MAILBOX"))
                .set("channel_id", CHANNEL_ID)
                .set("requested_at", REQUESTED_AT.toEpochMilli())
                .build();
        byte[] bytes = toBytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(),
                REQUEST_SCHEMA_WITHOUT_CORRELATION_ID).encode(older));

        AssignmentRequest decoded =
                new AvroContract(List.of(REQUEST_SCHEMA_WITHOUT_CORRELATION_ID)).decodeRequest(bytes);

        assertThat(decoded).isEqualTo(new AssignmentRequest("req-42", "org-abc123", "sales-bot", Operation.ASSIGN,
                ChannelType.MAILBOX, CHANNEL_ID, REQUESTED_AT, null));
    }

    @Test
    void rejectsRequestWrittenWithAnOlderSchemaItWasNotGiven() throws IOException {
        GenericRecord older = new GenericRecordBuilder(REQUEST_SCHEMA_WITHOUT_CORRELATION_ID)
                .set("request_id", "req-42")
                .set("agent_handle", "sales-bot")
                .set("operation", enumSymbol("operation", "UNASSIGN"))
                .set("channel_type", enumSymbol("channel_type", "MAILBOX"))
                .set("requested_at", REQUESTED_AT.toEpochMilli())
                .build();
        byte[] bytes = toBytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(),
                REQUEST_SCHEMA_WITHOUT_CORRELATION_ID).encode(older));

        assertUndecodable(bytes);
    }

    @Test
    void writesAssignedOutcomeWithTheIdentityAsTheHttpApiShowsIt() {
        Identity identity = new Identity(UUID.randomUUID(), "org-abc123", "sales-bot", IdentityStatus.PAUSED,
                CREATED_AT, UPDATED_AT);
        Mailbox mailbox = new Mailbox(UUID.randomUUID(), "org-abc123", "sales@example.com", null, false,
                CREATED_AT, CREATED_AT);
        PhoneNumber phoneNumber = new PhoneNumber(UUID.randomUUID(), "org-abc123", "+18335794607",
                PhoneNumberType.TOLL_FREE, PhoneNumberStatus.PAUSED, CREATED_AT, CREATED_AT);
        AssignmentRequest request = anAssignment().withRequestId("req-42").forHandle("@sales-bot")
                .ofChannel(mailbox).withCorrelationId("workflow-7").build();
        UUID eventId = UUID.randomUUID();
        Outcome outcome = new Outcome(eventId, request, OutcomeStatus.ASSIGNED, true, mailbox.id().toString(), null,
                new IdentityDetail(identity, List.of(mailbox, phoneNumber)), PROCESSED_AT);

        byte[] bytes = contract.encodeOutcome(outcome);
        ChannelAssignmentOutcome decoded = contract.decodeOutcome(bytes);

        assertThat(Arrays.copyOf(bytes, 2)).containsExactly(0xC3, 0x01);
        assertThat(decoded.getEventId()).isEqualTo(eventId.toString());
        assertThat(decoded.getRequestId()).isEqualTo("req-42");
        assertThat(decoded.getCorrelationId()).isEqualTo("workflow-7");
        assertThat(decoded.getOrganizationId()).isEqualTo("org-abc123");
        assertThat(decoded.getAgentHandle()).isEqualTo("@sales-bot");
        assertThat(decoded.getOperation()).isEqualTo(com.channelassignment.worker.kafka.avro.Operation.ASSIGN);
        assertThat(decoded.getChannelType()).isEqualTo(com.channelassignment.worker.kafka.avro.ChannelType.MAILBOX);
        assertThat(decoded.getChannelId()).isEqualTo(mailbox.id().toString());
        assertThat(decoded.getStatus()).isEqualTo(com.channelassignment.worker.kafka.avro.OutcomeStatus.ASSIGNED);
        assertThat(decoded.getChanged()).isTrue();
        assertThat(decoded.getRejection()).isNull();
        assertThat(decoded.getProcessedAt()).isEqualTo(PROCESSED_AT);

        com.channelassignment.worker.kafka.avro.IdentityDetail detail = decoded.getIdentity();
        assertThat(detail.getId()).isEqualTo(identity.id().toString());
        assertThat(detail.getOrganizationId()).isEqualTo("org-abc123");
        assertThat(detail.getAgentHandle()).isEqualTo("sales-bot");
        assertThat(detail.getStatus()).isEqualTo(com.channelassignment.worker.kafka.avro.IdentityStatus.paused);
        assertThat(detail.getCreatedAt()).isEqualTo(CREATED_AT);
        assertThat(detail.getUpdatedAt()).isEqualTo(UPDATED_AT);
        assertThat(detail.getMailbox().getId()).isEqualTo(mailbox.id().toString());
        assertThat(detail.getMailbox().getEmailAddress()).isEqualTo("sales@example.com");
        assertThat(detail.getMailbox().getDisplayName()).isNull();
        assertThat(detail.getPhoneNumber().getId()).isEqualTo(phoneNumber.id().toString());
        assertThat(detail.getPhoneNumber().getNumber()).isEqualTo("+18335794607");
        assertThat(detail.getPhoneNumber().getType())
                .isEqualTo(com.channelassignment.worker.kafka.avro.PhoneNumberType.toll_free);
    }

    @Test
    void eachEncodedOutcomeHasBytesOfItsOwnAsAvroWritesThem() throws IOException {
        Outcome first = new Outcome(UUID.randomUUID(), anAssignment().withRequestId("req-1").build(),
                OutcomeStatus.REJECTED, false, CHANNEL_ID,
                new Decision.Rejected(RejectionCode.CHANNEL_NOT_FOUND, "no mailbox"), null, PROCESSED_AT);
        Outcome second = new Outcome(UUID.randomUUID(), anAssignment().withRequestId("req-2").build(),
                OutcomeStatus.REJECTED, false, CHANNEL_ID,
                new Decision.Rejected(RejectionCode.IDENTITY_NOT_FOUND, "no identity"), null, PROCESSED_AT);
        BinaryMessageEncoder<ChannelAssignmentOutcome> copying = new BinaryMessageEncoder<>(
                org.apache.avro.specific.SpecificData.getForClass(ChannelAssignmentOutcome.class),
                ChannelAssignmentOutcome.getClassSchema());

        byte[] firstBytes = contract.encodeOutcome(first);
        byte[] firstAsEncoded = firstBytes.clone();
        byte[] secondBytes = contract.encodeOutcome(second);

        assertThat(firstBytes).isEqualTo(firstAsEncoded).isEqualTo(toBytes(copying.encode(AvroContract.toAvro(first))));
        assertThat(secondBytes).isEqualTo(toBytes(copying.encode(AvroContract.toAvro(second))));
    }

    @Test
    void writesUnassignedOutcomeWithoutChannels() {
        Identity identity = new Identity(UUID.randomUUID(), "org-abc123", "sales-bot", IdentityStatus.ACTIVE,
                CREATED_AT, UPDATED_AT);
        Outcome outcome = new Outcome(UUID.randomUUID(), anUnassignment().build(), OutcomeStatus.UNASSIGNED, false,
                null, null, new IdentityDetail(identity, List.of()), PROCESSED_AT);

        ChannelAssignmentOutcome decoded = contract.decodeOutcome(contract.encodeOutcome(outcome));

        assertThat(decoded.getStatus()).isEqualTo(com.channelassignment.worker.kafka.avro.OutcomeStatus.UNASSIGNED);
        assertThat(decoded.getChanged()).isFalse();
        assertThat(decoded.getChannelId()).isNull();
        assertThat(decoded.getIdentity().getStatus())
                .isEqualTo(com.channelassignment.worker.kafka.avro.IdentityStatus.active);
        assertThat(decoded.getIdentity().getMailbox()).isNull();
        assertThat(decoded.getIdentity().getPhoneNumber()).isNull();
    }

    @ParameterizedTest
    @EnumSource(RejectionCode.class)
    void writesRejectedOutcomeWithCodeAndHttpStatus(RejectionCode code) {
        AssignmentRequest request = anAssignment().withChannelId(CHANNEL_ID).build();
        Outcome outcome = Outcome.rejected(UUID.randomUUID(), request,
                new Decision.Rejected(code, "explanation for humans"), PROCESSED_AT);

        ChannelAssignmentOutcome decoded = contract.decodeOutcome(contract.encodeOutcome(outcome));

        assertThat(decoded.getStatus()).isEqualTo(com.channelassignment.worker.kafka.avro.OutcomeStatus.REJECTED);
        assertThat(decoded.getChanged()).isFalse();
        assertThat(decoded.getChannelId()).isEqualTo(CHANNEL_ID);
        assertThat(decoded.getIdentity()).isNull();
        assertThat(decoded.getRejection().getCode().name()).isEqualTo(code.name());
        assertThat(decoded.getRejection().getHttpStatus()).isEqualTo(code.httpStatus());
        assertThat(decoded.getRejection().getMessage()).isEqualTo("explanation for humans");
    }

    private static ChannelAssignmentRequest.Builder aRequest() {
        return ChannelAssignmentRequest.newBuilder()
                .setRequestId("req-42")
                .setOrganizationId("org-abc123")
                .setAgentHandle("@sales-bot")
                .setOperation(com.channelassignment.worker.kafka.avro.Operation.ASSIGN)
                .setChannelType(com.channelassignment.worker.kafka.avro.ChannelType.PHONE_NUMBER)
                .setChannelId(CHANNEL_ID)
                .setRequestedAt(REQUESTED_AT)
                .setCorrelationId("workflow-7");
    }

    private void assertUndecodable(byte[] bytes) {
        assertThatThrownBy(() -> contract.decodeRequest(bytes)).isInstanceOf(UndecodableRecordException.class);
    }

    private static GenericData.EnumSymbol enumSymbol(String field, String symbol) {
        return new GenericData.EnumSymbol(REQUEST_SCHEMA_WITHOUT_CORRELATION_ID.getField(field).schema(), symbol);
    }

    private static byte[] toBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
