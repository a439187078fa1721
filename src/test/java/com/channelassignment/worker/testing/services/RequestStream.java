package com.channelassignment.worker.testing.services;

import com.channelassignment.worker.testing.data.TraceParent;
import com.channelassignment.worker.testing.model.StreamCheck;
import com.channelassignment.worker.contract.registry.ConfluentHeader;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.DirectoryChange;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces a test's requests as upstream producers are told to: Avro single-object encoded, keyed by organization,
 * from an idempotent producer with {@code acks=all}, so a partition keeps production order through broker restarts.
 * Every send is first recorded in the {@link StreamCheck} (and in any other check that watches the same topic). Sends
 * are serialized, so that the checks' models see the order the partitions see, even with several sending threads.
 */
public final class RequestStream implements AutoCloseable {

    /** The key of requests without an organization; they are rejected, but still keyed alike. */
    public static final String NO_ORGANIZATION_KEY = "no-organization";
    /** {@code C3 01} and the writer schema's 8-byte fingerprint. */
    private static final int SINGLE_OBJECT_HEADER = 10;

    private final AvroContract contract = new AvroContract();
    private volatile byte[] confluentHeader;
    private volatile WriterSchemaEncoder writerSchema;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final List<StreamCheck> checks = new CopyOnWriteArrayList<>();
    private final AtomicInteger failedSends = new AtomicInteger();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private volatile boolean traced;
    private final Callback onCompletion = (metadata, exception) -> {
        if (exception != null) {
            failedSends.incrementAndGet();
            firstFailure.compareAndSet(null, exception);
        }
    };

    public RequestStream(String bootstrapServers, String topic, StreamCheck check) {
        this(bootstrapServers, topic, check, true, 5);
    }

    /** One request in flight instead of idempotence: for brokers that are never restarted under the stream. */
    public static RequestStream withoutIdempotence(String bootstrapServers, String topic, StreamCheck check) {
        return new RequestStream(bootstrapServers, topic, check, false, 5);
    }

    /** As {@link #withoutIdempotence}, and each record leaves at once: for one request at a time. */
    public static RequestStream withoutLinger(String bootstrapServers, String topic, StreamCheck check) {
        return new RequestStream(bootstrapServers, topic, check, false, 0);
    }

    private RequestStream(String bootstrapServers, String topic, StreamCheck check, boolean idempotent,
            int lingerMillis) {
        this.topic = topic;
        this.checks.add(check);
        // Generous delivery and blocking limits: a broker restart must delay sends, not fail them.
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, idempotent ? 5 : 1,
                ProducerConfig.LINGER_MS_CONFIG, lingerMillis,
                // Room for records up to the broker's own limit (message.max.bytes); the broker has the last word.
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    /**
     * From now on every request carries the {@code traceparent} of a new sampled trace, as a producer that traces its
     * requests sends them.
     */
    public RequestStream traceEveryRequest() {
        traced = true;
        return this;
    }

    /**
     * Requests from now on in the Confluent wire format, under the registry id {@code schemaId} of the request schema:
     * the single-object header (10 bytes) gives way to {@code 00} and the id.
     */
    public synchronized RequestStream confluentFramed(int schemaId) {
        confluentHeader = ConfluentHeader.of(schemaId);
        return this;
    }

    /**
     * Requests from now on in the single-object encoding of {@code writer}, another build's request schema, field by
     * field: what that build's producers would send.
     */
    public synchronized RequestStream writtenWith(Schema writer) {
        writerSchema = new WriterSchemaEncoder(writer);
        return this;
    }

    /** Another deployment's check, fed with every send from now on: for deployments consuming the same topic. */
    public void alsoRecordIn(StreamCheck other) {
        checks.add(other);
    }

    /** Records the delivery in the check (and its model), then produces it. */
    public void send(AssignmentRequest request) {
        String key = request.organizationId() == null ? NO_ORGANIZATION_KEY : request.organizationId();
        send(request, utf8(key));
    }

    /** {@link #send(AssignmentRequest)} under a key of the caller's choosing instead of the organization. */
    public synchronized void send(AssignmentRequest request, byte[] key) {
        checks.forEach(check -> check.sent(request));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, encode(request));
        if (traced) {
            record.headers().add(TraceParent.HEADER, utf8(TraceParent.random().toString()));
        }
        producer.send(record, onCompletion);
    }

    /**
     * Records the directory change in the checks (and their models), then produces it keyed by its organization, on
     * the requests topic, where the worker orders it with the requests of that organization.
     */
    public synchronized void send(DirectoryChange change) {
        checks.forEach(check -> check.sent(change));
        producer.send(new ProducerRecord<>(topic, utf8(change.organizationId()), contract.encodeChange(change)),
                onCompletion);
    }

    /** Produces a value that is not a request; the worker must dead-letter it. */
    public synchronized void sendGarbage(String key, byte[] value) {
        checks.forEach(check -> check.sentGarbage(value));
        producer.send(new ProducerRecord<>(topic, utf8(key), value), onCompletion);
    }

    /** The record value {@link #send} produces for {@code request}. */
    public byte[] encode(AssignmentRequest request) {
        WriterSchemaEncoder writer = writerSchema;
        byte[] singleObject = writer == null ? contract.encodeRequest(wire(request)) : writer.encode(wire(request));
        byte[] header = confluentHeader;
        return header == null ? singleObject : ConfluentHeader.framed(header, singleObject, SINGLE_OBJECT_HEADER);
    }

    public void flush() {
        producer.flush();
    }

    /** Flushes, then fails if any send failed: figures computed over requests that never left would lie. */
    public void requireAllSent() {
        producer.flush();
        if (failedSends.get() > 0) {
            throw new IllegalStateException(failedSends.get() + " records could not be produced; figures would lie",
                    firstFailure.get());
        }
    }

    public static ChannelAssignmentRequest wire(AssignmentRequest request) {
        return ChannelAssignmentRequest.newBuilder()
                .setRequestId(request.requestId())
                .setOrganizationId(request.organizationId())
                .setAgentHandle(request.agentHandle())
                .setOperation(Operation.valueOf(request.operation().name()))
                .setChannelType(ChannelType.valueOf(request.channelType().name()))
                .setChannelId(request.channelId())
                .setRequestedAt(request.requestedAt())
                .setCorrelationId(request.correlationId())
                .build();
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
