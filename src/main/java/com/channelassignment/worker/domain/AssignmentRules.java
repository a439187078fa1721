package com.channelassignment.worker.domain;

import java.util.Optional;
import java.util.UUID;

/**
 * The channel assignment rules, checked in the HTTP API's order: authorization, validation, lookups, conflicts.
 * A pure function of the request and the directory it sees.
 */
public final class AssignmentRules {

    public static final int MAX_REQUEST_ID_LENGTH = 128;
    public static final int MAX_HANDLE_LENGTH = 255;
    /** Not in the HTTP API's docs; bounds what a request can make the worker store and echo. */
    public static final int MAX_ORGANIZATION_ID_LENGTH = 255;
    public static final int MAX_CORRELATION_ID_LENGTH = 255;
    /** The refusal of an ASSIGN without a channel id; a door that read the id names its own field in its place. */
    public static final String CHANNEL_ID_REQUIRED = "channel_id is required to assign a channel";
    /** The refusal of an ASSIGN whose channel id is not a canonical UUID. */
    public static final String CHANNEL_ID_NOT_A_UUID = "channel_id must be a UUID";

    // Rejection messages are built by concatenation, or once: String.format parses its pattern on every call, and a
    // batch can hold many rejected requests.
    private static final String REQUEST_ID_INVALIDITY =
            "request_id must be 1 to %d characters, none of them NUL".formatted(MAX_REQUEST_ID_LENGTH);
    private static final String HANDLE_LENGTH_INVALIDITY =
            "agent_handle must be 1 to %d characters".formatted(MAX_HANDLE_LENGTH);
    private static final String ORGANIZATION_ID_LENGTH_INVALIDITY =
            "organization_id must be at most %d characters".formatted(MAX_ORGANIZATION_ID_LENGTH);
    private static final String CORRELATION_ID_LENGTH_INVALIDITY =
            "correlation_id must be at most %d characters".formatted(MAX_CORRELATION_ID_LENGTH);

    public Decision decide(AssignmentRequest request, Directory directory) {
        if (!request.hasOrganization()) {
            return reject(RejectionCode.ORGANIZATION_MISSING, "the request carries no organization_id");
        }
        Optional<String> invalidity = invalidity(request);
        if (invalidity.isPresent()) {
            return reject(RejectionCode.INVALID_REQUEST, invalidity.get());
        }
        Optional<Identity> identity = directory.findIdentity(request.organizationId(), request.normalizedHandle())
                .filter(found -> found.status() != IdentityStatus.DELETED);
        if (identity.isEmpty()) {
            return reject(RejectionCode.IDENTITY_NOT_FOUND,
                    "no identity with handle '" + request.normalizedHandle() + "' in this organization");
        }
        return switch (request.operation()) {
            case ASSIGN -> decideAssignment(request, identity.get(), directory);
            case UNASSIGN -> decideUnassignment(request, identity.get(), directory);
        };
    }

    /** The reason a request is malformed, checked before any lookup. */
    public static Optional<String> invalidity(AssignmentRequest request) {
        if (!isValidRequestId(request.requestId())) {
            return Optional.of(requestIdInvalidity());
        }
        // PostgreSQL text cannot hold U+0000; such a value could never name anything and must not reach the store.
        for (String field : new String[] {request.organizationId(), request.agentHandle(), request.correlationId(),
                request.operation().channelIdOf(request.channelId())}) {
            if (field != null && field.indexOf('\u0000') >= 0) {
                return Optional.of("fields must not contain NUL characters");
            }
        }
        int handleLength = request.normalizedHandle().length();
        if (handleLength < 1 || handleLength > MAX_HANDLE_LENGTH) {
            return Optional.of(HANDLE_LENGTH_INVALIDITY);
        }
        if (request.organizationId() != null && request.organizationId().length() > MAX_ORGANIZATION_ID_LENGTH) {
            return Optional.of(ORGANIZATION_ID_LENGTH_INVALIDITY);
        }
        if (request.correlationId() != null && request.correlationId().length() > MAX_CORRELATION_ID_LENGTH) {
            return Optional.of(CORRELATION_ID_LENGTH_INVALIDITY);
        }
        if (request.operation().namesChannel() && request.channelId() == null) {
            return Optional.of(CHANNEL_ID_REQUIRED);
        }
        if (request.operation().namesChannel() && !ChannelIds.isUuid(request.channelId())) {
            return Optional.of(CHANNEL_ID_NOT_A_UUID);
        }
        return Optional.empty();
    }

    /**
     * Whether the request can be recorded under its idempotency key, its request_id within its organization: both
     * must be usable. One that cannot is refused on every delivery, the same way, and never recorded.
     */
    public static boolean isRecordable(AssignmentRequest request) {
        String organizationId = request.organizationId();
        return isValidRequestId(request.requestId()) && request.hasOrganization()
                && organizationId.length() <= MAX_ORGANIZATION_ID_LENGTH && organizationId.indexOf('\u0000') < 0;
    }

    /** Why a request_id that {@link #isValidRequestId} refuses is refused. */
    public static String requestIdInvalidity() {
        return REQUEST_ID_INVALIDITY;
    }

    /** Whether the request_id could key an idempotency record. */
    public static boolean isValidRequestId(String requestId) {
        return !requestId.isEmpty() && requestId.length() <= MAX_REQUEST_ID_LENGTH && requestId.indexOf('\u0000') < 0;
    }

    private Decision decideAssignment(AssignmentRequest request, Identity identity, Directory directory) {
        ChannelType type = request.channelType();
        UUID channelId = UUID.fromString(request.channelId());
        // Channel ids name channels within an organization: another organization's channel with the same id is
        // not even looked at, so nothing of it can show in the answer.
        Optional<Channel> channel = directory.findChannel(identity.organizationId(), type, channelId)
                .filter(Channel::isAssignable);
        if (channel.isEmpty()) {
            return reject(RejectionCode.CHANNEL_NOT_FOUND,
                    "no " + type.displayName() + " with id " + channelId + " in this organization");
        }
        Optional<UUID> holder = directory.holderOf(identity.organizationId(), type, channelId);
        if (holder.isPresent() && !holder.get().equals(identity.id())) {
            return reject(RejectionCode.CHANNEL_ALREADY_ASSIGNED,
                    type.displayName() + " " + channelId + " is already assigned to another identity");
        }
        Optional<UUID> held = directory.channelHeldBy(identity, type);
        if (held.isPresent() && !held.get().equals(channelId)) {
            return reject(RejectionCode.IDENTITY_CHANNEL_OCCUPIED, "identity '" + identity.agentHandle()
                    + "' already has a " + type.displayName() + "; unassign it first");
        }
        return new Decision.Assigned(identity, channel.get(), held.isEmpty());
    }

    private Decision decideUnassignment(AssignmentRequest request, Identity identity, Directory directory) {
        UUID released = directory.channelHeldBy(identity, request.channelType()).orElse(null);
        return new Decision.Unassigned(identity, request.channelType(), released);
    }


    private static Decision reject(RejectionCode code, String message) {
        return new Decision.Rejected(code, message);
    }
}
