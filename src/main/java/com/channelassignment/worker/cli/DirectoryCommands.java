package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.WireHeaders;
import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.DirectoryChange;
import com.channelassignment.worker.kafka.avro.IdentityState;
import com.channelassignment.worker.kafka.avro.MailboxState;
import com.channelassignment.worker.kafka.avro.PhoneNumberState;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code directory load}: publishes a directory file on the requests topic as directory changes and assignment
 * requests, so a loaded directory obeys the same versions, order and rules as every other change;
 * {@code directory show} ({@link DirectoryShow}) reads one handle back from the worker's database.
 */
final class DirectoryCommands {

    static final String COMMAND = "directory";
    /** The file is not a directory the worker would accept; nothing of it was sent. */
    static final int INVALID_FILE = 65;

    static final String USAGE = """
            Usage:
              java -jar channel-assignment-worker.jar directory load --file FILE [options]

            directory load: publish a directory file (docs/directory-file.md) on the requests topic: one directory
            change per identity, mailbox and phone number, then one ASSIGN request per assignment, keyed by
            organization; wait for the broker to acknowledge them all and for the assignments' outcomes.
              --file FILE                the JSON directory file (required)
              --topic NAME               requests topic (default: channel-assignment.requests)
              --timeout DURATION         how long to wait, all in, e.g. 30s, 2m (default: 2m)
              --no-wait                  stop once the broker has acknowledged everything
              --bootstrap-servers HOSTS  (default: localhost:9092)
              --outcomes-topic NAME      (default: channel-assignment.outcomes)
              --command-config FILE      Kafka client properties, e.g. security.protocol and sasl.*
              --json                     assignment outcomes as JSON objects instead of readable lines
              --wire-format F            single-object (default) or confluent (needs --registry-url, and the
                                         schemas registered: schemas register)
              --help
            The registry, for --wire-format confluent and to read Confluent-framed outcomes:
            """ + RegistryFlags.USAGE + """

            Exit status: 0 sent (and every assignment answered, whatever its status), 1 Kafka error, 2 timed out,
            64 bad usage, 65 invalid file (nothing was sent).
            """;

