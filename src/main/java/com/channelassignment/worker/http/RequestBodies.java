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
     * The string value of {@code field}, or null when the body is missing, is not a JSON object, or has no string
     * there: the request then goes through without a channel id, and the rules answer it as malformed (422), the
     * same way they answer it on the topic.
     */
    static String channelId(byte[] body, String field) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode value = json.isObject() ? json.get(field) : null;
            return value != null && value.isString() ? value.stringValue() : null;
        } catch (JacksonException notJson) {
            return null;
        }
    }
}
