package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.contract.WireHeaders;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.DirectoryChange;
import com.channelassignment.worker.kafka.avro.IdentityState;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code directory load}: publishes a directory file on the requests topic as directory changes and assignment
 * requests, so a loaded directory obeys the same versions, order and rules as every other change;
 * {@code directory show} ({@link DirectoryShow}) reads one handle back from the worker's database.
 */
@Command(name = "directory", mixinStandardHelpOptions = true, subcommands = {DirectoryCommands.LoadCommand.class,
        DirectoryShow.ShowCommand.class},
        description = "Load a directory file, or show one handle as the worker's database holds it.")
final class DirectoryCommands implements Callable<Integer> {

    /** The file is not a directory the worker would accept; nothing of it was sent. */
    static final int INVALID_FILE = 65;

    private static final Duration POLL = Duration.ofMillis(200);

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    DirectoryCommands(CliContext context) {
        this.out = context.out();
        this.err = context.err();
        this.clock = context.clock();
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "directory needs load or show");
    }

    /** {@code directory load}'s flags. */
    @Command(name = "load", mixinStandardHelpOptions = true,
            description = {"Publish a directory file (docs/directory-file.md) on the requests topic: one directory "
                    + "change per identity, mailbox and phone number, then one ASSIGN request per assignment, keyed "
                    + "by organization; wait for the broker to acknowledge them all and for the assignments' "
                    + "outcomes."},
            footer = {"", "Exit status: 0 sent (and every assignment answered, whatever its status), 1 Kafka error, "
                    + "2 timed out, 64 bad usage, 65 invalid file (nothing was sent)."})
    static final class LoadCommand implements Callable<Integer> {

        private final CliContext context;

        @Option(names = "--file", required = true, paramLabel = "FILE", description = "the JSON directory file")
        Path file;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m",
                description = "how long to wait, all in, e.g. 30s, 2m (default: 2m)")
        Duration timeout;

        @Option(names = "--no-wait", description = "stop once the broker has acknowledged everything")
        boolean noWait;

        @Mixin
        RequestsFlags requests;

        @Mixin
        ConnectionFlags connection;

        LoadCommand(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            CliCommand.Connection connection = this.connection.connection();
            DirectoryCommands commands = new DirectoryCommands(context);
            try {
                return connection.kafka().run(context.err(), () -> commands.load(this, connection));
            } catch (DirectoryFile.InvalidDirectoryFileException e) {
                context.err().println("not loaded: " + e.getMessage());
                return INVALID_FILE;
            }
        }
    }

    private int load(LoadCommand flags, CliCommand.Connection connection) throws InterruptedException {
        String topic = flags.requests.topic();
        Duration timeout = flags.timeout;
        WireFormat format = flags.requests.wireFormat(connection);
        AvroContract contract = RegistryFlags.contract(connection.registry());
        KafkaClients clients = connection.kafka();
        long deadline = System.nanoTime() + timeout.toNanos();

        Instant now = clock.instant();
        // A version no earlier load has used: the file's state wins over what an earlier load of it left.
        long loadVersion = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        String loadId = UUID.randomUUID().toString();
        DirectoryFile directory;
        try (InputStream in = Files.newInputStream(flags.file)) {
            directory = DirectoryFile.read(in, now.truncatedTo(ChronoUnit.MILLIS), loadVersion, loadId);
        } catch (IOException e) {
            throw new CliUsageException("--file " + flags.file + " cannot be read: " + e);
        }

        boolean wait = !flags.noWait && !directory.assignments().isEmpty();
        try (OutcomeReader outcomes = wait ? new OutcomeReader(clients, connection.outcomesTopic()) : null) {
            if (outcomes != null) {
                // The positions are taken before producing: an outcome committed in between is read, not skipped.
                outcomes.startAtEnd(remaining(deadline));
            }
            long started = System.nanoTime();
            int acknowledged = produce(records(directory, contract, format, topic), clients, deadline);
            int total = directory.changes().size() + directory.assignments().size();
            if (acknowledged < total) {
                err.printf("%d of %d records acknowledged by %s within %ds; loading the file again is safe%n",
                        acknowledged, total, connection.bootstrapServers(), timeout.toSeconds());
                return ChannelAssignmentCli.TIMED_OUT;
            }
            String counts = CliChannel.ofEveryType().stream().map(channel -> ", %d %s".formatted(
                    directory.count(channel.stateClass()), channel.section().replace('_', ' ')))
                    .collect(Collectors.joining());
            err.printf("sent %d directory changes (%d identities%s) and %d assignment requests to %s in %d ms; load %s, "
                            + "version %d%n",
                    directory.changes().size(), directory.count(IdentityState.class), counts,
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
    private int produce(List<ProducerRecord<byte[], byte[]>> records, KafkaClients clients, long deadline)
            throws InterruptedException {
        List<Future<?>> sends = new ArrayList<>();
        KafkaProducer<byte[], byte[]> producer = clients.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1, remaining(deadline).toMillis())));
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
            OutcomeReader outcomes,
            CliCommand.Connection connection, long deadline, Duration timeout) throws InterruptedException {
        Set<String> pending = new HashSet<>();
        assignments.forEach(request -> pending.add(request.getRequestId()));
        while (!pending.isEmpty() && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<byte[], byte[]> record : outcomes.poll(atMost(deadline, POLL))) {
                if (pending.remove(OutcomeText.header(record, WireHeaders.REQUEST_ID))) {
                    OutcomeText.print(out, contract.decodeOutcome(record.value()), connection.json());
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
}
