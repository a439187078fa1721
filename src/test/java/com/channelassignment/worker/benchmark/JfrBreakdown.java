package com.channelassignment.worker.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where inside the worker two builds spend their CPU, from the flight recordings of a {@link BuildComparison}: the
 * execution samples of each phase by component (the first frame outside the JDK, so a {@code HashMap.get} counts
 * for the code that called it) and by method on top of the stack, each share turned into microseconds per request
 * with the build's measured worker CPU per request.
 */
final class JfrBreakdown {

    private static final int TOP_METHODS = 30;
    // Longest prefix first: the first that matches names the component.
    private static final Map<String, String> LIBRARIES = new LinkedHashMap<>();

    static {
        LIBRARIES.put("org.apache.kafka.clients.producer", "kafka-clients producer");
        LIBRARIES.put("org.apache.kafka.clients.consumer", "kafka-clients consumer");
        LIBRARIES.put("org.apache.kafka", "kafka-clients common");
        LIBRARIES.put("org.springframework.kafka", "spring-kafka");
        LIBRARIES.put("org.springframework.jdbc", "spring-jdbc");
        LIBRARIES.put("org.springframework.transaction", "spring-tx");
        LIBRARIES.put("org.springframework.boot.loader", "spring-boot loader");
        LIBRARIES.put("org.springframework", "spring (other)");
        LIBRARIES.put("org.postgresql", "pgjdbc");
        LIBRARIES.put("com.zaxxer.hikari", "hikari");
        LIBRARIES.put("org.apache.avro", "avro");
        LIBRARIES.put("ch.qos.logback", "logging");
        LIBRARIES.put("org.slf4j", "logging");
        LIBRARIES.put("io.micrometer", "micrometer");
        LIBRARIES.put("io.opentelemetry", "opentelemetry");
    }

    /** One round's recordings by phase ({@code cold}, {@code burst}) and its figures. */
    record Recording(String build, Map<String, Path> profiles, Map<String, Object> figures) {
    }

    private JfrBreakdown() {
    }

    static String compare(List<String> builds, List<Recording> recordings) {
        StringBuilder report = new StringBuilder();
        for (String phase : List.of("burst", "cold")) {
            Map<String, Samples> byBuild = new LinkedHashMap<>();
            for (String build : builds) {
                Samples samples = new Samples();
                double cpu = 0;
                int rounds = 0;
                for (Recording recording : recordings) {
                    Path file = recording.profiles().get(phase);
                    if (recording.build().equals(build) && file != null && Files.exists(file)) {
                        samples.read(file);
                        cpu += ((Number) recording.figures().get(phase + "_cpu_us_per_request_worker"))
                                .doubleValue();
                        rounds++;
                    }
                }
                if (rounds == 0) {
                    return report.toString();
                }
                samples.cpuPerRequest = cpu / rounds;
                byBuild.put(build, samples);
            }
            report.append(table(phase + ", by component (first frame outside the JDK)", byBuild,
                    samples -> samples.byComponent, Integer.MAX_VALUE));
            report.append(table(phase + ", by method on top of the stack", byBuild, samples -> samples.byTopMethod,
                    TOP_METHODS));
        }
        return report.toString();
    }

    private static String table(String title, Map<String, Samples> byBuild,
            Function<Samples, Map<String, Integer>> view, int limit) {
        List<String> builds = new ArrayList<>(byBuild.keySet());
        Set<String> keys = new LinkedHashSet<>();
        Map<String, Double> largest = new HashMap<>();
        for (Samples samples : byBuild.values()) {
            view.apply(samples).forEach((key, count) -> {
                keys.add(key);
                largest.merge(key, samples.micros(count), Math::max);
            });
        }
        List<String> ordered = new ArrayList<>(keys);
        ordered.sort(Comparator.comparing((String key) -> difference(byBuild, builds, view, key)).reversed()
                .thenComparing(key -> -largest.get(key)));
        if (ordered.size() > limit) {
            ordered.sort(Comparator.comparing((String key) -> -largest.get(key)));
            ordered = new ArrayList<>(ordered.subList(0, limit));
            ordered.sort(Comparator.comparing((String key) -> difference(byBuild, builds, view, key)).reversed());
        }
        StringBuilder table = new StringBuilder("\n" + title + ": share of samples, µs per request (share × the "
                + "worker's CPU per request)\n\n| where |");
        builds.forEach(build -> table.append(" %s (%d samples, %.0f µs) |".formatted(build,
                byBuild.get(build).total, byBuild.get(build).cpuPerRequest)));
        table.append(" difference µs |\n|---|");
        builds.forEach(build -> table.append("---|"));
        table.append("---|\n");
        for (String key : ordered) {
            table.append("| ").append(key.replace("|", "\\|")).append(" |");
            for (String build : builds) {
                Samples samples = byBuild.get(build);
                int count = view.apply(samples).getOrDefault(key, 0);
                table.append(" %.1f%%, %.1f |".formatted(100.0 * count / Math.max(1, samples.total),
                        samples.micros(count)));
            }
            table.append(" %+.1f |%n".formatted(difference(byBuild, builds, view, key)));
        }
        return table.toString();
    }

    /** The first build's microseconds less the second's. */
    private static double difference(Map<String, Samples> byBuild, List<String> builds,
            Function<Samples, Map<String, Integer>> view, String key) {
        Samples first = byBuild.get(builds.get(0));
        Samples second = byBuild.get(builds.get(1));
        return first.micros(view.apply(first).getOrDefault(key, 0))
                - second.micros(view.apply(second).getOrDefault(key, 0));
    }

    /** Execution samples of one build and phase, summed over its rounds. */
    private static final class Samples {
        final Map<String, Integer> byComponent = new HashMap<>();
        final Map<String, Integer> byTopMethod = new HashMap<>();
        int total;
        double cpuPerRequest;

        void read(Path file) {
            try {
                for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                    if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                        continue;
                    }
                    RecordedStackTrace stack = event.getStackTrace();
                    if (stack == null || stack.getFrames().isEmpty()) {
                        continue;
                    }
                    total++;
                    byComponent.merge(component(stack), 1, Integer::sum);
                    RecordedFrame top = stack.getFrames().get(0);
                    byTopMethod.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1,
                            Integer::sum);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        double micros(int count) {
            return total == 0 ? 0 : cpuPerRequest * count / total;
        }
    }

    private static String component(RecordedStackTrace stack) {
        for (RecordedFrame frame : stack.getFrames()) {
            String type = frame.getMethod().getType().getName();
            if (!isJdk(type)) {
                return componentOf(type);
            }
        }
        return "JDK only";
    }

    private static boolean isJdk(String type) {
        return type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")
                || type.startsWith("com.sun.");
    }

    private static String componentOf(String type) {
        String worker = "com.channelassignment.worker.";
        if (type.startsWith(worker)) {
            String[] parts = type.substring(worker.length()).split("\\.");
            // kafka.avro holds the generated classes: the contract's, not the adapter's.
            boolean twoLevels = parts.length > 2 && parts[0].equals("kafka");
            return "worker " + (twoLevels ? parts[0] + "." + parts[1] : parts.length > 1 ? parts[0] : "(root)");
        }
        for (Map.Entry<String, String> library : LIBRARIES.entrySet()) {
            if (type.startsWith(library.getKey())) {
                return library.getValue();
            }
        }
        String[] parts = type.split("\\.");
        return parts.length > 2 ? parts[0] + "." + parts[1] + "." + parts[2] : type;
    }
}
