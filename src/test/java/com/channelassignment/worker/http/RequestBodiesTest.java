package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.http.RequestBodies.BodyField;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {

    private static BodyField mailboxIdOf(String body) {
        return RequestBodies.channelId(body == null ? null : body.getBytes(StandardCharsets.UTF_8), "mailbox_id");
    }

    @Test
    void readsTheStringValueOfTheField() {
        assertThat(mailboxIdOf("{\"mailbox_id\": \"7c1d…\", \"other\": 1}"))
                .isEqualTo(BodyField.read("mailbox_id", "7c1d…"));
    }

    @Test
    void saysABodyIsRequiredForAMissingOrEmptyBody() {
        assertThat(mailboxIdOf(null)).isEqualTo(BodyField.unread("mailbox_id",
                "a JSON object with mailbox_id is required as the body"));
        assertThat(mailboxIdOf("")).isEqualTo(mailboxIdOf(null));
    }

    @Test
    void saysTheBodyIsNotJson() {
        assertThat(mailboxIdOf("not json").fault()).isEqualTo("the body is not JSON");
        assertThat(mailboxIdOf("{\"mailbox_id\": ").fault()).isEqualTo("the body is not JSON");
    }

    @Test
    void saysTheBodyIsNotAJsonObject() {
        assertThat(mailboxIdOf("[\"mailbox_id\"]").fault()).isEqualTo("the body must be a JSON object with mailbox_id");
        assertThat(mailboxIdOf("\"mailbox_id\"").fault()).isEqualTo("the body must be a JSON object with mailbox_id");
        assertThat(mailboxIdOf("null").fault()).isEqualTo("the body must be a JSON object with mailbox_id");
    }

    @Test
    void saysTheFieldIsMissingOrNotAString() {
        assertThat(mailboxIdOf("{}").fault()).isEqualTo("mailbox_id is required");
        assertThat(mailboxIdOf("{\"phone_number_id\": \"x\"}").fault()).isEqualTo("mailbox_id is required");
        assertThat(mailboxIdOf("{\"mailbox_id\": null}").fault()).isEqualTo("mailbox_id is required");
        assertThat(mailboxIdOf("{\"mailbox_id\": 42}").fault()).isEqualTo("mailbox_id must be a string");
        assertThat(mailboxIdOf("{\"mailbox_id\": {\"id\": \"x\"}}").fault()).isEqualTo("mailbox_id must be a string");
        assertThat(mailboxIdOf("{\"mailbox_id\": 42}").value()).isNull();
    }
}
