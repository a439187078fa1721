package com.channelassignment.worker.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The schemas released so far, kept in {@code schemas/released/v1}, {@code v2}, ... and shipped on the classpath:
 * records written by any of them are read through schema resolution. Releases are numbered without gaps
 * ({@code ReleasedSchemasTest} holds the directory to it), so the first missing number ends the list.
 */
public final class ReleasedSchemas {

    static final String DIRECTORY = "schemas/released/";
    static final String REQUEST = "channel-assignment-request.avsc";
    static final String OUTCOME = "channel-assignment-outcome.avsc";

    private ReleasedSchemas() {
    }

    /** Every released request schema. */
    public static List<Schema> requests() {
        return released(REQUEST);
    }

    /** Every released outcome schema. */
    public static List<Schema> outcomes() {
        return released(OUTCOME);
    }

    /**
     * The released schemas of one file name. A release's outcome schema names the enums of the request schema
     * released beside it, which is parsed first.
     */
    private static List<Schema> released(String file) {
        ClassLoader loader = ReleasedSchemas.class.getClassLoader();
        List<Schema> schemas = new ArrayList<>();
        for (int version = 1; ; version++) {
            String release = DIRECTORY + "v" + version + "/";
            boolean hasRequest = loader.getResource(release + REQUEST) != null;
            boolean hasFile = loader.getResource(release + file) != null;
            if (!hasRequest && !hasFile) {
                return schemas;
            }
            if (!hasFile) {
                continue;
            }
            Schema.Parser parser = new Schema.Parser();
            if (!file.equals(REQUEST) && hasRequest) {
                parse(loader, parser, release + REQUEST);
            }
            schemas.add(parse(loader, parser, release + file));
        }
    }

    private static Schema parse(ClassLoader loader, Schema.Parser parser, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return parser.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the released schema " + resource, e);
        }
    }
}
