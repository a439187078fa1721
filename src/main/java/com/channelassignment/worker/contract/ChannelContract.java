package com.channelassignment.worker.contract;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.kafka.avro.IdentityDetail;
import com.channelassignment.worker.kafka.avro.MailboxDetail;
import com.channelassignment.worker.kafka.avro.MailboxState;
import com.channelassignment.worker.kafka.avro.PhoneNumberDetail;
import com.channelassignment.worker.kafka.avro.PhoneNumberLifecycle;
import com.channelassignment.worker.kafka.avro.PhoneNumberState;
import com.channelassignment.worker.kafka.avro.PhoneNumberType;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the wire contract knows of each channel type: the record a directory change carries its state in, and the
 * record an outcome's identity detail shows it with. The codecs handle a channel type once it has a constant here; a
 * channel or a record of a type without one fails, it is never written as another type or left out.
 */
enum ChannelContract {

    MAILBOX(ChannelType.MAILBOX, MailboxState.class) {
        @Override
        SpecificRecord detail(Channel channel) {
            Mailbox mailbox = (Mailbox) channel;
            return new MailboxDetail(mailbox.id().toString(), mailbox.emailAddress(), mailbox.displayName(),
                    mailbox.createdAt(), mailbox.updatedAt());
        }

        @Override
        SpecificRecord state(Channel channel) {
            Mailbox mailbox = (Mailbox) channel;
            return new MailboxState(mailbox.id().toString(), mailbox.emailAddress(), mailbox.displayName(),
                    mailbox.deleted(), mailbox.createdAt());
        }

        @Override
        Channel channel(SpecificRecord state, String organizationId, Instant changedAt) {
            MailboxState mailbox = (MailboxState) state;
            return new Mailbox(DirectoryChangeCodec.uuid(mailbox.getId()), organizationId,
                    DirectoryChangeCodec.text("email_address", mailbox.getEmailAddress(), WireLimits.MAX_FIELD_BYTES),
                    mailbox.getDisplayName() == null ? null
                            : DirectoryChangeCodec.text("display_name", mailbox.getDisplayName(),
                                    WireLimits.MAX_FIELD_BYTES),
                    mailbox.getDeleted(), mailbox.getCreatedAt(), changedAt);
        }
    },

    PHONE_NUMBER(ChannelType.PHONE_NUMBER, PhoneNumberState.class) {
        @Override
        SpecificRecord detail(Channel channel) {
            PhoneNumber number = (PhoneNumber) channel;
            return new PhoneNumberDetail(number.id().toString(), number.number(),
                    PhoneNumberType.valueOf(number.numberType().name().toLowerCase(Locale.ROOT)),
                    number.createdAt(), number.updatedAt());
        }

        @Override
        SpecificRecord state(Channel channel) {
            PhoneNumber number = (PhoneNumber) channel;
            return new PhoneNumberState(number.id().toString(), number.number(),
                    PhoneNumberType.valueOf(number.numberType().name().toLowerCase(Locale.ROOT)),
                    PhoneNumberLifecycle.valueOf(number.status().name().toLowerCase(Locale.ROOT)),
                    number.createdAt());
        }

        @Override
        Channel channel(SpecificRecord state, String organizationId, Instant changedAt) {
            PhoneNumberState number = (PhoneNumberState) state;
            return new PhoneNumber(DirectoryChangeCodec.uuid(number.getId()), organizationId,
                    DirectoryChangeCodec.text("number", number.getNumber(), WireLimits.MAX_FIELD_BYTES),
                    com.channelassignment.worker.domain.PhoneNumberType.valueOf(
                            number.getType().name().toUpperCase(Locale.ROOT)),
                    PhoneNumberStatus.valueOf(number.getStatus().name().toUpperCase(Locale.ROOT)),
                    number.getCreatedAt(), changedAt);
        }
    };

    private final ChannelType type;
    private final Class<? extends SpecificRecord> stateClass;

    ChannelContract(ChannelType type, Class<? extends SpecificRecord> stateClass) {
        this.type = type;
        this.stateClass = stateClass;
    }

    /** The channel as an outcome's identity detail shows it, in the field named {@link ChannelType#fieldName()}. */
    abstract SpecificRecord detail(Channel channel);

    /** The channel's state as a directory change carries it in its {@code entry}. */
    abstract SpecificRecord state(Channel channel);

    /** The channel a directory change's state describes; fails on a value the directory could not store. */
    abstract Channel channel(SpecificRecord state, String organizationId, Instant changedAt);

    ChannelType type() {
        return type;
    }

    /** The contract of each channel type, in the order of {@link ChannelType}; fails when a type has none. */
    static List<ChannelContract> ofEveryType() {
        return Arrays.stream(ChannelType.values()).map(ChannelContract::of).toList();
    }

    static ChannelContract of(ChannelType type) {
        for (ChannelContract contract : values()) {
            if (contract.type == type) {
                return contract;
            }
        }
        throw new IllegalStateException("channel type " + type + " has no wire contract");
    }

    /** The field of an outcome's identity detail that shows the channel of this type; fails when there is none. */
    static Schema.Field detailField(ChannelType type) {
        Schema.Field field = IdentityDetail.getClassSchema().getField(type.fieldName());
        if (field == null) {
            throw new IllegalStateException("an outcome's identity detail has no field " + type.fieldName()
                    + " for channel type " + type);
        }
        return field;
    }

    /**
     * The channels an outcome's identity detail shows, each field for field as the outcome carries it: text, and
     * instants in ISO-8601. Every channel type has an entry, null when the identity holds none of it.
     */
    static Map<ChannelType, Map<String, Object>> details(IdentityDetail detail) {
        Map<ChannelType, Map<String, Object>> details = new LinkedHashMap<>();
        for (ChannelType type : ChannelType.values()) {
            Object channel = detail.get(detailField(type).pos());
            details.put(type, channel == null ? null : fields((GenericRecord) channel));
        }
        return details;
    }

    private static Map<String, Object> fields(GenericRecord record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Schema.Field field : record.getSchema().getFields()) {
            Object value = record.get(field.pos());
            fields.put(field.name(), value == null || value instanceof Boolean || value instanceof Number ? value
                    : value.toString());
        }
        return fields;
    }

    /** The contract whose directory-change state {@code entry} is, if any: an identity's state has none. */
    static ChannelContract ofState(Object entry) {
        for (ChannelContract contract : values()) {
            if (contract.stateClass.isInstance(entry)) {
                return contract;
            }
        }
        return null;
    }
}
