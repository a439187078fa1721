package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.registry.ConfluentHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One record of the dead-letter topic as the worker wrote it: where it sits, where it came from (spring-kafka's
 * {@code kafka_dlt-original-*} headers), why (the {@code kafka_dlt-exception-*} headers) and what it carried.
 */
record DeadLetter(String topic, int partition, long offset, String originalTopic, Integer originalPartition,
        Long originalOffset, Instant time, String exception, String cause, String message, String replayOf,
        List<String> truncated, byte[] key, byte[] value, Headers headers) {

    // spring-kafka's names (KafkaHeaders.DLT_*); the client speaks the wire format without spring-kafka on its path.
    static final String ORIGINAL_TOPIC = "kafka_dlt-original-topic";
    static final String ORIGINAL_PARTITION = "kafka_dlt-original-partition";
    static final String ORIGINAL_OFFSET = "kafka_dlt-original-offset";
    static final String ORIGINAL_TIMESTAMP = "kafka_dlt-original-timestamp";
    static final String EXCEPTION = "kafka_dlt-exception-fqcn";
    static final String EXCEPTION_CAUSE = "kafka_dlt-exception-cause-fqcn";
    static final String EXCEPTION_MESSAGE = "kafka_dlt-exception-message";
    /** The worker's mark of what it had to leave out of a dead letter to fit it: {@code key}, {@code value}. */
    static final String TRUNCATED = "truncated";
    /** Put on each replayed record: the coordinates of the dead letter it replays. */
    static final String REPLAY_OF = "dlt-replay-of";

    static DeadLetter of(ConsumerRecord<byte[], byte[]> record) {
        Headers headers = record.headers();
        Long originalTimestamp = number(headers, ORIGINAL_TIMESTAMP, Long.BYTES);
        Long originalPartition = number(headers, ORIGINAL_PARTITION, Integer.BYTES);
        String truncated = text(headers, TRUNCATED);
        return new DeadLetter(record.topic(), record.partition(), record.offset(), text(headers, ORIGINAL_TOPIC),
                originalPartition == null ? null : originalPartition.intValue(),
                number(headers, ORIGINAL_OFFSET, Long.BYTES),
                Instant.ofEpochMilli(originalTimestamp != null ? originalTimestamp : record.timestamp()),
                text(headers, EXCEPTION), text(headers, EXCEPTION_CAUSE), text(headers, EXCEPTION_MESSAGE),
                text(headers, REPLAY_OF), truncated == null ? List.of() : List.of(truncated.split(",")),
                record.key(), record.value(), headers);
    }

    /** Where the dead letter itself sits: what {@code dlt-replay-of} names. */
    String coordinates() {
        return topic + "-" + partition + "@" + offset;
    }

    /** Where the record sat before it was dead-lettered. */
    String original() {
        return (originalTopic == null ? "?" : originalTopic) + "-" + (originalPartition == null ? "?" : originalPartition)
                + "@" + (originalOffset == null ? "?" : originalOffset);
    }

    /** Why a replay could not send what was originally sent, or null when it can. */
    String unreplayable() {
        if (truncated.contains("value") || truncated.contains("key")) {
            return "the worker cut its " + String.join(" and ", truncated) + " to fit the dead-letter topic";
        }
        if (value == null) {
            return "it has no value (a tombstone)";
        }
        return null;
    }

    /** The record to send again: its key and value, its own headers, and the replay mark instead of the worker's. */
    Headers replayHeaders() {
        Headers replay = new RecordHeaders();
        for (Header header : headers) {
            if (!header.key().startsWith("kafka_dlt-") && !header.key().startsWith("dlt-")
                    && !header.key().equals(TRUNCATED)) {
                replay.add(header);
            }
        }
        replay.add(REPLAY_OF, coordinates().getBytes(StandardCharsets.UTF_8));
        return replay;
    }

    /** The value's framing, read from its first bytes: the wire format, or null for neither (or no value). */
    WireFormat wireFormat() {
        return WireFormat.of(value);
    }

    /** The registry id a Confluent-framed value names, else null. */
    Integer schemaId() {
        return wireFormat() == WireFormat.CONFLUENT ? ConfluentHeader.idOf(value) : null;
    }

    /** {@code single-object}, {@code confluent(schema id 7)} or {@code unframed}. */
    String framing() {
        WireFormat format = wireFormat();
        if (format == null) {
            return "unframed";
        }
        return format == WireFormat.CONFLUENT ? "confluent(schema id " + schemaId() + ")" : format.settingValue();
    }

    /**
     * {@code 2026-11-27T02:19:15Z  requests-2@17  UndecodableRecordException (EOFException): ...  dlt=requests.dlt-2@5
     * value=single-object}.
     */
    String readable() {
        String line = "%s  %s  %s (%s): %s  dlt=%s  value=%s".formatted(time, original(), simpleName(exception),
                simpleName(cause), oneLine(message), coordinates(), framing());
        if (replayOf != null) {
            line += "  replay-of=" + replayOf;
        }
        return truncated.isEmpty() ? line : line + "  truncated=" + String.join(",", truncated);
    }

    /** The dead letter as {@code dlt list --json} prints it, one field per line of {@link #readable()} and more. */
    String json() {
        return CliJson.line(new Json(coordinates(), originalTopic, originalPartition, originalOffset, time.toString(),
                exception, cause, message, replayOf, truncated,
                key == null ? null : new String(key, StandardCharsets.UTF_8), value == null ? null : value.length,
                wireFormat() == null ? null : wireFormat().settingValue(), schemaId()));
    }

    /** The fields of {@code dlt list --json}, in the order printed. */
    private record Json(String deadLetter, String originalTopic, Integer originalPartition, Long originalOffset,
            String time, String exception, String cause, String message, String replayOf, List<String> truncated,
            String key, Integer valueSize, String wireFormat, Integer schemaId) {
    }

    @Override
    public String toString() {
        return coordinates();
    }

    private static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** spring-kafka writes partitions as 4 bytes and offsets and timestamps as 8, big-endian. */
    private static Long number(Headers headers, String name, int bytes) {
        Header header = headers.lastHeader(name);
        if (header == null || header.value() == null || header.value().length != bytes) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(header.value());
        return bytes == Integer.BYTES ? (long) buffer.getInt() : buffer.getLong();
    }

    private static String simpleName(String className) {
        return className == null ? "-" : className.substring(className.lastIndexOf('.') + 1);
    }

    private static String oneLine(String text) {
        return text == null ? "-" : text.replaceAll("\\s*\\R\\s*", " ");
    }

    static List<DeadLetter> inReplayOrder(List<DeadLetter> deadLetters) {
        List<DeadLetter> ordered = new ArrayList<>(deadLetters);
        // Per original partition, in original offset order: one organization's records go back in the order they came.
        ordered.sort(Comparator
                .comparing((DeadLetter d) -> d.originalPartition() == null ? -1 : d.originalPartition())
                .thenComparing(d -> d.originalOffset() == null ? -1L : d.originalOffset())
                .thenComparing(DeadLetter::partition).thenComparing(DeadLetter::offset));
        return ordered;
    }
}
