package com.channelassignment.worker.kafka.publish;

import com.channelassignment.worker.contract.WireLimits;
import com.channelassignment.worker.contract.WireHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/** Dead letters are cut, in a fixed order of preference, until the producer will send them. */
class BoundedDeadLetterPublishingRecovererTest {

    private static final int LIMIT = WireLimits.MAX_RECORD_BYTES;
    private static final TopicPartition DEAD_LETTERS = new TopicPartition("requests.dlt", -1);

    // Never sends: only the record it would send is examined.
    private final BoundedDeadLetterPublishingRecoverer recoverer = new BoundedDeadLetterPublishingRecoverer(
            new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(Map.of("bootstrap.servers", "127.0.0.1:1"))),
            (record, exception) -> DEAD_LETTERS, new RecordBudget(LIMIT));
    private final RecordBudget budget = new RecordBudget(LIMIT);

    @Test
    void keepsASmallRecordWholeAndAddsTheSizeAndDigestOfItsValue() {
        byte[] value = utf8("not a request");
        ProducerRecord<Object, Object> dead = deadLetterOf(record(utf8("org-1"), value, new RecordHeaders()));

        assertThat((byte[]) dead.value()).isEqualTo(value);
        assertThat((byte[]) dead.key()).isEqualTo(utf8("org-1"));
        assertThat(header(dead, WireHeaders.ORIGINAL_VALUE_SIZE)).isEqualTo("13");
        assertThat(header(dead, WireHeaders.ORIGINAL_VALUE_SHA256))
                .isEqualTo(sha256(value));
        assertThat(dead.headers().lastHeader(WireHeaders.TRUNCATED)).isNull();
    }

    @Test
    void leavesOutAValueTooLargeToCarryAndKeepsItsReference() {
        byte[] value = new byte[LIMIT - 100];
        Arrays.fill(value, (byte) 7);
        ProducerRecord<Object, Object> dead = deadLetterOf(record(utf8("org-1"), value, new RecordHeaders()));

        assertThat(dead.value()).isNull();
        assertThat(header(dead, WireHeaders.TRUNCATED)).isEqualTo("value");
        assertThat(header(dead, WireHeaders.ORIGINAL_VALUE_SIZE))
                .isEqualTo(Integer.toString(value.length));
        assertThat(header(dead, WireHeaders.ORIGINAL_VALUE_SHA256))
                .isEqualTo(sha256(value));
        assertThat(fits(dead)).isTrue();
    }

    @Test
    void dropsHugeOriginalHeadersBeforeTheValue() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-baggage", new byte[LIMIT]);
        byte[] value = utf8("garbage");
        ProducerRecord<Object, Object> dead = deadLetterOf(record(utf8("org-1"), value, headers));

        assertThat((byte[]) dead.value()).isEqualTo(value);
        assertThat(dead.headers().lastHeader("trace-baggage")).isNull();
        assertThat(header(dead, WireHeaders.TRUNCATED)).isEqualTo("headers");
        assertThat(fits(dead)).isTrue();
    }

    @Test
    void cutsAnOversizedKeyAndKeepsItsReference() {
        byte[] key = new byte[900_000];
        Arrays.fill(key, (byte) 'k');
        ProducerRecord<Object, Object> dead = deadLetterOf(record(key, utf8("garbage"), new RecordHeaders()));

        assertThat((byte[]) dead.key()).hasSize(RecordBudget.MAX_ECHOED_KEY_BYTES);
        assertThat(header(dead, WireHeaders.ORIGINAL_KEY_SIZE)).isEqualTo("900000");
        assertThat(header(dead, WireHeaders.ORIGINAL_KEY_SHA256))
                .isEqualTo(sha256(key));
        assertThat(header(dead, WireHeaders.TRUNCATED)).isEqualTo("key");
    }

    @Test
    void boundsTheExceptionMessageAndKeepsTheRootCausesReason() {
        String sql = "INSERT INTO processed_requests ... ".repeat(500);
        RuntimeException wrapped = new IllegalStateException(sql,
                new IllegalArgumentException("request poison-1 is poison"));

        String message = BoundedDeadLetterPublishingRecoverer.boundedMessage(wrapped);

        assertThat(message).hasSizeLessThan(BoundedDeadLetterPublishingRecoverer.MAX_EXCEPTION_MESSAGE_CHARS + 100)
                .contains("request poison-1 is poison");
    }

    private ProducerRecord<Object, Object> deadLetterOf(ConsumerRecord<byte[], byte[]> record) {
        return recoverer.createProducerRecord(record, DEAD_LETTERS, new RecordHeaders(record.headers().toArray()),
                null, null);
    }

    private boolean fits(ProducerRecord<Object, Object> dead) {
        return budget.fits((byte[]) dead.key(), (byte[]) dead.value(), dead.headers());
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, RecordHeaders headers) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("requests", 3, 42L, key, value);
        for (Header header : headers) {
            record.headers().add(header);
        }
        return record;
    }

    private static String header(ProducerRecord<Object, Object> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
