package com.channelassignment.worker.contract;

import com.channelassignment.worker.domain.AgentHandles;
import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelChange;
import com.channelassignment.worker.domain.DirectoryChangeRules;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityChange;
import com.channelassignment.worker.kafka.avro.DirectoryChange;
import com.channelassignment.worker.kafka.avro.IdentityLifecycle;
import com.channelassignment.worker.kafka.avro.IdentityState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Directory changes, checked on the way in so that whatever decodes can be stored: ids are UUIDs, strings fit their
 * columns (the domain's limits) and hold no NUL. A change that fails is undecodable, dead-lettered like a corrupt
 * request.
 */
final class DirectoryChangeCodec {

    private final BinaryMessageDecoder<DirectoryChange> decoder;
    private final BinaryMessageEncoder<DirectoryChange> encoder;
    private final byte[] header;
    private final ConfluentFraming confluent;

    DirectoryChangeCodec(SpecificData model, ConfluentFraming confluent) {
        this.confluent = confluent;
        decoder = new BinaryMessageDecoder<>(model, DirectoryChange.getClassSchema());
        encoder = new BinaryMessageEncoder<>(model, DirectoryChange.getClassSchema(),
                AvroContract.ENCODER_COPIES_BUFFER);
        header = Arrays.copyOf(encode(DirectoryChange.newBuilder()
                .setChangeId("").setOrganizationId("").setVersion(0).setChangedAt(Instant.EPOCH)
                .setEntry(new IdentityState("", "", IdentityLifecycle.active, Instant.EPOCH)).build()),
                SingleObjectHeader.LENGTH);
    }

    /**
     * Whether the value is a directory change: single-object encoding names the writer schema by its fingerprint, so
     * the two kinds of record on the requests topic are told apart before either is decoded.
     */
    boolean isDirectoryChange(byte[] value) {
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return ConfluentFraming.required(confluent, value).names(value, DirectoryChange.getClassSchema());
        }
        return value != null && value.length >= SingleObjectHeader.LENGTH
                && Arrays.equals(value, 0, SingleObjectHeader.LENGTH, header, 0, SingleObjectHeader.LENGTH);
    }

    com.channelassignment.worker.domain.DirectoryChange decode(byte[] value) {
        if (WireFormat.of(value) == WireFormat.CONFLUENT) {
            return checked(ConfluentFraming.required(confluent, value).decode(value, DirectoryChange.class,
                    DirectoryChange.getClassSchema()));
        }
        DirectoryChange change;
        try {
            change = decoder.decode(value);
        } catch (IOException | RuntimeException e) {
            throw new UndecodableRecordException("not a directory change: " + UndecodableRecordException.describe(e),
                    e);
        }
        return checked(change);
    }

    DirectoryChange decodeRecord(byte[] value) {
        try {
            return decoder.decode(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] encode(DirectoryChange change) {
        return AvroContract.encode(() -> encoder.encode(change));
    }

    /** The change as the directory stores it, or undecodable when it could not be stored. */
    static com.channelassignment.worker.domain.DirectoryChange checked(DirectoryChange change) {
        try {
            return toDomain(change);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UndecodableRecordException("directory change " + capped(change.getChangeId())
                    + " cannot be applied: " + UndecodableRecordException.describe(e), e);
        }
    }

    /** Why the change could not be stored, or null when it could. */
    static String problemWith(DirectoryChange change) {
        try {
            toDomain(change);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } catch (NullPointerException e) {
            return UndecodableRecordException.describe(e);
        }
    }

    private static com.channelassignment.worker.domain.DirectoryChange toDomain(DirectoryChange change) {
        String changeId = text("change_id", change.getChangeId(), DirectoryChangeRules.MAX_CHANGE_ID_LENGTH);
        String organization = text("organization_id", change.getOrganizationId(),
                AssignmentRules.MAX_ORGANIZATION_ID_LENGTH);
        if (organization.isBlank()) {
            throw new IllegalArgumentException("organization_id is blank");
        }
        Instant changedAt = change.getChangedAt();
        Object entry = change.getEntry();
        if (entry instanceof IdentityState identity) {
            String handle = AgentHandles.stored(
                    text("agent_handle", identity.getAgentHandle(), AssignmentRules.MAX_HANDLE_LENGTH + 1));
            if (handle.isEmpty() || handle.length() > AssignmentRules.MAX_HANDLE_LENGTH || handle.startsWith("@")) {
                throw new IllegalArgumentException("agent_handle must be 1 to %d characters after one leading @"
                        .formatted(AssignmentRules.MAX_HANDLE_LENGTH));
            }
            return new IdentityChange(changeId, change.getVersion(), new Identity(uuid(identity.getId()),
                    organization, handle, com.channelassignment.worker.domain.IdentityStatus.valueOf(
                            identity.getStatus().name().toUpperCase(Locale.ROOT)),
                    identity.getCreatedAt(), changedAt));
        }
        ChannelContract channel = ChannelContract.ofState(entry);
        if (channel != null) {
            return new ChannelChange(changeId, change.getVersion(),
                    channel.channel((SpecificRecord) entry, organization, changedAt));
        }
        throw new IllegalArgumentException("unknown directory entry " + (entry == null ? null : entry.getClass()));
    }

    /** The wire form of a directory change. */
    static DirectoryChange toAvro(com.channelassignment.worker.domain.DirectoryChange change) {
        DirectoryChange.Builder builder = DirectoryChange.newBuilder().setChangeId(change.changeId())
                .setOrganizationId(change.organizationId()).setVersion(change.version())
                .setChangedAt(change.changedAt());
        if (change instanceof IdentityChange identityChange) {
            Identity identity = identityChange.identity();
            return builder.setEntry(new IdentityState(identity.id().toString(), identity.agentHandle(),
                    IdentityLifecycle.valueOf(identity.status().name().toLowerCase(Locale.ROOT)),
                    identity.createdAt())).build();
        }
        if (change instanceof ChannelChange channelChange) {
            Channel channel = channelChange.channel();
            return builder.setEntry(ChannelContract.of(channel.type()).state(channel)).build();
        }
        throw new IllegalArgumentException("no wire form for " + change);
    }

    static String text(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(field + " is longer than " + maxLength + " characters");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " holds a NUL character");
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " is empty");
        }
        return value;
    }

    static UUID uuid(String value) {
        UUID id = UUID.fromString(value);
        if (!id.toString().equals(value.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(value + " is not a canonical UUID");
        }
        return id;
    }

    private static String capped(String value) {
        int limit = DirectoryChangeRules.MAX_CHANGE_ID_LENGTH;
        return value.length() <= limit ? value : value.substring(0, limit) + "...";
    }
}
