package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {

    private static String mailboxIdOf(String body) {
        return RequestBodies.channelId(body == null ? null : body.getBytes(StandardCharsets.UTF_8), "mailbox_id");
    }

    @Test
    void readsTheStringValueOfTheField() {
        assertThat(mailboxIdOf("{\"mailbox_id\": \"7c1d…\", \"other\": 1}")).isEqualTo("7c1d…");
    }

    @Test
    void answersNothingForAMissingOrEmptyBody() {
        assertThat(mailboxIdOf(null)).isNull();
        assertThat(mailboxIdOf("")).isNull();
    }

    @Test
    void answersNothingForABodyThatIsNotAJsonObject() {
        assertThat(mailboxIdOf("not json")).isNull();
        assertThat(mailboxIdOf("{\"mailbox_id\": ")).isNull();
        assertThat(mailboxIdOf("[\"mailbox_id\"]")).isNull();
        assertThat(mailboxIdOf("\"mailbox_id\"")).isNull();
        assertThat(mailboxIdOf("null")).isNull();
    }

    @Test
    void answersNothingWhenTheFieldIsMissingOrNotAString() {
        assertThat(mailboxIdOf("{}")).isNull();
        assertThat(mailboxIdOf("{\"phone_number_id\": \"x\"}")).isNull();
        assertThat(mailboxIdOf("{\"mailbox_id\": 42}")).isNull();
        assertThat(mailboxIdOf("{\"mailbox_id\": null}")).isNull();
        assertThat(mailboxIdOf("{\"mailbox_id\": {\"id\": \"x\"}}")).isNull();
    }
}
