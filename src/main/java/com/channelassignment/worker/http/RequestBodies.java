package com.channelassignment.worker.http;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the one field an assignment's body carries. */
final class RequestBodies {

    // One mapper, thread-safe and shared: Spring Boot's JsonParserFactory builds a new one on every call.
    private static final JsonMapper JSON = JsonMapper.shared();

    private RequestBodies() {
    }

    /**
     * What the body says in its one field: the field's string value, or why there is none. A request without the
     * value still goes through, without a channel id, and the rules refuse it as malformed (422) the same way they
     * refuse it on the topic; the reason is what the call's refusal tells the caller.
     */
    record BodyField(String name, String value, String fault) {

        static BodyField read(String name, String value) {
            return new BodyField(name, value, null);
        }

        static BodyField unread(String name, String fault) {
            return new BodyField(name, null, fault);
        }
    }

    static BodyField channelId(byte[] body, String field) {
        if (body == null || body.length == 0) {
            return BodyField.unread(field, "a JSON object with %s is required as the body".formatted(field));
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JacksonException notJson) {
            return BodyField.unread(field, "the body is not JSON");
        }
        if (json == null || !json.isObject()) {
            return BodyField.unread(field, "the body must be a JSON object with %s".formatted(field));
        }
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return BodyField.unread(field, "%s is required".formatted(field));
        }
        if (!value.isString()) {
            return BodyField.unread(field, "%s must be a string".formatted(field));
        }
        return BodyField.read(field, value.stringValue());
    }
}
