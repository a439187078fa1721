package com.channelassignment.worker.kafka.publish;

import com.channelassignment.worker.kafka.observe.RecordTracing;
import com.channelassignment.worker.contract.WireHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/**
 * spring-kafka's dead-letter publishing, held to what the broker accepts and to what an operator should see.
 *
 * <p>Every dead letter carries the original value's size and SHA-256. One too large to carry its original key, value
 * and headers carries a reference instead: the key is cut, then the value left out, then the original headers dropped,
 * until the record fits, and the {@code truncated} header says which. The exception headers hold the exception's class,
 * its root cause's class and a bounded message; never a stack trace, which would carry SQL text and internals. The
 * trace context it came with is replaced by that of the span current while it is dead-lettered, the record's own.
 */
public class BoundedDeadLetterPublishingRecoverer extends DeadLetterPublishingRecoverer {

    static final int MAX_EXCEPTION_MESSAGE_CHARS = 1000;

    private final RecordBudget budget;
    private final RecordTracing tracing;

    /** Without tracing: the trace context the record came with stays as it was. */
    public BoundedDeadLetterPublishingRecoverer(KafkaOperations<?, ?> template,
            BiFunction<ConsumerRecord<?, ?>, Exception, TopicPartition> destinationResolver, RecordBudget budget) {
        this(template, destinationResolver, budget, RecordTracing.off());
    }

    public BoundedDeadLetterPublishingRecoverer(KafkaOperations<?, ?> template,
            BiFunction<ConsumerRecord<?, ?>, Exception, TopicPartition> destinationResolver, RecordBudget budget,
            RecordTracing tracing) {
        super(template, destinationResolver);
        this.budget = budget;
        this.tracing = tracing;
        setExceptionHeadersCreator((headers, exception, isKey, names) -> {
            var info = names.getExceptionInfo();
            // The record's own headers come along, and a producer can put exception headers there, a stack trace
            // among them (a replayed dead letter, or a forged one). spring-kafka's own creator strips them; so does
            // this one, so that the only exception headers are the worker's.
            for (String previous : List.of(info.getExceptionFqcn(), info.getExceptionCauseFqcn(),
                    info.getExceptionMessage(), info.getExceptionStacktrace(), info.getKeyExceptionFqcn(),
                    info.getKeyExceptionMessage(), info.getKeyExceptionStacktrace())) {
                headers.remove(previous);
            }
            headers.add(new RecordHeader(info.getExceptionFqcn(), utf8(exception.getClass().getName())));
            headers.add(new RecordHeader(info.getExceptionCauseFqcn(), utf8(rootCause(exception).getClass().getName())));
            headers.add(new RecordHeader(info.getExceptionMessage(), utf8(boundedMessage(exception))));
        });
    }

    @Override
    protected ProducerRecord<Object, Object> createProducerRecord(ConsumerRecord<?, ?> record,
            TopicPartition topicPartition, Headers headers, byte[] key, byte[] value) {
        byte[] originalKey = key != null ? key : (byte[]) record.key();
        byte[] originalValue = value != null ? value : (byte[]) record.value();
        Headers withOriginals = new RecordHeaders(headers.toArray());
        // Before the budget is checked: the trace context is a few dozen bytes, counted like every other header.
        tracing.injectCurrent(withOriginals);
        List<String> truncated = new ArrayList<>();
        if (originalValue != null) {
            withOriginals.add(WireHeaders.ORIGINAL_VALUE_SIZE, utf8(Integer.toString(originalValue.length)));
            withOriginals.add(WireHeaders.ORIGINAL_VALUE_SHA256, utf8(sha256(originalValue)));
        }
        byte[] deadKey = originalKey;
        if (RecordBudget.keyTooLong(originalKey)) {
            withOriginals.add(WireHeaders.ORIGINAL_KEY_SIZE, utf8(Integer.toString(originalKey.length)));
            withOriginals.add(WireHeaders.ORIGINAL_KEY_SHA256, utf8(sha256(originalKey)));
            deadKey = RecordBudget.echoedKey(originalKey);
            truncated.add("key");
        }
        Headers withoutOriginals = withoutOriginalHeaders(withOriginals, record.headers());
        // In order of preference: the value is what a replay needs, the original headers matter less.
        List<Candidate> candidates = List.of(
                new Candidate(originalValue, withOriginals, List.of()),
                new Candidate(originalValue, withoutOriginals, List.of("headers")),
                new Candidate(null, withOriginals, List.of("value")),
                new Candidate(null, withoutOriginals, List.of("value", "headers")));
        for (Candidate candidate : candidates) {
            List<String> cut = new ArrayList<>(truncated);
            cut.addAll(candidate.cut());
            Headers marked = new RecordHeaders(candidate.headers().toArray());
            if (!cut.isEmpty()) {
                marked.add(WireHeaders.TRUNCATED, utf8(String.join(",", cut)));
            }
            if (budget.fits(deadKey, candidate.value(), marked)) {
                Integer partition = topicPartition.partition() < 0 ? null : topicPartition.partition();
                // A record written without a timestamp (-1) gets the producer's time: the producer refuses -1.
                Long timestamp = record.timestamp() < 0 ? null : record.timestamp();
                return new ProducerRecord<>(topicPartition.topic(), partition, timestamp, deadKey, candidate.value(),
                        marked);
            }
        }
        throw new IllegalStateException("a dead letter without value and original headers exceeds "
                + budget.maxRecordBytes() + " bytes");
    }

    /** One way to cut a dead letter down: the value it keeps, the headers it carries, what it left out. */
    private record Candidate(byte[] value, Headers headers, List<String> cut) {
    }

    /**
     * The headers the dead letter adds, without those the record came with. Told apart by identity, not by name: the
     * producer chose the record's headers' names, and could name one like a dead-letter header to keep it here.
     * spring-kafka copies the record's header objects into the dead letter's headers, so identity finds them.
     */
    private static Headers withoutOriginalHeaders(Headers headers, Headers originalHeaders) {
        Set<Header> originals = Collections.newSetFromMap(new IdentityHashMap<>());
        originalHeaders.forEach(originals::add);
        Headers kept = new RecordHeaders();
        for (Header header : headers) {
            if (!originals.contains(header)) {
                kept.add(header);
            }
        }
        return kept;
    }

    /**
     * The exception's message and its root cause's, each cut short: wrappers such as Spring's data-access exceptions
     * put kilobytes of SQL first and the reason last, in the cause.
     */
    public static String boundedMessage(Throwable exception) {
        String message = cut(String.valueOf(exception.getMessage()), MAX_EXCEPTION_MESSAGE_CHARS / 2);
        Throwable root = rootCause(exception);
        return root == exception ? message
                : message + " / caused by " + root.getClass().getSimpleName() + ": "
                        + cut(String.valueOf(root.getMessage()), MAX_EXCEPTION_MESSAGE_CHARS / 2);
    }

    private static String cut(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit) + "\u2026";
    }

    private static Throwable rootCause(Throwable exception) {
        Throwable root = exception;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform ships SHA-256", e);
        }
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
