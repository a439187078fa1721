package com.channelassignment.worker.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dlt list} prints the dead letters, {@code dlt replay} sends chosen ones back to the topic they came from.
 *
 * <p>A replay is marked with {@link DeadLetter#REPLAY_OF}, naming the dead letter it replays. Before sending, the
 * client reads the target topic from the oldest chosen dead letter's time on and skips every dead letter a replay
 * already names, so running the same replay twice sends each record once. The worker's idempotency by
 * {@code request_id} is the second line: a request sent twice anyway gets its stored outcome again, for as long as
 * its idempotency record is kept.
 */
@Command(name = "dlt", mixinStandardHelpOptions = true, subcommands = {DeadLetterCli.ListCommand.class,
        DeadLetterCli.ReplayCommand.class},
        description = "List the dead letters, or send chosen ones back to the topic they came from.",
        footer = {"", "Exit status: 0 done, 1 Kafka error, 2 timed out, 64 bad usage."})
final class DeadLetterCli implements Callable<Integer> {

    private static final Duration POLL = Duration.ofMillis(200);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "dlt needs list or replay");
    }

    /** Which dead letters a command is about; null fields select everything. */
    record Selection(Integer partition, Long fromOffset, Long toOffset, String exception, Instant since,
            Instant until) {

        boolean isEverything() {
            return partition == null && fromOffset == null && toOffset == null && exception == null && since == null
                    && until == null;
        }

        boolean matches(DeadLetter deadLetter) {
            return (partition == null || partition.equals(deadLetter.originalPartition()))
                    && (fromOffset == null || deadLetter.originalOffset() != null
                            && deadLetter.originalOffset() >= fromOffset)
                    && (toOffset == null || deadLetter.originalOffset() != null
                            && deadLetter.originalOffset() <= toOffset)
                    && (exception == null || contains(deadLetter.exception()) || contains(deadLetter.cause())
                            || contains(deadLetter.message()))
                    && (since == null || !deadLetter.time().isBefore(since))
                    && (until == null || deadLetter.time().isBefore(until));
        }

        private boolean contains(String text) {
            return text != null && text.contains(exception);
        }
    }

    /**
     * The flags of both commands: where the dead letters are, and which to take (all given must match; offsets and
     * partition are the original record's). A picocli mixin.
     */
    static final class Flags {

        private final CliContext context;
        private KafkaClients clients;

        @Mixin
        KafkaClients.Options kafka;

        @Option(names = "--dlt-topic", paramLabel = "NAME", description = "dead-letter topic (default: "
                + "$CHANNEL_ASSIGNMENT_TOPICS_DEAD_LETTER, else " + WorkerEnvironment.DEAD_LETTER_TOPIC + ")")
        String deadLetterTopic;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
                description = "how long to wait for the broker at each step (default: 30s)")
        Duration timeout;

        @Option(names = "--json", description = "list: one JSON object per dead letter")
        boolean json;

        @Option(names = "--partition", paramLabel = "N", converter = CliConverters.NonNegative.class,
                description = "original partition")
        Integer partition;

        @Option(names = "--from-offset", paramLabel = "N", converter = CliConverters.Offset.class,
                description = "original offset at least N")
        Long fromOffset;

        @Option(names = "--to-offset", paramLabel = "N", converter = CliConverters.Offset.class,
                description = "original offset at most N")
        Long toOffset;

        @Option(names = "--exception", paramLabel = "TEXT",
                description = "exception class, root cause class or message contains TEXT")
        String exception;

        @Option(names = "--since", paramLabel = "TIME",
                description = "original record time at or after TIME (ISO-8601, e.g. 2026-11-27T02:00:00Z)")
        Instant since;

        @Option(names = "--until", paramLabel = "TIME", description = "original record time before TIME")
        Instant until;

        Flags(CliContext context) {
            this.context = context;
        }

        Selection selection() {
            return new Selection(partition, fromOffset, toOffset, exception, since, until);
        }

        String deadLetterTopic() {
            return deadLetterTopic != null ? deadLetterTopic : context.environment().deadLetterTopic();
        }

        /** Runs the work against Kafka with the client's exit statuses; the clients are made once, here. */
        int run(KafkaClients.Work work) {
            clients = kafka.clients();
            return clients.run(context.err(), work);
        }
    }

    /** {@code dlt list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print each dead letter: its original time and coordinates, why, and where it sits.",
            footer = {"", "Exit status: 0 done, 1 Kafka error, 2 timed out, 64 bad usage."})
    static final class ListCommand implements Callable<Integer> {

        private final CliContext context;

        @Mixin
        Flags flags;

        @Option(names = "--max", paramLabel = "N", converter = CliConverters.Positive.class,
                description = "stop after N dead letters")
        Integer max;

        ListCommand(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            return flags.run(() -> {
                int shown = 0;
                for (DeadLetter deadLetter : read(flags)) {
                    if (max != null && shown == max) {
                        break;
                    }
                    context.out().println(flags.json ? deadLetter.json() : deadLetter.readable());
                    shown++;
                }
                context.out().flush();
                return ChannelAssignmentCli.DONE;
            });
        }
    }

    /** {@code dlt replay}. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Send the chosen dead letters' key, value and headers back to the topic they came from, "
                    + "each marked with the header dlt-replay-of; dead letters a replay already names are skipped.",
                    "Needs a selection or --all, so that replaying everything is never an accident."},
            footer = {"", "Exit status: 0 done, 1 Kafka error, 2 timed out, 64 bad usage."})
    static final class ReplayCommand implements Callable<Integer> {

        private final CliContext context;

        @Mixin
        Flags flags;

        @Option(names = "--topic", paramLabel = "NAME", description = "send here instead of the original topic")
        String topic;

        @Option(names = "--all", description = "every dead letter")
        boolean all;

        @Option(names = "--dry-run", description = "print what would be sent and skipped, send nothing")
        boolean dryRun;

        ReplayCommand(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            boolean everything = flags.selection().isEverything();
            if (everything && !all) {
                throw new CliUsageException("dlt replay needs a selection (--partition, --from-offset, --to-offset, "
                        + "--exception, --since, --until) or --all");
            }
            if (all && !everything) {
                throw new CliUsageException("--all replays every dead letter: give it without a selection");
            }
            return flags.run(this::replay);
        }

        private int replay() throws InterruptedException {
            PrintStream out = context.out();
            List<DeadLetter> chosen = DeadLetter.inReplayOrder(read(flags));
            if (chosen.isEmpty()) {
                context.err().println("no dead letter matches");
                return ChannelAssignmentCli.DONE;
            }
            Map<String, List<DeadLetter>> byTarget = new LinkedHashMap<>();
            for (DeadLetter deadLetter : chosen) {
                String target = topic != null ? topic : deadLetter.originalTopic();
                String unreplayable = target == null ? "it names no original topic: give --topic"
                        : deadLetter.unreplayable();
                if (unreplayable != null) {
                    context.err().printf("cannot replay %s (%s): %s%n", deadLetter, deadLetter.original(),
                            unreplayable);
                    continue;
                }
                byTarget.computeIfAbsent(target, name -> new ArrayList<>()).add(deadLetter);
            }
            try (KafkaProducer<byte[], byte[]> producer = dryRun ? null
                    : flags.clients.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
                for (Map.Entry<String, List<DeadLetter>> target : byTarget.entrySet()) {
                    Instant oldest = target.getValue().stream().map(DeadLetter::time).min(Instant::compareTo)
                            .orElseThrow();
                    Map<String, String> replayed = replaysIn(target.getKey(), oldest, flags);
                    for (DeadLetter deadLetter : target.getValue()) {
                        String earlier = replayed.get(deadLetter.coordinates());
                        if (earlier != null) {
                            out.printf("skipped %s (%s): already replayed as %s%n", deadLetter,
                                    deadLetter.original(), earlier);
                        } else if (dryRun) {
                            out.printf("would replay %s (%s) to %s%n", deadLetter, deadLetter.original(),
                                    target.getKey());
                        } else {
                            RecordMetadata sent = send(producer, target.getKey(), deadLetter, flags.timeout);
                            out.printf("replayed %s (%s) as %s-%d@%d%n", deadLetter, deadLetter.original(),
                                    sent.topic(), sent.partition(), sent.offset());
                        }
                    }
                }
            }
            out.flush();
            return ChannelAssignmentCli.DONE;
        }
    }

    private static RecordMetadata send(KafkaProducer<byte[], byte[]> producer, String topic, DeadLetter deadLetter,
            Duration timeout) throws InterruptedException {
        // No partition and no timestamp: the key picks the partition as for the original, and the replay is stamped
        // now, which is what lets the next replay find it by time.
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, null, deadLetter.key(),
                deadLetter.value(), deadLetter.replayHeaders());
        try {
            return producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException kafka ? kafka : new KafkaException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new org.apache.kafka.common.errors.TimeoutException("replay of " + deadLetter
                    + " not acknowledged within " + timeout);
        }
    }

    /** The dead letters already replayed to {@code topic}: dead letter coordinates to the replay's coordinates. */
    private static Map<String, String> replaysIn(String topic, Instant since, Flags flags) {
        Map<String, String> replayed = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = flags.clients.readCommittedConsumer()) {
            List<TopicPartition> partitions = partitions(consumer, topic, flags.timeout);
            consumer.assign(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(partition -> query.put(partition, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, flags.timeout);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, flags.timeout);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                consumer.seek(partition, start == null ? ends.get(partition) : start.offset());
            }
            readUntil(consumer, ends, flags.timeout, record -> {
                Header mark = record.headers().lastHeader(DeadLetter.REPLAY_OF);
                if (mark != null) {
                    replayed.putIfAbsent(new String(mark.value(), StandardCharsets.UTF_8),
                            record.topic() + "-" + record.partition() + "@" + record.offset());
                }
            });
        }
        return replayed;
    }

    /**
     * The chosen dead letters, read from the start of the topic to its end as it was when reading began: outside any
     * consumer group, committing nothing; read_committed, so dead letters of aborted batches (which the worker writes
     * again when it retries them) are never listed.
     */
    private static List<DeadLetter> read(Flags flags) {
        Selection selection = flags.selection();
        List<DeadLetter> chosen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = flags.clients.readCommittedConsumer()) {
            List<TopicPartition> partitions = partitions(consumer, flags.deadLetterTopic(), flags.timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, flags.timeout);
            readUntil(consumer, ends, flags.timeout, record -> {
                DeadLetter deadLetter = DeadLetter.of(record);
                if (selection.matches(deadLetter)) {
                    chosen.add(deadLetter);
                }
            });
        }
        chosen.sort(Comparator.comparing(DeadLetter::time).thenComparing(DeadLetter::partition)
                .thenComparing(DeadLetter::offset));
        return chosen;
    }

    private interface RecordHandler {
        void handle(ConsumerRecord<byte[], byte[]> record);
    }

    /** Reads every assigned partition up to its end offset; fails with a timeout when the broker stops answering. */
    private static void readUntil(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends,
            Duration timeout, RecordHandler handler) {
        Map<TopicPartition, Long> remaining = new HashMap<>(ends);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            remaining.keySet().removeIf(partition -> consumer.position(partition, timeout) >= remaining.get(partition));
            if (remaining.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new org.apache.kafka.common.errors.TimeoutException("still reading " + remaining.keySet()
                        + " after " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                Long end = ends.get(new TopicPartition(record.topic(), record.partition()));
                if (record.offset() < end) {
                    handler.handle(record);
                }
            }
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, Duration timeout) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        if (partitions.isEmpty()) {
            throw new KafkaException("no topic " + topic);
        }
        return partitions;
    }
}
