package com.channelassignment.worker.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A request as the producer sent it, unvalidated: the rules decide what an invalid one gets, so building one never
 * fails on content. The one thing made canonical is a channel id written as a UUID ({@link ChannelIds#canonical}),
 * whichever door the request came through.
 */
public record AssignmentRequest(
        String requestId,
        String organizationId,
        String agentHandle,
        Operation operation,
        ChannelType channelType,
        String channelId,
        Instant requestedAt,
        String correlationId) {

    /** A UUID is 36 characters; longer channel ids are invalid and only echoed this far. */
    private static final int MAX_ECHOED_CHANNEL_ID_LENGTH = 64;
    /** Never updated, only copied ({@link #newSha256}). */
    private static final MessageDigest SHA_256 = sha256();

    public AssignmentRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(agentHandle, "agentHandle");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(channelType, "channelType");
        Objects.requireNonNull(requestedAt, "requestedAt");
        channelId = ChannelIds.canonical(channelId);
    }

    public boolean hasOrganization() {
        return organizationId != null && !organizationId.isBlank();
    }

    /** The handle as the directory stores it ({@link AgentHandles#stored}). */
    public String normalizedHandle() {
        return AgentHandles.stored(agentHandle);
    }

    /**
     * The request as an outcome echoes it: every string cut to its limit plus an ellipsis, NUL characters replaced.
     * An over-long value stays visibly over-long, but cannot make the outcome larger than a Kafka record may be, which
     * would fail the batch's transaction on every redelivery.
     */
    public AssignmentRequest echoed() {
        // Almost every request is echoed as it is, and an outcome echoes its request more than once on the consume
        // path: such a request is its own echo, without a second construction.
        if (echoedAsIs(requestId, AssignmentRules.MAX_REQUEST_ID_LENGTH)
                && echoedAsIs(organizationId, AssignmentRules.MAX_ORGANIZATION_ID_LENGTH)
                && echoedAsIs(agentHandle, AssignmentRules.MAX_HANDLE_LENGTH + 1)
                && echoedAsIs(channelId, MAX_ECHOED_CHANNEL_ID_LENGTH)
                && echoedAsIs(correlationId, AssignmentRules.MAX_CORRELATION_ID_LENGTH)) {
            return this;
        }
        return new AssignmentRequest(cap(requestId, AssignmentRules.MAX_REQUEST_ID_LENGTH),
                cap(organizationId, AssignmentRules.MAX_ORGANIZATION_ID_LENGTH),
                cap(agentHandle, AssignmentRules.MAX_HANDLE_LENGTH + 1), operation, channelType,
                cap(channelId, MAX_ECHOED_CHANNEL_ID_LENGTH), requestedAt,
                cap(correlationId, AssignmentRules.MAX_CORRELATION_ID_LENGTH));
    }

    /** The request id as log lines and headers show it: capped like every echoed string. */
    public String echoedRequestId() {
        return cap(requestId, AssignmentRules.MAX_REQUEST_ID_LENGTH);
    }

    /** The correlation id as log lines and headers show it: capped like every echoed string. */
    public String echoedCorrelationId() {
        return cap(correlationId, AssignmentRules.MAX_CORRELATION_ID_LENGTH);
    }

    private static String cap(String value, int limit) {
        if (echoedAsIs(value, limit)) {
            return value;
        }
        // U+0000 cannot be stored in PostgreSQL text, where the echoed correlation id is kept for replays.
        String storable = value.replace('\u0000', '\uFFFD');
        return storable.length() <= limit + 1 ? storable : storable.substring(0, limit) + "\u2026";
    }

    /** Whether {@link #cap} leaves the value as it is. */
    private static boolean echoedAsIs(String value, int limit) {
        return value == null || (value.length() <= limit + 1 && value.indexOf('\u0000') < 0);
    }

    /**
     * SHA-256 of what the request asks for. It leaves out requested_at and correlation_id on purpose: an orchestrator
     * that re-sends after a timeout stamps a new time and may carry a new correlation id, yet asks for the same thing,
     * and must get the stored outcome rather than an IDEMPOTENCY_KEY_REUSED rejection. channel_id counts only for
     * ASSIGN because UNASSIGN ignores it.
     */
    public byte[] contentFingerprint() {
        return fingerprintOf(channelId);
    }

    /**
     * Whether an idempotency record's fingerprint is this request's. A record written before channel ids were made
     * canonical holds the fingerprint of the id as it was sent; producers that write UUIDs with capitals write them
     * wholly in capitals, so that spelling is the one other tried, and such a request is still answered its stored
     * outcome rather than IDEMPOTENCY_KEY_REUSED.
     */
    public boolean hasFingerprint(byte[] recorded) {
        if (MessageDigest.isEqual(recorded, contentFingerprint())) {
            return true;
        }
        return operation.namesChannel() && ChannelIds.isUuid(channelId)
                && MessageDigest.isEqual(recorded, fingerprintOf(channelId.toUpperCase(Locale.ROOT)));
    }

    private byte[] fingerprintOf(String spelledChannelId) {
        MessageDigest digest = newSha256();
        for (String part : new String[] {
                requestId,
                organizationId,
                normalizedHandle(),
                operation.name(),
                channelType.name(),
                operation.channelIdOf(spelledChannelId)}) {
            if (part == null) {
                digest.update((byte) 0);
            } else {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                digest.update((byte) 1);
                digest.update(lengthPrefix(bytes.length));
                digest.update(bytes);
            }
        }
        return digest.digest();
    }

    private static byte[] lengthPrefix(int length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    /**
     * A fresh SHA-256 digest. Every request on the consume path is fingerprinted, and finding SHA-256 among the
     * security providers costs more than hashing a request, so it is found once and copied.
     */
    private static MessageDigest newSha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            return sha256();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform ships SHA-256", e);
        }
    }
}
