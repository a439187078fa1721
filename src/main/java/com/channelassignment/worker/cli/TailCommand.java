package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tail}: prints every committed outcome, one line each, as it arrives. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print each committed outcome as it arrives; without --max or --timeout, until Ctrl-C.",
        footer = {"", "Exit status: 0 done, 1 Kafka error, 2 fewer than --max outcomes within --timeout, "
                + "64 bad usage."})
final class TailCommand implements Callable<Integer> {

    private static final Duration POLL = Duration.ofMillis(200);

    private final CliContext context;

    @Option(names = "--from-beginning", description = "start at the oldest outcome, not at the newest")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", converter = CliConverters.Positive.class,
            description = "stop after N outcomes")
    Integer max;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "stop after this long")
    Duration timeout;

    @Option(names = "--organization-id", paramLabel = "ID", description = "only this organization's outcomes")
    String organizationId;

    @Option(names = "--request-id", paramLabel = "ID", description = "only this request's outcomes")
    String requestId;

    @Mixin
    ConnectionFlags connection;

    TailCommand(CliContext context) {
        this.context = context;
    }

    CliCommand.Tail command() {
        return new CliCommand.Tail(connection.connection(), fromBeginning, max, timeout, organizationId, requestId);
    }

    @Override
    public Integer call() {
        CliCommand.Tail tail = command();
        AvroContract contract = RegistryFlags.contract(tail.connection().registry());
        return tail.connection().kafka().run(context.err(), () -> tail(tail, contract));
    }

    private int tail(CliCommand.Tail tail, AvroContract contract) throws InterruptedException {
        Deadline deadline = tail.timeout() == null ? Deadline.NEVER : Deadline.after(tail.timeout());
        int shown = 0;
        try (OutcomeReader outcomes = new OutcomeReader(tail.connection().kafka(),
                tail.connection().outcomesTopic())) {
            if (tail.fromBeginning()) {
                outcomes.startAtBeginning(deadline.atMost(Duration.ofSeconds(30)));
            } else {
                outcomes.startAtEnd(deadline.atMost(Duration.ofSeconds(30)));
            }
            while (tail.max() == null || shown < tail.max()) {
                if (deadline.passed()) {
                    if (tail.max() == null) {
                        return ChannelAssignmentCli.DONE;
                    }
                    context.err().printf("%d of %d outcomes within %s%n", shown, tail.max(),
                            Deadline.readable(tail.timeout()));
                    return ChannelAssignmentCli.TIMED_OUT;
                }
                for (ConsumerRecord<byte[], byte[]> record : outcomes.poll(deadline.atMost(POLL))) {
                    ChannelAssignmentOutcome outcome = decodeOrSkip(contract, record);
                    if (outcome != null && tail.shows(outcome)) {
                        OutcomeText.print(context.out(), outcome, tail.connection().json());
                        if (tail.max() != null && ++shown == tail.max()) {
                            break;
                        }
                    }
                }
            }
        }
        return ChannelAssignmentCli.DONE;
    }

    private ChannelAssignmentOutcome decodeOrSkip(AvroContract contract, ConsumerRecord<byte[], byte[]> record) {
        try {
            return contract.decodeOutcome(record.value());
        } catch (RuntimeException e) {
            context.err().printf("skipped %s-%d@%d: not an outcome (%s)%n", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return null;
        }
    }
}
