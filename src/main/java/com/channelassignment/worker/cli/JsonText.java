package com.channelassignment.worker.cli;

/** The client's JSON, written by hand on one line: quoted strings and {@code "name": value} fields. */
final class JsonText {

    private JsonText() {
    }

    /** {@code "name": "value"}, or {@code "name": null}. */
    static String field(String name, String value) {
        return quoted(name) + ": " + (value == null ? "null" : quoted(value));
    }

    static String quoted(String value) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append("\\u%04x".formatted((int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
