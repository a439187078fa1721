package com.channelassignment.worker.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.domain.PhoneNumberStatus;
import com.channelassignment.worker.domain.PhoneNumberType;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChannelTableTest {

    private static final UUID ID = UUID.randomUUID();
    private static final Instant CREATED = Instant.parse("2026-01-15T10:00:00Z");
    private static final Instant UPDATED = Instant.parse("2026-02-01T08:30:00Z");

    @Test
    void everyChannelTypeHasExactlyOneTable() {
        for (ChannelType type : ChannelType.values()) {
            assertThat(ChannelTable.of(type).type()).as("table of %s", type).isEqualTo(type);
        }
        assertThat(ChannelTable.ofEveryType()).extracting(ChannelTable::type).containsExactly(ChannelType.values());
        assertThat(ChannelTable.values()).hasSameSizeAs(ChannelType.values());
    }

    @Test
    void refusesToMapARowOfAChannelTypeWithoutATable() {
        assertThatThrownBy(() -> ChannelTable.channel(row("FAX_NUMBER", "+18005550100", "local", "active")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("channel type FAX_NUMBER has 0 tables");
    }

    @Test
    void mapsAMailboxRowToAMailbox() {
        assertThat(ChannelTable.channel(row("MAILBOX", "sales@acme.test", null, "true")))
                .isEqualTo(new Mailbox(ID, "org-acme", "sales@acme.test", null, true, CREATED, UPDATED));
    }

    @Test
    void mapsAPhoneNumberRowToAPhoneNumber() {
        assertThat(ChannelTable.channel(row("PHONE_NUMBER", "+18005550100", "toll_free", "released")))
                .isEqualTo(new PhoneNumber(ID, "org-acme", "+18005550100", PhoneNumberType.TOLL_FREE,
                        PhoneNumberStatus.RELEASED, CREATED, UPDATED));
    }

    @Test
    void refusesARowWhoseOwnColumnsAreNotItsTables() {
        assertThatThrownBy(() -> ChannelTable.channel(row("MAILBOX", "sales@acme.test", "Sales")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a MAILBOX row has 2 columns of its own, not 3");
    }

    @Test
    void refusesAMailboxWhoseDeletedFlagIsNoBoolean() {
        assertThatThrownBy(() -> ChannelTable.channel(row("MAILBOX", "sales@acme.test", "Sales", "t")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mailboxes.deleted is t");
    }

    @Test
    void selectsEveryTableInTheSameShape() {
        for (ChannelTable table : ChannelTable.values()) {
            assertThat(table.select()).as("select of %s", table).startsWith(
                    "SELECT '" + table.type().name() + "' AS channel_type, id, organization_id, created_at,"
                            + " updated_at, version, ARRAY[").endsWith("] AS detail FROM " + table.table());
        }
    }

    private static ChannelTable.Row row(String channelType, String... ownColumns) {
        List<String> detail = Arrays.asList(ownColumns);
        return new ChannelTable.Row(channelType, ID, "org-acme", CREATED, UPDATED, detail);
    }
}
