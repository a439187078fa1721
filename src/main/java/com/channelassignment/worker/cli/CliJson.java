package com.channelassignment.worker.cli;

import tools.jackson.core.util.MinimalPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.core.util.Separators.Spacing;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client's JSON: a record written on one line by Jackson, its components in declaration order under snake_case
 * names, spaced as Avro writes an outcome ({@code {"name": value, ...}}), so every line a script reads looks alike.
 */
final class CliJson {

    private static final ObjectWriter WRITER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build()
            .writer().with(new MinimalPrettyPrinter().setSeparators(Separators.createDefaultInstance()
                    .withObjectNameValueSpacing(Spacing.AFTER)
                    .withObjectEntrySpacing(Spacing.AFTER)
                    .withArrayElementSpacing(Spacing.AFTER)));

    private CliJson() {
    }

    static String line(Object value) {
        return WRITER.writeValueAsString(value);
    }
}
