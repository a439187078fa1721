package com.channelassignment.worker.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code dlt list} prints the dead letters, {@code dlt replay} sends chosen ones back to the topic they came from.
 *
 * <p>A replay is marked with {@link DeadLetter#REPLAY_OF}, naming the dead letter it replays. Before sending, the
 * client reads the target topic from the oldest chosen dead letter's time on and skips every dead letter a replay
 * already names, so running the same replay twice sends each record once. The worker's idempotency by
 * {@code request_id} is the second line: a request sent twice anyway gets its stored outcome again, for as long as
 * its idempotency record is kept.
 */
final class DeadLetterCli {

    static final String DEFAULT_DEAD_LETTER_TOPIC = "channel-assignment.requests.dlt";

    static final String USAGE = """
            Usage:
              java -jar channel-assignment-worker.jar dlt list [selection] [options]
              java -jar channel-assignment-worker.jar dlt replay (selection | --all) [--dry-run] [options]

            list: print each dead letter: its original time and coordinates, why, and where it sits.
            replay: send the chosen dead letters' key, value and headers back to the topic they came from, each
              marked with the header dlt-replay-of; dead letters a replay already names are skipped.

            selection (all given must match; offsets and partition are the original record's):
              --partition N              original partition
              --from-offset N            original offset at least N
              --to-offset N              original offset at most N
              --exception TEXT           exception class, root cause class or message contains TEXT
              --since TIME               original record time at or after TIME (ISO-8601, e.g. 2026-11-27T02:00:00Z)
              --until TIME               original record time before TIME

            options:
              --dlt-topic NAME           (default: channel-assignment.requests.dlt)
              --topic NAME               replay: send here instead of the original topic
              --all                      replay: every dead letter
              --dry-run                  replay: print what would be sent and skipped, send nothing
              --max N                    list: stop after N dead letters
              --bootstrap-servers HOSTS  (default: localhost:9092)
              --command-config FILE      Kafka client properties, e.g. security.protocol and sasl.*
              --timeout DURATION         how long to wait for the broker, e.g. 30s (default: 30s)
              --json                     one JSON object per dead letter
              --help

            Exit status: 0 done, 1 Kafka error, 2 timed out, 64 bad usage.
            """;

    private static final Set<String> SWITCHES = Set.of("--all", "--dry-run", "--json", "--help");
    private static final Set<String> SELECTION = Set.of("--partition", "--from-offset", "--to-offset", "--exception",
            "--since", "--until");
    private static final Set<String> COMMON = Set.of("--dlt-topic", "--bootstrap-servers", "--command-config",
            "--timeout", "--json", "--help");
    private static final Set<String> LIST_ONLY = Set.of("--max");
    private static final Set<String> REPLAY_ONLY = Set.of("--topic", "--all", "--dry-run");
    private static final Duration POLL = Duration.ofMillis(200);

    /** What the flags asked for. */
    record Command(boolean replay, String bootstrapServers, Path commandConfig, String deadLetterTopic,
            Selection selection, Integer max, String topic, boolean all, boolean dryRun, Duration timeout,
            boolean json) {
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

    private final PrintStream out;
    private final PrintStream err;

    private DeadLetterCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    static boolean handles(String[] args) {
        return args.length > 0 && args[0].equals("dlt");
    }

    /** Runs {@code dlt list|replay ...}; the exit statuses are the client's. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Command command;
        Properties clientConfig;
        try {
            command = parse(args);
            if (command == null) {
                out.print(USAGE);
                return ChannelAssignmentCli.DONE;
            }
            clientConfig = clientConfig(command);
        } catch (CliUsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(USAGE);
            return ChannelAssignmentCli.BAD_USAGE;
        }
        DeadLetterCli cli = new DeadLetterCli(out, err);
        return ChannelAssignmentCli.againstKafka(command.bootstrapServers(), err,
                () -> command.replay() ? cli.replay(command, clientConfig) : cli.list(command, clientConfig));
    }

    private int list(Command command, Properties clientConfig) {
        int shown = 0;
        for (DeadLetter deadLetter : read(command, clientConfig)) {
            if (command.max() != null && shown == command.max()) {
                break;
            }
            out.println(command.json() ? deadLetter.json() : deadLetter.readable());
            shown++;
        }
        out.flush();
        return ChannelAssignmentCli.DONE;
    }

    private int replay(Command command, Properties clientConfig) throws InterruptedException {
        List<DeadLetter> chosen = DeadLetter.inReplayOrder(read(command, clientConfig));
        if (chosen.isEmpty()) {
            err.println("no dead letter matches");
            return ChannelAssignmentCli.DONE;
        }
        Map<String, List<DeadLetter>> byTarget = new LinkedHashMap<>();
        for (DeadLetter deadLetter : chosen) {
            String target = command.topic() != null ? command.topic() : deadLetter.originalTopic();
            String unreplayable = target == null ? "it names no original topic: give --topic"
                    : deadLetter.unreplayable();
            if (unreplayable != null) {
                err.printf("cannot replay %s (%s): %s%n", deadLetter, deadLetter.original(), unreplayable);
                continue;
            }
            byTarget.computeIfAbsent(target, topic -> new ArrayList<>()).add(deadLetter);
        }
        try (KafkaProducer<byte[], byte[]> producer = command.dryRun() ? null : producer(clientConfig)) {
            for (Map.Entry<String, List<DeadLetter>> target : byTarget.entrySet()) {
                Instant oldest = target.getValue().stream().map(DeadLetter::time).min(Instant::compareTo)
                        .orElseThrow();
                Map<String, String> replayed = replaysIn(target.getKey(), oldest, command, clientConfig);
                for (DeadLetter deadLetter : target.getValue()) {
                    String earlier = replayed.get(deadLetter.coordinates());
                    if (earlier != null) {
                        out.printf("skipped %s (%s): already replayed as %s%n", deadLetter, deadLetter.original(),
                                earlier);
                    } else if (command.dryRun()) {
                        out.printf("would replay %s (%s) to %s%n", deadLetter, deadLetter.original(),
                                target.getKey());
                    } else {
                        RecordMetadata sent = send(producer, target.getKey(), deadLetter, command.timeout());
                        out.printf("replayed %s (%s) as %s-%d@%d%n", deadLetter, deadLetter.original(),
                                sent.topic(), sent.partition(), sent.offset());
                    }
                }
            }
        }
        out.flush();
        return ChannelAssignmentCli.DONE;
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
    private Map<String, String> replaysIn(String topic, Instant since, Command command, Properties clientConfig) {
        Map<String, String> replayed = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientConfig)) {
            List<TopicPartition> partitions = partitions(consumer, topic, command.timeout());
            consumer.assign(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(partition -> query.put(partition, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, command.timeout());
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, command.timeout());
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                consumer.seek(partition, start == null ? ends.get(partition) : start.offset());
            }
            readUntil(consumer, ends, command.timeout(), record -> {
                Header mark = record.headers().lastHeader(DeadLetter.REPLAY_OF);
                if (mark != null) {
                    replayed.putIfAbsent(new String(mark.value(), StandardCharsets.UTF_8),
                            record.topic() + "-" + record.partition() + "@" + record.offset());
                }
            });
        }
        return replayed;
    }

    /** The chosen dead letters, read from the start of the topic to its end as it was when reading began. */
    private List<DeadLetter> read(Command command, Properties clientConfig) {
        List<DeadLetter> chosen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientConfig)) {
            List<TopicPartition> partitions = partitions(consumer, command.deadLetterTopic(), command.timeout());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, command.timeout());
            readUntil(consumer, ends, command.timeout(), record -> {
                DeadLetter deadLetter = DeadLetter.of(record);
                if (command.selection().matches(deadLetter)) {
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

    /**
     * Outside any consumer group, committing nothing; read_committed, so dead letters of aborted batches (which the
     * worker writes again when it retries them) are never listed.
     */
    private static KafkaConsumer<byte[], byte[]> consumer(Properties clientConfig) {
        return ChannelAssignmentCli.readCommittedConsumer(clientConfig);
    }

    private static KafkaProducer<byte[], byte[]> producer(Properties clientConfig) {
        Properties config = new Properties();
        config.putAll(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }

    private static Properties clientConfig(Command command) {
        Properties config = new Properties();
        if (command.commandConfig() != null) {
            try (InputStream in = Files.newInputStream(command.commandConfig())) {
                config.load(in);
            } catch (IOException e) {
                throw new CliUsageException("--command-config " + command.commandConfig() + " cannot be read: " + e);
            }
        }
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, command.bootstrapServers());
        config.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "channel-assignment-cli");
        return config;
    }

    /** The command, or null for {@code --help}. */
    static Command parse(String... args) {
        if (args.length < 2 || !(args[1].equals("list") || args[1].equals("replay"))) {
            if (args.length >= 2 && args[1].equals("--help")) {
                return null;
            }
            throw new CliUsageException("dlt needs list or replay");
        }
        boolean replay = args[1].equals("replay");
        Set<String> allowed = new HashSet<>(COMMON);
        allowed.addAll(SELECTION);
        allowed.addAll(replay ? REPLAY_ONLY : LIST_ONLY);
        Map<String, String> flags = CliArguments.flags("dlt " + args[1], Arrays.asList(args).subList(2, args.length),
                allowed, SWITCHES);
        CliArguments named = new CliArguments(flags);
        if (flags.containsKey("--help")) {
            return null;
        }
        Selection selection = new Selection(integer(flags, "--partition"), whole(flags, "--from-offset"),
                whole(flags, "--to-offset"), named.text("--exception", null), instant(flags, "--since"),
                instant(flags, "--until"));
        boolean all = flags.containsKey("--all");
        if (replay && selection.isEverything() && !all) {
            throw new CliUsageException("dlt replay needs a selection (--partition, --from-offset, --to-offset, "
                    + "--exception, --since, --until) or --all");
        }
        if (all && !selection.isEverything()) {
            throw new CliUsageException("--all replays every dead letter: give it without a selection");
        }
        String commandConfig = named.text("--command-config", null);
        Integer max = integer(flags, "--max");
        if (max != null && max <= 0) {
            throw new CliUsageException("--max must be a positive whole number, not '" + max + "'");
        }
        return new Command(replay, named.text("--bootstrap-servers", "localhost:9092"),
                commandConfig == null ? null : Path.of(commandConfig),
                named.text("--dlt-topic", DEFAULT_DEAD_LETTER_TOPIC), selection, max, named.text("--topic", null),
                all, flags.containsKey("--dry-run"), named.duration("--timeout", Duration.ofSeconds(30)),
                flags.containsKey("--json"));
    }

    private static Integer integer(Map<String, String> flags, String flag) {
        Long value = whole(flags, flag);
        if (value != null && value > Integer.MAX_VALUE) {
            throw new CliUsageException(flag + " is too large: " + value);
        }
        return value == null ? null : value.intValue();
    }

    private static Long whole(Map<String, String> flags, String flag) {
        String value = flags.get(flag);
        if (value == null) {
            return null;
        }
        try {
            long number = Long.parseLong(value);
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below, with the flag's name
        }
        throw new CliUsageException(flag + " must be a whole number, 0 or more, not '" + value + "'");
    }

    private static Instant instant(Map<String, String> flags, String flag) {
        String value = flags.get(flag);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new CliUsageException(flag + " must be an ISO-8601 instant like 2026-11-27T02:00:00Z, not '"
                    + value + "'");
        }
    }

}
