package com.channelassignment.worker.cli;

import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.kafka.avro.MailboxState;
import com.channelassignment.worker.kafka.avro.PhoneNumberLifecycle;
import com.channelassignment.worker.kafka.avro.PhoneNumberState;
import com.channelassignment.worker.kafka.avro.PhoneNumberType;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the command-line client knows of each channel type: its list in a directory file, and its table as
 * {@code directory show} reads it (the client reads the database without the store's descriptors). The client handles
 * a channel type once it has a constant here; a type without one fails, it is never left out.
 */
enum CliChannel {

    MAILBOX(ChannelType.MAILBOX, MailboxState.class, "mailboxes", List.of("email_address", "display_name", "deleted"),
            "mailbox_id", List.of("email_address", "deleted")) {
        @Override
        Object read(DirectoryFile.Entry entry, Instant now) {
            return new MailboxState(entry.uuid("id"), entry.text("email_address"), entry.optionalText("display_name"),
                    entry.bool("deleted", false), entry.instant("created_at", now));
        }

        @Override
        List<Object> lineColumns(Map<String, Object> own) {
            return List.of(own.get("email_address"), Boolean.TRUE.equals(own.get("deleted")) ? "deleted" : "live");
        }
    },

    PHONE_NUMBER(ChannelType.PHONE_NUMBER, PhoneNumberState.class, "phone_numbers", List.of("number", "type", "status"),
            "phone_number_id", List.of("number", "status")) {
        @Override
        Object read(DirectoryFile.Entry entry, Instant now) {
            return new PhoneNumberState(entry.uuid("id"), entry.text("number"),
                    entry.choice("type", PhoneNumberType.class, PhoneNumberType.local),
                    entry.choice("status", PhoneNumberLifecycle.class, PhoneNumberLifecycle.active),
                    entry.instant("created_at", now));
        }

        @Override
        List<Object> lineColumns(Map<String, Object> own) {
            return List.of(own.get("number"), own.get("status"));
        }
    };

    private final ChannelType type;
    private final Class<?> stateClass;
    private final String section;
    private final List<String> fileFields;
    private final String linkColumn;
    private final List<String> shownColumns;

    CliChannel(ChannelType type, Class<?> stateClass, String section, List<String> fileFields,
            String linkColumn, List<String> shownColumns) {
        this.type = type;
        this.stateClass = stateClass;
        this.section = section;
        this.fileFields = fileFields;
        this.linkColumn = linkColumn;
        this.shownColumns = shownColumns;
    }

    /** The directory change's state for one entry of this type's list in a directory file. */
    abstract Object read(DirectoryFile.Entry entry, Instant now);

    /** The columns of {@code directory show}'s line between the channel's id and its version, in order. */
    abstract List<Object> lineColumns(Map<String, Object> own);

    ChannelType type() {
        return type;
    }

    Class<?> stateClass() {
        return stateClass;
    }

    /** The type's list in a directory file, which is also its table. */
    String section() {
        return section;
    }

    /** The fields an entry of the type's list may have besides those every entry has. */
    List<String> fileFields() {
        return fileFields;
    }

    /** The table's own columns {@code directory show} prints, named as in {@code --json}. */
    List<String> shownColumns() {
        return shownColumns;
    }

    /** The channels of this type that the identities bound to the second parameter hold, one row each. */
    String heldQuery() {
        return """
                SELECT a.identity_id, a.assigned_at, c.id, %s, c.version, c.updated_at
                FROM channel_assignments a
                JOIN %s c ON c.organization_id = a.organization_id AND c.id = a.%s
                WHERE a.organization_id = ? AND a.identity_id = ANY (?)
                """.formatted(shownColumns.stream().map(column -> "c." + column).collect(Collectors.joining(", ")),
                section, linkColumn);
    }

    /** The client's view of each channel type, in the order of {@link ChannelType}; fails when a type has none. */
    static List<CliChannel> ofEveryType() {
        return Arrays.stream(ChannelType.values()).map(CliChannel::of).toList();
    }

    static CliChannel of(ChannelType type) {
        for (CliChannel channel : values()) {
            if (channel.type == type) {
                return channel;
            }
        }
        throw new IllegalStateException("channel type " + type + " has no place in the command-line client");
    }
}
