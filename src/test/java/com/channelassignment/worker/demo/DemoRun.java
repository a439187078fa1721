package com.channelassignment.worker.demo;

import com.channelassignment.worker.WorkerProperties;
import com.channelassignment.worker.cli.ChannelAssignmentCli;
import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.io.ClassPathResource;

/**
 * Loads the demo directory with the CLI's {@code directory load}, as an operator would, then produces the demo stream
 * and, once every outcome and the dead letter arrived, prints them in the README table's order with a summary that
 * compares what arrived with what {@link DemoScenario} expects.
 */
public class DemoRun implements ApplicationRunner {

    private static final Duration DEMO_TIMEOUT = Duration.ofSeconds(90);
    private static final String DIRECTORY = "demo/directory.json";

    private final AvroContract contract;
    private final WorkerProperties properties;
    private final String bootstrapServers;
    private final PrintStream out;
    private volatile DemoReport report;

    public DemoRun(AvroContract contract, WorkerProperties properties,
            String bootstrapServers, PrintStream out) {
        this.contract = contract;
        this.properties = properties;
        this.bootstrapServers = bootstrapServers;
        this.out = out;
    }

    /** What the last run saw; null before it finished. */
    public DemoReport report() {
        return report;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        List<DemoScenario.Step> steps = new DemoScenario(contract, properties.wireFormat(),
                properties.topics().requests()).steps();
        out.printf("%nDemo: the directory (2 organizations, 7 identities, 5 mailboxes, 3 numbers), then %d records "
                + "on %s (Kafka: %s; wire format: %s)%n", steps.size(), properties.topics().requests(),
                bootstrapServers, properties.wireFormat().settingValue());
        if (properties.wireFormat() == WireFormat.CONFLUENT) {
            registerSchemas();
        }
        loadDirectory();
        produce(steps);
        out.printf("%nWaiting for the %d records' outcomes and dead letter...%n", steps.size());
        report = watch(steps);
        // Printed once everything has arrived: in the README table's order, and not interleaved with the worker's own
        // lines (the dead letter's WARN).
        out.println();
        out.println(report.table());
        out.println(report.summary());
        out.println();
    }

    /** As a deployment pipeline would, with the CLI: the directory load needs the directory change's schema. */
    private void registerSchemas() {
        List<String> command = List.of("schemas", "register", "--registry-url", properties.schemaRegistry().url(),
                "--topic", properties.topics().requests(), "--outcomes-topic", properties.topics().outcomes());
        out.printf("%n$ java -jar %s %s%n", jar(), String.join(" ", command));
        int status = ChannelAssignmentCli.run(command.toArray(String[]::new), out, out);
        if (status != 0) {
            throw new IllegalStateException("the demo's schemas were not registered: exit status " + status);
        }
    }

    /** Through the topic, like every directory: the demo's requests queue behind the changes they depend on. */
    private void loadDirectory() throws IOException {
        Path file = Files.createTempFile("demo-directory", ".json");
        try (InputStream json = new ClassPathResource(DIRECTORY).getInputStream()) {
            Files.copy(json, file, StandardCopyOption.REPLACE_EXISTING);
            List<String> options = new ArrayList<>(List.of("--bootstrap-servers", bootstrapServers,
                    "--topic", properties.topics().requests(), "--outcomes-topic", properties.topics().outcomes()));
            if (properties.wireFormat() == WireFormat.CONFLUENT) {
                options.addAll(List.of("--wire-format", WireFormat.CONFLUENT.settingValue(), "--registry-url",
                        properties.schemaRegistry().url()));
            }
            // The command as a user would run it from the project folder, after ./mvnw package.
            out.printf("%n$ java -jar %s directory load --file src/test/resources/%s %s%n", jar(), DIRECTORY,
                    String.join(" ", options));
            List<String> command = new ArrayList<>(List.of("directory", "load", "--file", file.toString()));
            command.addAll(options);
            int status = ChannelAssignmentCli.run(command.toArray(String[]::new), out, out);
            if (status != 0) {
                throw new IllegalStateException("the demo directory was not loaded: exit status " + status);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The jar {@code ./mvnw package} builds, as {@code spring-boot:test-run} names it. */
    public static String jar() {
        return System.getProperty("demo.jar", "target/channel-assignment-worker-*.jar");
    }

    private void produce(List<DemoScenario.Step> steps) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (DemoScenario.Step step : steps) {
                producer.send(new ProducerRecord<>(properties.topics().requests(),
                        step.key().getBytes(StandardCharsets.UTF_8), step.value()));
            }
        }
    }

    private DemoReport watch(List<DemoScenario.Step> steps) {
        Map<String, List<Integer>> pendingByRequestId = new HashMap<>();
        List<Integer> pendingDeadLetters = new ArrayList<>();
        for (int row = 0; row < steps.size(); row++) {
            DemoScenario.Step step = steps.get(row);
            if (step.expected().deadLetter()) {
                pendingDeadLetters.add(row);
            } else {
                pendingByRequestId.computeIfAbsent(step.requestId(), id -> new ArrayList<>()).add(row);
            }
        }
        DemoReport.Builder report = new DemoReport.Builder(steps);
        String outcomes = properties.topics().outcomes();
        String deadLetters = properties.topics().deadLetter();
        try (KafkaConsumer<byte[], byte[]> consumer = readCommittedConsumer()) {
            consumer.subscribe(List.of(outcomes, deadLetters));
            long deadline = System.nanoTime() + DEMO_TIMEOUT.toNanos();
            while ((!pendingByRequestId.isEmpty() || !pendingDeadLetters.isEmpty()) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    report.firstArrival(uptimeMillis());
                    if (record.topic().equals(deadLetters) && !pendingDeadLetters.isEmpty()) {
                        String reason = header(record, "kafka_dlt-exception-fqcn");
                        report.deadLettered(pendingDeadLetters.remove(0),
                                reason == null ? "?" : reason.substring(reason.lastIndexOf('.') + 1));
                    } else if (record.topic().equals(outcomes)) {
                        ChannelAssignmentOutcome outcome = contract.decodeOutcome(record.value());
                        List<Integer> candidates = pendingByRequestId.get(outcome.getRequestId());
                        if (candidates == null) {
                            continue;
                        }
                        int row = candidates.remove(0);
                        if (candidates.isEmpty()) {
                            pendingByRequestId.remove(outcome.getRequestId());
                        }
                        report.outcome(row, outcome);
                    }
                }
            }
        }
        return report.build();
    }

