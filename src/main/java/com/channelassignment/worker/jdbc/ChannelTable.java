package com.channelassignment.worker.jdbc;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.PhoneNumberType;
import com.channelassignment.worker.domain.Versioned;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The table each channel type lives in, and how its rows are read and mapped. The store reads a new channel type once
 * it has a constant here; a row of a type without one fails, it is never mapped as another type.
 *
 * <p>Every channel table is read in one shape, so one query can return the channels of all of them: the columns they
 * all have, and the table's own columns as a text array, {@code detail}, in the order the constant lists them.
 */
enum ChannelTable {

    MAILBOXES(ChannelType.MAILBOX, "mailboxes", "email_address", "display_name", "deleted") {
        @Override
        Channel map(Row row) {
            return new Mailbox(row.id(), row.organizationId(), text(row, "email_address"),
                    text(row, "display_name"), bool(row, "deleted"), row.createdAt(), row.updatedAt());
        }

        @Override
        SqlStatement upsert(List<Versioned<Channel>> entries) {
            List<Versioned<Mailbox>> mailboxes = only(entries, Mailbox.class);
            return SqlStatement.of(UPSERT_MAILBOXES,
                    column(mailboxes, mailbox -> mailbox.id().toString()),
                    column(mailboxes, Mailbox::organizationId),
                    column(mailboxes, Mailbox::emailAddress),
                    column(mailboxes, Mailbox::displayName),
                    mailboxes.stream().map(entry -> entry.entry().deleted()).toArray(Boolean[]::new),
                    timestamps(mailboxes, Mailbox::createdAt),
                    timestamps(mailboxes, Mailbox::updatedAt),
                    versions(mailboxes));
        }
    },

    PHONE_NUMBERS(ChannelType.PHONE_NUMBER, "phone_numbers", "number", "type", "status") {
        @Override
        Channel map(Row row) {
            return new PhoneNumber(row.id(), row.organizationId(), text(row, "number"),
                    PhoneNumberType.valueOf(text(row, "type").toUpperCase(Locale.ROOT)),
                    PhoneNumberStatus.valueOf(text(row, "status").toUpperCase(Locale.ROOT)),
                    row.createdAt(), row.updatedAt());
        }

        @Override
        SqlStatement upsert(List<Versioned<Channel>> entries) {
            List<Versioned<PhoneNumber>> numbers = only(entries, PhoneNumber.class);
            return SqlStatement.of(UPSERT_PHONE_NUMBERS,
                    column(numbers, number -> number.id().toString()),
                    column(numbers, PhoneNumber::organizationId),
                    column(numbers, PhoneNumber::number),
                    column(numbers, number -> number.numberType().name().toLowerCase(Locale.ROOT)),
                    column(numbers, number -> number.status().name().toLowerCase(Locale.ROOT)),
                    timestamps(numbers, PhoneNumber::createdAt),
                    timestamps(numbers, PhoneNumber::updatedAt),
                    versions(numbers));
        }
    };

    // The state a directory change carries, written over the row when its version is above the row's. The batch has
    // decided that under the row's lock already; the condition keeps an older state from ever winning.
    private static final String UPSERT_MAILBOXES = """
            INSERT INTO mailboxes (id, organization_id, email_address, display_name, deleted, created_at, updated_at,
                                   version)
            SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::timestamptz[],
                                 ?::timestamptz[], ?::bigint[])
            ON CONFLICT (organization_id, id) DO UPDATE SET
                email_address = excluded.email_address, display_name = excluded.display_name,
                deleted = excluded.deleted, created_at = excluded.created_at, updated_at = excluded.updated_at,
                version = excluded.version
             WHERE mailboxes.version < excluded.version
            """;

    private static final String UPSERT_PHONE_NUMBERS = """
            INSERT INTO phone_numbers (id, organization_id, number, type, status, created_at, updated_at, version)
            SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[],
                                 ?::timestamptz[], ?::bigint[])
            ON CONFLICT (organization_id, id) DO UPDATE SET
                number = excluded.number, type = excluded.type, status = excluded.status,
                created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version
             WHERE phone_numbers.version < excluded.version
            """;

