package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.contract.WireHeaders;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code send}: produces one request keyed by its organization, then reads the outcomes topic until the outcome with
 * its {@code request_id} arrives, and prints it.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Produce one request keyed by its organization, then wait for its outcome and print it.",
        footer = {"", "Exit status: 0 the outcome arrived (whatever its status), 1 Kafka error, 2 timed out, "
                + "64 bad usage."})
final class SendCommand implements Callable<Integer> {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration CLOSE = Duration.ofSeconds(2);

    private final CliContext context;

    @Option(names = "--organization-id", required = true, paramLabel = "ID",
            description = "the tenant; also the record key")
    String organizationId;

    @Option(names = "--agent-handle", required = true, paramLabel = "HANDLE",
            description = "a leading @ is ignored by the worker")
    String agentHandle;

    @Option(names = "--operation", required = true, paramLabel = "ASSIGN|UNASSIGN")
    Operation operation;

    @Option(names = "--channel-type", required = true, paramLabel = "MAILBOX|PHONE_NUMBER")
    ChannelType channelType;

    @Option(names = "--channel-id", paramLabel = "UUID", description = "the mailbox or phone number; required for ASSIGN")
    String channelId;

    @Option(names = "--request-id", paramLabel = "ID", description = "idempotency key (default: a random UUID)")
    String requestId;

    @Option(names = "--correlation-id", paramLabel = "ID", description = "echoed on the outcome (default: a random UUID)")
    String correlationId;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "how long to wait, all in, e.g. 500ms, 30s, 2m (default: 30s)")
    Duration timeout;

    @Option(names = "--no-wait", description = "stop once the broker has the request")
    boolean noWait;

    @Mixin
    RequestsFlags requests;

    @Mixin
    ConnectionFlags connection;

    SendCommand(CliContext context) {
        this.context = context;
    }

    CliCommand.Send command() {
        CliCommand.Connection connection = this.connection.connection();
        return new CliCommand.Send(connection, requests.wireFormat(connection), requests.topic(),
                requestId != null ? requestId : UUID.randomUUID().toString(), organizationId, agentHandle, operation,
                channelType, channelId, correlationId != null ? correlationId : UUID.randomUUID().toString(), timeout,
                !noWait);
    }

    @Override
    public Integer call() {
        CliCommand.Send send = command();
        AvroContract contract = RegistryFlags.contract(send.connection().registry());
        return send.connection().kafka().run(context.err(), () -> send(send, contract));
    }

    private int send(CliCommand.Send send, AvroContract contract) throws InterruptedException {
        ChannelAssignmentRequest request = send.toRequest(context.clock().instant());
        Deadline deadline = Deadline.after(send.timeout());
        // Encoded first: a Confluent-framed request needs its schema's id, and a registry that cannot give it stops
        // the command before anything is sent.
        byte[] value = contract.encodeRequest(request, send.wireFormat(), send.requestsTopic());
        if (!send.waitForOutcome()) {
            RecordMetadata sent = produce(send, request, value, deadline);
            if (sent == null) {
                return ChannelAssignmentCli.TIMED_OUT;
            }
            context.out().println(send.connection().json() ? request.toString()
                    : "sent %s to %s-%d@%d".formatted(request.getRequestId(), sent.topic(), sent.partition(),
                            sent.offset()));
            return ChannelAssignmentCli.DONE;
        }
        try (OutcomeReader outcomes = new OutcomeReader(send.connection().kafka(),
                send.connection().outcomesTopic())) {
            // The positions are taken before producing: an outcome committed in between is read, not skipped.
            outcomes.startAtEnd(deadline.remaining());
            if (produce(send, request, value, deadline) == null) {
                return ChannelAssignmentCli.TIMED_OUT;
            }
            while (!deadline.passed()) {
                for (ConsumerRecord<byte[], byte[]> record : outcomes.poll(deadline.atMost(POLL))) {
                    if (request.getRequestId().equals(OutcomeText.header(record,
                            WireHeaders.REQUEST_ID))) {
                        OutcomeText.print(context.out(), contract.decodeOutcome(record.value()),
                                send.connection().json());
                        return ChannelAssignmentCli.DONE;
                    }
                }
            }
        }
        context.err().printf("no outcome for request %s on %s within %s; it was sent and may still be applied%n",
                request.getRequestId(), send.connection().outcomesTopic(), Deadline.readable(send.timeout()));
        return ChannelAssignmentCli.TIMED_OUT;
    }

    /** The broker's acknowledgement of the request, or null (after saying so) when the deadline passed first. */
    private RecordMetadata produce(CliCommand.Send send, ChannelAssignmentRequest request, byte[] value,
            Deadline deadline) throws InterruptedException {
        KafkaProducer<byte[], byte[]> producer = send.connection().kafka().producer(Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1, deadline.remaining().toMillis())));
        try {
            // Keyed by organization, as producers are told to: one organization's requests stay in order.
            return producer.send(new ProducerRecord<>(send.requestsTopic(),
                    request.getOrganizationId().getBytes(StandardCharsets.UTF_8), value))
                    .get(deadline.remaining().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            context.err().printf("request %s not acknowledged by %s within %s%n", request.getRequestId(),
                    send.connection().bootstrapServers(), Deadline.readable(send.timeout()));
            return null;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException kafka ? kafka : new KafkaException(e.getCause());
        } finally {
            producer.close(CLOSE);
        }
    }
}