    private static final Set<String> LOAD_FLAGS = CliArguments.union(RegistryFlags.FLAGS, Set.of("--file",
            "--topic", "--timeout", "--no-wait", "--bootstrap-servers", "--outcomes-topic", "--command-config",
            "--json", "--help", RegistryFlags.WIRE_FORMAT));
    private static final Duration POLL = Duration.ofMillis(200);

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    private DirectoryCommands(PrintStream out, PrintStream err, Clock clock) {
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    /** Runs {@code directory ...} and returns its exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, with the environment {@code directory show} reads. */
    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.isEmpty() || rest.get(0).equals("--help")) {
            (rest.isEmpty() ? err : out).print(USAGE + System.lineSeparator() + DirectoryShow.USAGE);
            return rest.isEmpty() ? ChannelAssignmentCli.BAD_USAGE : ChannelAssignmentCli.DONE;
        }
        DirectoryCommands commands = new DirectoryCommands(out, err, Clock.systemUTC());
        try {
            if (rest.get(0).equals("load")) {
                List<String> flags = rest.subList(1, rest.size());
                if (flags.contains("--help")) {
                    out.print(USAGE);
                    return ChannelAssignmentCli.DONE;
                }
                CliArguments arguments = new CliArguments(CliArguments.flags("directory load", flags, LOAD_FLAGS));
                return ChannelAssignmentCli.againstKafka(arguments.connection().bootstrapServers(), err,
                        () -> commands.load(arguments, flags.contains("--no-wait")));
            }
            if (rest.get(0).equals("show")) {
                List<String> flags = rest.subList(1, rest.size());
                if (flags.contains("--help")) {
                    out.print(DirectoryShow.USAGE);
                    return ChannelAssignmentCli.DONE;
                }
                return DirectoryShow.run(DirectoryShow.Query.from(new CliArguments(
                        CliArguments.flags("directory show", flags, DirectoryShow.FLAGS)), environment), out, err);
            }
            throw new CliUsageException("unknown command 'directory " + rest.get(0)
                    + "': directory load or directory show");
        } catch (CliUsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(USAGE + System.lineSeparator() + DirectoryShow.USAGE);
            return ChannelAssignmentCli.BAD_USAGE;
        } catch (DirectoryFile.InvalidDirectoryFileException e) {
            err.println("not loaded: " + e.getMessage());
            return INVALID_FILE;
        } catch (RuntimeException e) {
            // The schema registry, for a Confluent-framed load: unreachable, or the schemas not registered.
            err.println("failed: " + e.getMessage());
            return ChannelAssignmentCli.FAILED;
        }
    }

    private int load(CliArguments arguments, boolean noWait) throws InterruptedException {
        String fileName = arguments.text("--file", null);
        if (fileName == null) {
            throw new CliUsageException("directory load needs --file");
        }
        String topic = arguments.text("--topic", "channel-assignment.requests");
        Duration timeout = arguments.duration("--timeout", Duration.ofMinutes(2));
        CliCommand.Connection connection = arguments.connection();
        WireFormat format = RegistryFlags.wireFormat(arguments, connection.registry());
        AvroContract contract = RegistryFlags.contract(connection.registry());
        Properties clientConfig = ChannelAssignmentCli.clientConfig(connection);
        long deadline = System.nanoTime() + timeout.toNanos();

        Instant now = clock.instant();
        // A version no earlier load has used: the file's state wins over what an earlier load of it left.
        long loadVersion = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        String loadId = UUID.randomUUID().toString();
        DirectoryFile directory;
        try (InputStream in = Files.newInputStream(Path.of(fileName))) {
            directory = DirectoryFile.read(in, now.truncatedTo(ChronoUnit.MILLIS), loadVersion, loadId);
        } catch (IOException e) {
            throw new CliUsageException("--file " + fileName + " cannot be read: " + e);
        }

        boolean wait = !noWait && !directory.assignments().isEmpty();
        try (ChannelAssignmentCli.OutcomeReader outcomes = wait
                ? new ChannelAssignmentCli.OutcomeReader(clientConfig, connection.outcomesTopic()) : null) {
            if (outcomes != null) {
                // The positions are taken before producing: an outcome committed in between is read, not skipped.
                outcomes.startAtEnd(remaining(deadline));
            }
            long started = System.nanoTime();
            int acknowledged = produce(records(directory, contract, format, topic), clientConfig, deadline);
            int total = directory.changes().size() + directory.assignments().size();
            if (acknowledged < total) {
                err.printf("%d of %d records acknowledged by %s within %ds; loading the file again is safe%n",
                        acknowledged, total, connection.bootstrapServers(), timeout.toSeconds());
                return ChannelAssignmentCli.TIMED_OUT;
            }
            err.printf("sent %d directory changes (%d identities, %d mailboxes, %d phone numbers) and %d "
                            + "assignment requests to %s in %d ms; load %s, version %d%n",
                    directory.changes().size(), directory.count(IdentityState.class),
                    directory.count(MailboxState.class), directory.count(PhoneNumberState.class),
                    directory.assignments().size(), topic,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), loadId, loadVersion);
            if (outcomes == null) {
                return ChannelAssignmentCli.DONE;
            }
            return awaitOutcomes(directory.assignments(), contract, outcomes, connection, deadline, timeout);
        }
    }

    /**
     * Changes first, then assignments, each keyed by organization, so each organization's assignments reach the
     * worker after the changes that create what they name. All are encoded before any is sent: a registry that cannot
     * name a schema stops the load before it starts.
     */
    private static List<ProducerRecord<byte[], byte[]>> records(DirectoryFile directory, AvroContract contract,
            WireFormat format, String topic) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (DirectoryChange change : directory.changes()) {
            records.add(new ProducerRecord<>(topic, key(change.getOrganizationId()),
                    contract.encodeChange(change, format, topic)));
        }
        for (ChannelAssignmentRequest request : directory.assignments()) {
            records.add(new ProducerRecord<>(topic, key(request.getOrganizationId()),
                    contract.encodeRequest(request, format, topic)));
        }
        return records;
    }

    /** The records in order, through one producer, which keeps each partition's order; returns how many were acknowledged. */
    private int produce(List<ProducerRecord<byte[], byte[]>> records, Properties clientConfig, long deadline)
            throws InterruptedException {
        Properties config = new Properties();
        config.putAll(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1, remaining(deadline).toMillis()));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        List<Future<?>> sends = new ArrayList<>();
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config);
        try {
            for (ProducerRecord<byte[], byte[]> record : records) {
                sends.add(producer.send(record));
            }
            int acknowledged = 0;
            for (Future<?> send : sends) {
                send.get(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
                acknowledged++;
            }
            return acknowledged;
        } catch (TimeoutException e) {
            return (int) sends.stream().filter(send -> send.isDone() && !send.isCancelled()).count();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException kafka ? kafka : new KafkaException(e.getCause());
        } finally {
            producer.close(Duration.ofSeconds(2));
        }
    }

    private int awaitOutcomes(List<ChannelAssignmentRequest> assignments, AvroContract contract,
            ChannelAssignmentCli.OutcomeReader outcomes,
            CliCommand.Connection connection, long deadline, Duration timeout) throws InterruptedException {
        Set<String> pending = new HashSet<>();
        assignments.forEach(request -> pending.add(request.getRequestId()));
        while (!pending.isEmpty() && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<byte[], byte[]> record : outcomes.poll(atMost(deadline, POLL))) {
                if (pending.remove(header(record, WireHeaders.REQUEST_ID))) {
                    ChannelAssignmentOutcome outcome = contract.decodeOutcome(record.value());
                    out.println(connection.json() ? OutcomeText.json(outcome) : OutcomeText.readable(outcome));
                    out.flush();
                }
            }
        }
        if (!pending.isEmpty()) {
            err.printf("%d of %d assignments unanswered on %s within %ds; they were sent and may still be applied%n",
                    pending.size(), assignments.size(), connection.outcomesTopic(), timeout.toSeconds());
            return ChannelAssignmentCli.TIMED_OUT;
        }
        return ChannelAssignmentCli.DONE;
    }

    private static byte[] key(String organizationId) {
        return organizationId.getBytes(StandardCharsets.UTF_8);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static Duration atMost(long deadline, Duration limit) {
        Duration remaining = remaining(deadline);
        return remaining.compareTo(limit) < 0 ? remaining : limit;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
