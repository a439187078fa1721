package com.channelassignment.worker.badinput;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Writes {@link BadInputCorpus#FILE}. Run it after changing the list below; the corpus itself is checked in so that
 * a reader sees the exact bytes the test feeds the worker.
 */
public final class BadInputCorpusWriter {

    static final String ORGANIZATION = "org-corpus";
    private static final Instant REQUESTED_AT = Instant.parse("2026-11-27T00:00:00Z");

    /** A requested_at a producer can put on the wire though no clock would: far past, far future, a long's ends. */
    record ExtremeInstant(String name, Instant instant) {
    }

    static final List<ExtremeInstant> EXTREME_REQUESTED_AT = List.of(
            new ExtremeInstant("year-1", Instant.parse("0001-01-01T00:00:00Z")),
            new ExtremeInstant("year-1000", Instant.parse("1000-06-15T12:00:00Z")),
            new ExtremeInstant("year-9999", Instant.parse("9999-12-31T23:59:59.999Z")),
            new ExtremeInstant("minus-1-ms", Instant.ofEpochMilli(-1)),
            new ExtremeInstant("long-min-ms", Instant.ofEpochMilli(Long.MIN_VALUE)),
            new ExtremeInstant("long-max-ms", Instant.ofEpochMilli(Long.MAX_VALUE)));

    /** String lengths a tiny record can claim: far beyond, well beyond and one byte beyond Avro's 1 MiB limit. */
    static final List<Integer> LYING_STRING_LENGTHS = List.of(1_610_612_736, 100 * 1024 * 1024, 1024 * 1024 + 1);

    public static void main(String[] args) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# name\texpected\tkey (base64 or NULL)\tvalue (base64 or NULL); regenerate with BadInputCorpusWriter");
        entries().forEach(entry -> lines.add(entry.toLine()));
        Files.write(BadInputCorpus.FILE, lines, StandardCharsets.UTF_8);
    }

    static List<BadInputCorpus.Entry> entries() throws IOException {
        AvroContract contract = new AvroContract();
        byte[] valid = contract.encodeRequest(request("corpus-valid-shape").build());
        List<BadInputCorpus.Entry> entries = new ArrayList<>();
        entries.add(dead("json-not-avro", "{\"request_id\":\"json\",\"operation\":\"ASSIGN\"}".getBytes()));
        entries.add(dead("empty-value", new byte[0]));
        entries.add(dead("tombstone", null));
        entries.add(dead("marker-only", new byte[] {(byte) 0xC3, 0x01}));
        entries.add(dead("wrong-marker", concat(new byte[] {(byte) 0xC3, 0x02}, Arrays.copyOfRange(valid, 2,
                valid.length))));
        byte[] unknownFingerprint = valid.clone();
        for (int i = 2; i < 10; i++) {
            unknownFingerprint[i] = (byte) ~unknownFingerprint[i];
        }
        entries.add(dead("unknown-fingerprint", unknownFingerprint));
        entries.add(dead("truncated-body", Arrays.copyOf(valid, valid.length / 2)));
        entries.add(dead("header-without-body", Arrays.copyOf(valid, 10)));
        entries.add(dead("negative-string-length", concat(Arrays.copyOf(valid, 10), new byte[] {0x01, 0x41})));
        entries.add(dead("huge-string-length", concat(Arrays.copyOf(valid, 10),
                new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F})));
        for (int claimed : LYING_STRING_LENGTHS) {
            entries.add(dead("request-id-length-claims-" + claimed + "-bytes", lyingStringLength(claimed)));
        }
        entries.add(dead("newer-schema-unknown-enum-symbol", newerSchemaWithReassign()));
        byte[] randomBytes = new byte[64];
        new Random(7).nextBytes(randomBytes);
        entries.add(dead("random-bytes", randomBytes));

        entries.add(rejected("control-characters-in-handle", "IDENTITY_NOT_FOUND", contract.encodeRequest(
                request("corpus-control-chars").setAgentHandle("\u0007agent\n\r\u001b[31m\u007f").build())));
        entries.add(rejected("nul-in-handle", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-nul-handle").setAgentHandle("agent\u0000").build())));
        entries.add(rejected("nul-in-request-id", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-nul-\u0000-id").build())));
        entries.add(rejected("nul-in-correlation-id", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-nul-correlation").setCorrelationId("\u0000").build())));
        entries.add(rejected("nul-in-organization", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-nul-org").setOrganizationId("org-\u0000").build())));
        entries.add(rejected("invalid-utf8-in-handle", "IDENTITY_NOT_FOUND",
                withInvalidUtf8Handle(contract, "corpus-invalid-utf8")));
        entries.add(rejected("sql-in-handle", "IDENTITY_NOT_FOUND", contract.encodeRequest(
                request("corpus-sql").setAgentHandle("x'; DROP TABLE identities; --").build())));
        entries.add(rejected("handle-of-256-characters", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-long-handle").setAgentHandle("a".repeat(256)).build())));
        entries.add(rejected("only-an-at-sign-handle", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-at-handle").setAgentHandle("@").build())));
        entries.add(rejected("almost-uuid-short-groups", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-uuid-1").setChannelId("1-2-3-4-5").build())));
        entries.add(rejected("almost-uuid-trailing-character", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-uuid-2").setChannelId("00000000-0000-4000-8000-00000000a101x").build())));
        entries.add(rejected("almost-uuid-without-dashes", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-uuid-3").setChannelId("000000000000400080000000000000a1").build())));
        entries.add(rejected("almost-uuid-non-hex", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-uuid-4").setChannelId("0000000g-0000-4000-8000-00000000a101").build())));
        entries.add(rejected("assign-without-channel", "INVALID_REQUEST", contract.encodeRequest(
                request("corpus-no-channel").setChannelId(null).build())));
        entries.add(rejected("empty-request-id", "INVALID_REQUEST", contract.encodeRequest(
                request("").build())));
        entries.add(rejected("request-id-of-129-characters", "INVALID_REQUEST", contract.encodeRequest(
                request("r".repeat(129)).build())));
        entries.add(rejected("blank-organization", "ORGANIZATION_MISSING", contract.encodeRequest(
                request("corpus-blank-org").setOrganizationId(" \t ").build())));
        entries.add(rejected("null-organization", "ORGANIZATION_MISSING", contract.encodeRequest(
                request("corpus-null-org").setOrganizationId(null).build())));
        entries.add(rejected("organization-that-does-not-exist", "IDENTITY_NOT_FOUND", contract.encodeRequest(
                request("corpus-no-such-org").setOrganizationId("org-nobody-knows").build())));
        entries.add(rejected("unassign-with-garbage-channel-id", "IDENTITY_NOT_FOUND", contract.encodeRequest(
                request("corpus-unassign-garbage").setOperation(Operation.UNASSIGN).setChannelId("\u0000garbage")
                        .build())));
        for (ExtremeInstant at : EXTREME_REQUESTED_AT) {
            entries.add(rejected("requested-at-" + at.name(), "IDENTITY_NOT_FOUND", contract.encodeRequest(
                    request("corpus-requested-at-" + at.name()).setRequestedAt(at.instant()).build())));
        }
        entries.add(new BadInputCorpus.Entry("null-key", "IDENTITY_NOT_FOUND", null,
                contract.encodeRequest(request("corpus-null-key").build())));
        return entries.stream().map(entry -> entry.name().equals("null-key") ? entry
                : new BadInputCorpus.Entry(entry.name(), entry.expected(),
                        ("corpus-" + entry.name()).getBytes(StandardCharsets.UTF_8), entry.value())).toList();
    }

    static ChannelAssignmentRequest.Builder request(String requestId) {
        return ChannelAssignmentRequest.newBuilder()
                .setRequestId(requestId)
                .setOrganizationId(ORGANIZATION)
                .setAgentHandle("nobody-here")
                .setOperation(Operation.ASSIGN)
                .setChannelType(ChannelType.MAILBOX)
                .setChannelId("00000000-0000-4000-8000-00000000a101")
                .setRequestedAt(REQUESTED_AT)
                .setCorrelationId("corpus");
    }

    /**
     * A valid marker and fingerprint, then a request_id whose length prefix claims {@code claimedBytes} followed by
     * three bytes: a decoder that trusted the prefix would allocate the claimed size before finding the record short.
     */
    static byte[] lyingStringLength(int claimedBytes) {
        byte[] header = Arrays.copyOf(new AvroContract().encodeRequest(request("lying").build()), 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        // Avro writes an int as a zig-zag varint: 7 bits a byte, lowest first, high bit set on all but the last.
        long zigZag = ((long) claimedBytes << 1) ^ (claimedBytes >> 31);
        while ((zigZag & ~0x7FL) != 0) {
            out.write((int) ((zigZag & 0x7F) | 0x80));
            zigZag >>>= 7;
        }
        out.write((int) zigZag);
        out.writeBytes("abc".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A producer on a newer contract that added an operation this worker has never heard of. */
    private static byte[] newerSchemaWithReassign() throws IOException {
        Schema newer = new Schema.Parser().parse(ChannelAssignmentRequest.getClassSchema().toString()
                .replace("\"symbols\":[\"ASSIGN\",\"UNASSIGN\"]", "\"symbols\":[\"ASSIGN\",\"UNASSIGN\",\"REASSIGN\"]"));
        if (newer.equals(ChannelAssignmentRequest.getClassSchema())) {
            throw new IllegalStateException("the newer schema did not change");
        }
        GenericRecord record = new GenericData.Record(newer);
        record.put("request_id", "corpus-newer-schema");
        record.put("organization_id", ORGANIZATION);
        record.put("agent_handle", "nobody-here");
        record.put("operation", new GenericData.EnumSymbol(newer.getField("operation").schema(), "REASSIGN"));
        record.put("channel_type", new GenericData.EnumSymbol(newer.getField("channel_type").schema(), "MAILBOX"));
        record.put("channel_id", null);
        record.put("requested_at", REQUESTED_AT.toEpochMilli());
        record.put("correlation_id", null);
        java.nio.ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** The handle's bytes are not UTF-8 (0xC3 0x28): the encoder would never write them, a hostile producer can. */
    private static byte[] withInvalidUtf8Handle(AvroContract contract, String requestId) {
        String marker = "HANDLEXX";
        byte[] encoded = contract.encodeRequest(request(requestId).setAgentHandle(marker).build());
        byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i <= encoded.length - needle.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(encoded, i, i + needle.length), needle)) {
                byte[] mangled = encoded.clone();
                mangled[i + 6] = (byte) 0xC3;
                mangled[i + 7] = (byte) 0x28;
                return mangled;
            }
        }
        throw new IllegalStateException("marker not found in the encoding");
    }

    private static BadInputCorpus.Entry dead(String name, byte[] value) {
        return new BadInputCorpus.Entry(name, "DEAD_LETTER", null, value);
    }

    private static BadInputCorpus.Entry rejected(String name, String code, byte[] value) {
        return new BadInputCorpus.Entry(name, code, null, value);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(first);
        out.writeBytes(second);
        return out.toByteArray();
    }
}