    static String describe(ChannelAssignmentOutcome outcome) {
        return outcome.getStatus() + (outcome.getRejection() == null ? "" : " " + outcome.getRejection().getCode())
                + " changed=" + outcome.getChanged();
    }

    private KafkaConsumer<byte[], byte[]> readCommittedConsumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "demo-watcher-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static long uptimeMillis() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    /** One row of the demo table as it came out: its number, the record, and what it got. */
    public record Row(int number, String label, String requestId, String result, String eventId, boolean asExpected,
            String expected) {

        String line() {
            return "%3d  %-48s %-9s %-48s %s%s".formatted(number, label, requestId == null ? "-" : requestId, result,
                    eventId == null ? "" : eventId.substring(0, 8),
                    asExpected ? "" : "   (expected " + expected + ")");
        }
    }

    /** What a demo run saw, for the summary and for the demo test. */
    public record DemoReport(int records, List<Row> rows, Map<String, Integer> outcomesByResult, int deadLettered,
            List<String> mismatches, long firstOutcomeAfterStartMillis) {

        public boolean allAsExpected() {
            return mismatches.isEmpty();
        }

        /** The rows in the README table's order; a record that got nothing has no row. */
        public String table() {
            StringBuilder table = new StringBuilder("%3s  %-48s %-9s %-48s %s%n".formatted("#", "record", "request_id",
                    "result", "event_id (first 8)"));
            rows.forEach(row -> table.append(row.line()).append(System.lineSeparator()));
            return table.toString();
        }

        String summary() {
            String format = "Summary: %d records; outcomes %s; %d dead-lettered; first outcome %.1f s after JVM "
                    + "start; ";
            StringBuilder summary = new StringBuilder(format.formatted(records, outcomesByResult, deadLettered,
                    firstOutcomeAfterStartMillis / 1000.0));
            summary.append(allAsExpected() ? "every record got the outcome the README says."
                    : "MISMATCHES:\n  " + String.join("\n  ", mismatches));
            return summary.toString();
        }

        static final class Builder {
            private final List<DemoScenario.Step> steps;
            private final Row[] rows;
            private final Map<String, Integer> outcomesByResult = new TreeMap<>();
            private int deadLettered;
            private long firstArrival = -1;

            Builder(List<DemoScenario.Step> steps) {
                this.steps = steps;
                this.rows = new Row[steps.size()];
            }

            void firstArrival(long uptime) {
                if (firstArrival < 0) {
                    firstArrival = uptime;
                }
            }

            void deadLettered(int row, String reason) {
                deadLettered++;
                DemoScenario.Step step = steps.get(row);
                rows[row] = new Row(row + 1, step.label(), null, "dead-lettered (" + reason + ")", null,
                        step.expected().deadLetter(), step.expected().toString());
            }

            void outcome(int row, ChannelAssignmentOutcome outcome) {
                DemoScenario.Step step = steps.get(row);
                String result = outcome.getRejection() == null ? outcome.getStatus().toString()
                        : outcome.getRejection().getCode().toString();
                outcomesByResult.merge(result, 1, Integer::sum);
                String actual = describe(outcome);
                rows[row] = new Row(row + 1, step.label(), outcome.getRequestId(), actual, outcome.getEventId(),
                        actual.equals(step.expected().toString()), step.expected().toString());
            }

            DemoReport build() {
                List<String> mismatches = new ArrayList<>();
                for (int row = 0; row < rows.length; row++) {
                    DemoScenario.Step step = steps.get(row);
                    if (rows[row] == null) {
                        mismatches.add("%d %s: nothing arrived, expected %s".formatted(row + 1, step.label(),
                                step.expected()));
                    } else if (!rows[row].asExpected()) {
                        mismatches.add("%d %s: got %s, expected %s".formatted(row + 1, step.label(),
                                rows[row].result(), step.expected()));
                    }
                }
                return new DemoReport(steps.size(), Arrays.stream(rows).filter(Objects::nonNull).toList(),
                        Collections.unmodifiableMap(new TreeMap<>(outcomesByResult)), deadLettered,
                        List.copyOf(mismatches), firstArrival);
            }
        }
    }
}
