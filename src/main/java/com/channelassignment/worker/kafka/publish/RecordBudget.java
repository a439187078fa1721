package com.channelassignment.worker.kafka.publish;

import java.util.Arrays;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * The largest record the worker's producer may send ({@code max.request.size}), measured the way the producer measures
 * it before sending. Outcomes and dead letters are cut to fit before they are sent: a record the producer refuses
 * would fail the batch after its database commit, on every redelivery, and stall the partition.
 */
public final class RecordBudget {

    /** Below this, not even a capped outcome with its headers is sure to fit. */
    static final int SMALLEST_WORKABLE = 64 * 1024;
    /** Keys are organization ids, short by contract; a longer key is echoed only this far. */
    static final int MAX_ECHOED_KEY_BYTES = 1024;

    private final int maxRecordBytes;

    public RecordBudget(int maxRecordBytes) {
        if (maxRecordBytes < SMALLEST_WORKABLE) {
            throw new IllegalArgumentException("spring.kafka.producer.properties.max.request.size must be at least "
                    + SMALLEST_WORKABLE + " bytes, was " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    boolean fits(byte[] key, byte[] value, Headers headers) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, value, headers.toArray()) <= maxRecordBytes;
    }

    static boolean keyTooLong(byte[] key) {
        return key != null && key.length > MAX_ECHOED_KEY_BYTES;
    }

    static byte[] echoedKey(byte[] key) {
        return keyTooLong(key) ? Arrays.copyOf(key, MAX_ECHOED_KEY_BYTES) : key;
    }
}