    private final ChannelType type;
    private final String table;
    private final List<String> ownColumns;

    ChannelTable(ChannelType type, String table, String... ownColumns) {
        this.type = type;
        this.table = table;
        this.ownColumns = List.of(ownColumns);
    }

    abstract Channel map(Row row);

    /** Writes the state directory changes carry for this table's channels among {@code entries}. */
    abstract SqlStatement upsert(List<Versioned<Channel>> entries);

    private static <T extends Channel> List<Versioned<T>> only(List<Versioned<Channel>> entries, Class<T> type) {
        return entries.stream().filter(entry -> type.isInstance(entry.entry()))
                .map(entry -> new Versioned<>(type.cast(entry.entry()), entry.version())).toList();
    }

    private static <T> String[] column(List<Versioned<T>> entries, Function<T, String> value) {
        return entries.stream().map(entry -> value.apply(entry.entry())).toArray(String[]::new);
    }

    private static <T> Timestamp[] timestamps(List<Versioned<T>> entries, Function<T, Instant> value) {
        return entries.stream().map(entry -> Timestamp.from(value.apply(entry.entry()))).toArray(Timestamp[]::new);
    }

    private static <T> Long[] versions(List<Versioned<T>> entries) {
        return entries.stream().map(Versioned::version).toArray(Long[]::new);
    }

    ChannelType type() {
        return type;
    }

    String table() {
        return table;
    }

    /** The table's channels in the shape every channel is read in; the caller adds the conditions. */
    String select() {
        return ("SELECT '%s' AS channel_type, id, organization_id, created_at, updated_at, version, ARRAY[%s] AS detail"
                + " FROM %s")
                .formatted(type.name(), ownColumns.stream().map(column -> column + "::text")
                        .collect(Collectors.joining(", ")), table);
    }

    /** The table of each channel type, in the order of {@link ChannelType}; fails when a type has no table. */
    static List<ChannelTable> ofEveryType() {
        return Arrays.stream(ChannelType.values()).map(ChannelTable::of).toList();
    }

    static ChannelTable of(ChannelType type) {
        return of(type.name());
    }

    /** The table of a stored channel type name; fails for a name that no table, or more than one, answers to. */
    static ChannelTable of(String channelType) {
        List<ChannelTable> tables = Arrays.stream(values()).filter(table -> table.type.name().equals(channelType))
                .toList();
        if (tables.size() != 1) {
            throw new IllegalStateException("channel type %s has %d tables, not one: %s"
                    .formatted(channelType, tables.size(), tables));
        }
        return tables.get(0);
    }

    /** The channel in a row of the {@link #select()} shape that names its type in {@code channel_type}. */
    static Channel channel(ResultSet rs) throws SQLException {
        return channel(new Row(rs.getString("channel_type"), rs.getObject("id", UUID.class),
                rs.getString("organization_id"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(), Arrays.asList((String[]) rs.getArray("detail").getArray())));
    }

    static Channel channel(Row row) {
        ChannelTable table = of(row.channelType());
        if (row.detail().size() != table.ownColumns.size()) {
            throw new IllegalStateException("a %s row has %d columns of its own, not %d"
                    .formatted(row.channelType(), row.detail().size(), table.ownColumns.size()));
        }
        return table.map(row);
    }

    String text(Row row, String column) {
        int index = ownColumns.indexOf(column);
        if (index < 0) {
            throw new IllegalArgumentException(table + " reads no column " + column);
        }
        return row.detail().get(index);
    }

    boolean bool(Row row, String column) {
        String value = text(row, column);
        if (!"true".equals(value) && !"false".equals(value)) {
            throw new IllegalStateException("%s.%s is %s, not a boolean".formatted(table, column, value));
        }
        return Boolean.parseBoolean(value);
    }

    /** A channel row as read: its type's name, the columns every channel table has, and the table's own as text. */
    record Row(String channelType, UUID id, String organizationId, Instant createdAt, Instant updatedAt,
            List<String> detail) {

        Row {
            // The table's own columns may be NULL (a mailbox's display name), which List.copyOf refuses.
            detail = Collections.unmodifiableList(new ArrayList<>(detail));
        }
    }
}
