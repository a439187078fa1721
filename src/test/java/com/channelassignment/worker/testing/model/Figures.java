package com.channelassignment.worker.testing.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Prints named figures as a Markdown table and as one machine-readable JSON line. */
public final class Figures {

    private Figures() {
    }

    public static String table(Map<String, Object> figures) {
        StringBuilder table = new StringBuilder("| figure | value |\n|---|---|\n");
        figures.forEach((name, value) -> table.append("| %s | %s |%n".formatted(name, value)));
        return table.toString();
    }

    /** Strings quoted (and their quotes and backslashes escaped), numbers and booleans bare. */
    public static String json(Map<String, Object> figures) {
        StringBuilder json = new StringBuilder("{");
        figures.forEach((name, value) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(name).append("\":");
            json.append(value instanceof Number || value instanceof Boolean ? String.valueOf(value)
                    : "\"" + String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        });
        return json.append('}').toString();
    }

    /** Appends one line of figures to a report file that collects runs, creating it and its folder if needed. */
    public static void appendLine(Path file, String line) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
