package com.channelassignment.worker.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.avro.Schema;

/**
 * A packaged build of the worker under comparison: its jar, the request schema its producers write (from the jar
 * itself), whether it reads its directory as directory changes on the requests topic or from a file at start-up, and
 * arguments and {@code CREATE DATABASE} options of its own (the same jar compared with itself under another setting).
 */
record Build(String name, Path jar, Schema requestSchema, boolean readsDirectoryChanges, List<String> arguments,
        String databaseOptions) {

    private static final String CLASSES = "BOOT-INF/classes/";
    private static final String REQUEST_SCHEMA = CLASSES + "schemas/channel-assignment-request.avsc";
    private static final String DIRECTORY_CHANGE_SCHEMA = CLASSES + "schemas/channel-assignment-directory-change.avsc";

    /**
     * The build packaged as {@code jar}, started with {@code arguments} besides the comparison's own, its databases
     * created with {@code databaseOptions}.
     */
    static Build of(String name, Path jar, List<String> arguments, String databaseOptions) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry requestSchema = zip.getEntry(REQUEST_SCHEMA);
            if (requestSchema == null) {
                throw new IllegalArgumentException(jar + " holds no " + REQUEST_SCHEMA + ": not a worker jar");
            }
            try (InputStream schema = zip.getInputStream(requestSchema)) {
                return new Build(name, jar.toAbsolutePath(), new Schema.Parser().parse(schema),
                        zip.getEntry(DIRECTORY_CHANGE_SCHEMA) != null, List.copyOf(arguments),
                        databaseOptions);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }
}
