package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.WireHeaders;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * The command-line client: {@code send} produces one request and waits for its outcome, {@code tail} follows the
 * outcomes topic, {@code token} prints a bearer token for the HTTP API, {@code dlt} lists and replays dead letters. Plain Kafka clients, no Spring context, so it
 * starts in a moment.
 */
public final class ChannelAssignmentCli {

    static final int DONE = 0;
    static final int FAILED = 1;
    static final int TIMED_OUT = 2;
    static final int BAD_USAGE = 64;

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration CLOSE = Duration.ofSeconds(2);

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final AvroContract contract;

    private ChannelAssignmentCli(PrintStream out, PrintStream err, Clock clock, AvroContract contract) {
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.contract = contract;
    }

    /** True when the arguments ask for the client rather than for the worker. */
    public static boolean handles(String[] args) {
        return args.length > 0 && CliArguments.COMMANDS.contains(args[0]) || DeadLetterCli.handles(args);
    }

    /** From a terminal: only errors of the Kafka clients are logged, on stderr, so stdout stays the outcomes. */
    public static int runFromCommandLine(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "channel-assignment-cli-logback.xml");
        }
        return run(args, System.out, System.err);
    }

    /** Runs one command and returns its exit status; outcomes go to {@code out}, everything else to {@code err}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals(DirectoryCommands.COMMAND)) {
            return DirectoryCommands.run(args, out, err);
        }
        if (args.length > 0 && args[0].equals(SchemaCommands.COMMAND)) {
            return SchemaCommands.run(args, out, err);
        }
        if (DeadLetterCli.handles(args)) {
            return DeadLetterCli.run(args, out, err);
        }
        CliCommand command;
        Properties clientConfig;
        String token = null;
        try {
            command = CliArguments.parse(args);
            if (command instanceof CliCommand.Token tokenCommand) {
                token = BearerTokens.mint(tokenCommand, Clock.systemUTC().instant());
            }
            clientConfig = command instanceof CliCommand.Send || command instanceof CliCommand.Tail
                    ? clientConfig(connectionOf(command)) : null;
        } catch (CliUsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(CliArguments.USAGE);
            return BAD_USAGE;
        }
        if (command instanceof CliCommand.Help) {
            out.print(CliArguments.USAGE);
            return DONE;
        }
        if (command instanceof CliCommand.Token) {
            out.println(token);
            return DONE;
        }
        ChannelAssignmentCli cli = new ChannelAssignmentCli(out, err, Clock.systemUTC(),
                RegistryFlags.contract(connectionOf(command).registry()));
        try {
            return againstKafka(connectionOf(command).bootstrapServers(), err, () -> {
                if (command instanceof CliCommand.Send send) {
                    return cli.send(send, clientConfig);
                }
                if (command instanceof CliCommand.Tail tail) {
                    return cli.tail(tail, clientConfig);
                }
                throw new IllegalStateException("unhandled command " + command);
            });
        } catch (RuntimeException e) {
            err.println("failed: " + e);
            return FAILED;
        }
    }

    /** A command's work against Kafka, returning the exit status. */
    interface KafkaWork {

        int run() throws InterruptedException;
    }

    /**
     * Runs {@code work}, turning the ways Kafka fails it into the client's exit statuses: a timeout (naming the
     * bootstrap servers), any other Kafka error, and an interrupt. Every command that talks to Kafka goes through it.
     */
    static int againstKafka(String bootstrapServers, PrintStream err, KafkaWork work) {
        try {
            return work.run();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            err.printf("timed out talking to Kafka at %s: %s%n", bootstrapServers, e.getMessage());
            return TIMED_OUT;
        } catch (KafkaException e) {
            err.println("Kafka error: " + e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return FAILED;
        }
    }

    private int send(CliCommand.Send send, Properties clientConfig) throws InterruptedException {
        ChannelAssignmentRequest request = send.toRequest(clock.instant());
        Deadline deadline = Deadline.after(send.timeout());
        // Encoded first: a Confluent-framed request needs its schema's id, and a registry that cannot give it stops
        // the command before anything is sent.
        byte[] value = contract.encodeRequest(request, send.wireFormat(), send.requestsTopic());
        if (!send.waitForOutcome()) {
            RecordMetadata sent = produce(send, request, value, clientConfig, deadline);
            if (sent == null) {
                return TIMED_OUT;
            }
            out.println(send.connection().json() ? request.toString()
                    : "sent %s to %s-%d@%d".formatted(request.getRequestId(), sent.topic(), sent.partition(),
                            sent.offset()));
            return DONE;
        }
        try (OutcomeReader outcomes = new OutcomeReader(clientConfig, send.connection().outcomesTopic())) {
            // The positions are taken before producing: an outcome committed in between is read, not skipped.
            outcomes.startAtEnd(deadline.remaining());
            if (produce(send, request, value, clientConfig, deadline) == null) {
                return TIMED_OUT;
            }
            while (!deadline.passed()) {
                for (ConsumerRecord<byte[], byte[]> record : outcomes.poll(deadline.atMost(POLL))) {
                    if (request.getRequestId().equals(header(record, WireHeaders.REQUEST_ID))) {
                        print(contract.decodeOutcome(record.value()), send.connection().json());
                        return DONE;
                    }
                }
            }
        }
        err.printf("no outcome for request %s on %s within %s; it was sent and may still be applied%n",
                request.getRequestId(), send.connection().outcomesTopic(), readable(send.timeout()));
        return TIMED_OUT;
    }

    /** The broker's acknowledgement of the request, or null (after saying so) when the deadline passed first. */
    private RecordMetadata produce(CliCommand.Send send, ChannelAssignmentRequest request, byte[] value,
            Properties clientConfig, Deadline deadline) throws InterruptedException {
        Properties config = new Properties();
        config.putAll(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1, deadline.remaining().toMillis()));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config);
        try {
            // Keyed by organization, as producers are told to: one organization's requests stay in order.
            return producer.send(new ProducerRecord<>(send.requestsTopic(),
                    request.getOrganizationId().getBytes(StandardCharsets.UTF_8), value))
                    .get(deadline.remaining().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            err.printf("request %s not acknowledged by %s within %s%n", request.getRequestId(),
                    send.connection().bootstrapServers(), readable(send.timeout()));
            return null;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException kafka ? kafka : new KafkaException(e.getCause());
        } finally {
            producer.close(CLOSE);
        }
    }

    private int tail(CliCommand.Tail tail, Properties clientConfig) throws InterruptedException {
        Deadline deadline = tail.timeout() == null ? Deadline.NEVER : Deadline.after(tail.timeout());
        int shown = 0;
        try (OutcomeReader outcomes = new OutcomeReader(clientConfig, tail.connection().outcomesTopic())) {
            if (tail.fromBeginning()) {
                outcomes.startAtBeginning(deadline.atMost(Duration.ofSeconds(30)));
            } else {
                outcomes.startAtEnd(deadline.atMost(Duration.ofSeconds(30)));
            }
            while (tail.max() == null || shown < tail.max()) {
                if (deadline.passed()) {
                    if (tail.max() == null) {
                        return DONE;
                    }
                    err.printf("%d of %d outcomes within %s%n", shown, tail.max(), readable(tail.timeout()));
                    return TIMED_OUT;
                }
                for (ConsumerRecord<byte[], byte[]> record : outcomes.poll(deadline.atMost(POLL))) {
                    ChannelAssignmentOutcome outcome = decodeOrSkip(record);
                    if (outcome != null && tail.shows(outcome)) {
                        print(outcome, tail.connection().json());
                        if (tail.max() != null && ++shown == tail.max()) {
                            break;
                        }
                    }
                }
            }
        }
        return DONE;
    }

    private ChannelAssignmentOutcome decodeOrSkip(ConsumerRecord<byte[], byte[]> record) {
        try {
            return contract.decodeOutcome(record.value());
        } catch (RuntimeException e) {
            err.printf("skipped %s-%d@%d: not an outcome (%s)%n", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }

    private void print(ChannelAssignmentOutcome outcome, boolean json) {
        out.println(json ? OutcomeText.json(outcome) : OutcomeText.readable(outcome));
        out.flush();
    }

    private static CliCommand.Connection connectionOf(CliCommand command) {
        if (command instanceof CliCommand.Send send) {
            return send.connection();
        }
        if (command instanceof CliCommand.Tail tail) {
            return tail.connection();
        }
        throw new IllegalStateException("no connection for " + command);
    }

    /** The user's client properties (security, mostly), then what this client needs on top. */
    static Properties clientConfig(CliCommand.Connection connection) {
        Properties config = new Properties();
        if (connection.commandConfig() != null) {
            try (InputStream in = Files.newInputStream(connection.commandConfig())) {
                config.load(in);
            } catch (IOException e) {
                throw new CliUsageException("--command-config " + connection.commandConfig() + " cannot be read: "
                        + e);
            }
        }
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers());
        config.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "channel-assignment-cli");
        return config;
    }

    private static String readable(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * A consumer outside any group that commits nothing and reads only committed records. It never creates a topic:
     * the worker creates its topics with the partitions it was configured for.
     */
    static KafkaConsumer<byte[], byte[]> readCommittedConsumer(Properties clientConfig) {
        Properties config = new Properties();
        config.putAll(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(config);
    }

    /**
     * A read_committed consumer on every partition of the outcomes topic, outside any consumer group: it commits
     * nothing and disturbs no one. A topic that does not exist yet is looked for again on each poll; once it
     * appears, all of it is read, since everything in it is newer than the start.
     */
    static final class OutcomeReader implements AutoCloseable {

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final String topic;

        OutcomeReader(Properties clientConfig, String topic) {
            this.consumer = readCommittedConsumer(clientConfig);
            this.topic = topic;
        }

        void startAtBeginning(Duration timeout) {
            List<TopicPartition> partitions = partitions(timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** With read_committed the end offsets are the last stable offsets: nothing committed later is missed. */
        void startAtEnd(Duration timeout) {
            List<TopicPartition> partitions = partitions(timeout);
            consumer.assign(partitions);
            consumer.endOffsets(partitions, timeout).forEach(consumer::seek);
        }

        ConsumerRecords<byte[], byte[]> poll(Duration timeout) throws InterruptedException {
            if (consumer.assignment().isEmpty()) {
                try {
                    startAtBeginning(timeout);
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    // a slow metadata answer while waiting for the topic: ask again on the next poll
                }
                if (consumer.assignment().isEmpty()) {
                    Thread.sleep(timeout.toMillis());
                    return ConsumerRecords.empty();
                }
            }
            return consumer.poll(timeout);
        }

        private List<TopicPartition> partitions(Duration timeout) {
            return consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
        }

        @Override
        public void close() {
            consumer.close(CloseOptions.timeout(CLOSE));
        }
    }

    /** A point in time to give up at; {@link #NEVER} for commands that run until stopped. */
    private record Deadline(long nanos) {

        static final Deadline NEVER = new Deadline(Long.MAX_VALUE);

        static Deadline after(Duration timeout) {
            return new Deadline(System.nanoTime() + timeout.toNanos());
        }

        boolean passed() {
            return !unbounded() && System.nanoTime() - nanos >= 0;
        }

        Duration remaining() {
            return unbounded() ? Duration.ofMillis(Long.MAX_VALUE)
                    : Duration.ofNanos(Math.max(0, nanos - System.nanoTime()));
        }

        private boolean unbounded() {
            return nanos == Long.MAX_VALUE;
        }

        Duration atMost(Duration limit) {
            Duration remaining = remaining();
            return remaining.compareTo(limit) < 0 ? remaining : limit;
        }
    }
}
