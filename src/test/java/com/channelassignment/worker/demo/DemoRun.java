package com.channelassignment.worker.demo;

import com.channelassignment.worker.WorkerProperties;
import com.channelassignment.worker.cli.ChannelAssignmentCli;
import com.channelassignment.worker.kafka.AvroContract;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Loads the demo directory with the CLI's {@code directory load}, as an operator would, then produces the demo stream, prints each outcome and dead letter as it arrives, then a
 * summary that compares what arrived with what {@link DemoScenario} expects.
 */
public class DemoRun implements ApplicationRunner {

    private static final Duration DEMO_TIMEOUT = Duration.ofSeconds(90);

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
        loadDirectory();
        List<DemoScenario.Step> steps = new DemoScenario(contract).steps();
        out.printf("%nDemo: %d records on %s (directory: 2 organizations, 7 identities, 5 mailboxes, 3 numbers)%n%n",
                steps.size(), properties.topics().requests());
        produce(steps);
        report = watch(steps);
        out.println();
        out.println(report.summary());
        out.println();
    }

    /** Through the topic, like every directory: the demo's requests queue behind the changes they depend on. */
    private void loadDirectory() throws IOException {
        Path file = Files.createTempFile("demo-directory", ".json");
        try (InputStream json = new ClassPathResource("demo/directory.json").getInputStream()) {
            Files.copy(json, file, StandardCopyOption.REPLACE_EXISTING);
            String[] command = {"directory", "load", "--file", file.toString(),
                    "--bootstrap-servers", bootstrapServers, "--topic", properties.topics().requests(),
                    "--outcomes-topic", properties.topics().outcomes()};
            out.printf("%n$ java -jar channel-assignment-worker.jar %s%n", String.join(" ", command));
            int status = ChannelAssignmentCli.run(command, out, out);
            if (status != 0) {
                throw new IllegalStateException("the demo directory was not loaded: exit status " + status);
            }
        } finally {
            Files.deleteIfExists(file);
        }
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
        Map<String, List<DemoScenario.Step>> pendingByRequestId = new HashMap<>();
        List<DemoScenario.Step> pendingDeadLetters = new ArrayList<>();
        for (DemoScenario.Step step : steps) {
            if (step.expected().deadLetter()) {
                pendingDeadLetters.add(step);
            } else {
                pendingByRequestId.computeIfAbsent(step.requestId(), id -> new ArrayList<>()).add(step);
            }
        }
        DemoReport.Builder report = new DemoReport.Builder(steps.size());
        String outcomes = properties.topics().outcomes();
        String deadLetters = properties.topics().deadLetter();
        try (KafkaConsumer<byte[], byte[]> consumer = readCommittedConsumer()) {
            consumer.subscribe(List.of(outcomes, deadLetters));
            long deadline = System.nanoTime() + DEMO_TIMEOUT.toNanos();
            while ((!pendingByRequestId.isEmpty() || !pendingDeadLetters.isEmpty()) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    report.firstArrival(uptimeMillis());
                    if (record.topic().equals(deadLetters) && !pendingDeadLetters.isEmpty()) {
                        DemoScenario.Step step = pendingDeadLetters.remove(0);
                        String reason = header(record, "kafka_dlt-exception-fqcn");
                        out.printf("  %-48s -> dead-lettered (%s)%n", step.label(),
                                reason == null ? "?" : reason.substring(reason.lastIndexOf('.') + 1));
                        report.deadLettered();
                    } else if (record.topic().equals(outcomes)) {
                        ChannelAssignmentOutcome outcome = contract.decodeOutcome(record.value());
                        List<DemoScenario.Step> candidates = pendingByRequestId.get(outcome.getRequestId());
                        if (candidates == null) {
                            continue;
                        }
                        DemoScenario.Step step = candidates.remove(0);
                        if (candidates.isEmpty()) {
                            pendingByRequestId.remove(outcome.getRequestId());
                        }
                        String actual = describe(outcome);
                        boolean asExpected = actual.equals(step.expected().toString());
                        out.printf("  %-48s %-8s %-8s %-12s -> %s%s%n", step.label(), outcome.getRequestId(),
                                outcome.getOperation(), outcome.getChannelType(), actual,
                                asExpected ? "" : "   (expected " + step.expected() + ")");
                        report.outcome(outcome, step, asExpected);
                    }
                }
            }
        }
        pendingByRequestId.values().forEach(list -> list.forEach(report::missing));
        pendingDeadLetters.forEach(report::missing);
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

    /** What a demo run saw, for the summary and for the demo test. */
    public record DemoReport(int records, Map<String, Integer> outcomesByResult, int deadLettered,
            List<String> mismatches, long firstOutcomeAfterStartMillis) {

        public boolean allAsExpected() {
            return mismatches.isEmpty();
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
            private final int records;
            private final Map<String, Integer> outcomesByResult = new TreeMap<>();
            private final List<String> mismatches = new ArrayList<>();
            private int deadLettered;
            private long firstArrival = -1;

            Builder(int records) {
                this.records = records;
            }

            void firstArrival(long uptime) {
                if (firstArrival < 0) {
                    firstArrival = uptime;
                }
            }

            void deadLettered() {
                deadLettered++;
            }

            void outcome(ChannelAssignmentOutcome outcome, DemoScenario.Step step, boolean asExpected) {
                String result = outcome.getRejection() == null ? outcome.getStatus().toString()
                        : outcome.getRejection().getCode().toString();
                outcomesByResult.merge(result, 1, Integer::sum);
                if (!asExpected) {
                    mismatches.add("%s: got %s, expected %s".formatted(step.label(), describe(outcome),
                            step.expected()));
                }
            }

            void missing(DemoScenario.Step step) {
                mismatches.add("%s: nothing arrived, expected %s".formatted(step.label(), step.expected()));
            }

            DemoReport build() {
                return new DemoReport(records, Collections.unmodifiableMap(new TreeMap<>(outcomesByResult)), deadLettered,
                        List.copyOf(mismatches),
                        firstArrival);
            }
        }
    }
}
