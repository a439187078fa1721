package com.channelassignment.worker.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.boot.json.JsonParserFactory;

/** Reads the one field an assignment's body carries. */
final class RequestBodies {

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
            Map<String, Object> json = JsonParserFactory.getJsonParser()
                    .parseMap(new String(body, StandardCharsets.UTF_8));
            return json.get(field) instanceof String value ? value : null;
        } catch (IllegalArgumentException notAnObject) {
            return null;
        }
    }
}
