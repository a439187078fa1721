package com.channelassignment.worker.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap peaks read from a worker's {@code -Xlog:gc} file: exact, and free for the worker, unlike polling its metrics
 * endpoint while it runs.
 */
record GcLog(long peakUsedMib, long peakLiveMib, int collections) {

    // "[12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 301M->52M(512M) 8.123ms"
    private static final Pattern PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    static String option(Path file) {
        return "-Xlog:gc:file=" + file;
    }

    static GcLog read(Path file) {
        long peakUsed = 0;
        long peakLive = 0;
        int collections = 0;
        try {
            for (String line : Files.readAllLines(file)) {
                Matcher pause = PAUSE.matcher(line);
                if (pause.find()) {
                    collections++;
                    peakUsed = Math.max(peakUsed, Long.parseLong(pause.group(1)));
                    peakLive = Math.max(peakLive, Long.parseLong(pause.group(2)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker's GC log " + file, e);
        }
        return new GcLog(peakUsed, peakLive, collections);
    }
}
