package com.channelassignment.worker.cli;

import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.core.util.Separators.Spacing;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client's JSON: a record written on one line by Jackson, its components in declaration order under snake_case
 * names, spaced as Avro writes an outcome ({@code {"name": value, "list": [1, 2]}}), so every line a script reads
 * looks alike.
 */
final class CliJson {

    private static final ObjectWriter WRITER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build()
            .writer()
            .with(oneLine());

    private CliJson() {
    }

    static String line(Object value) {
        return WRITER.writeValueAsString(value);
    }

    /** A space after each {@code :} and {@code ,}, none inside {@code []} and {@code {}}, and no line breaks. */
    private static DefaultPrettyPrinter oneLine() {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectNameValueSpacing(Spacing.AFTER)
                .withObjectEntrySpacing(Spacing.AFTER)
                .withArrayElementSpacing(Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""));
        printer.indentObjectsWith(new DefaultPrettyPrinter.NopIndenter());
        printer.indentArraysWith(new DefaultPrettyPrinter.NopIndenter());
        return printer;
    }
}
