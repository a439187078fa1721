package com.channelassignment.worker.contract;

import com.channelassignment.worker.contract.registry.ConfluentHeader;
import java.util.Locale;

/**
 * How a record's Avro body is framed, told apart by its first byte. The worker and the CLI read both; each writes the
 * one it is configured with.
 */
public enum WireFormat {

    /** Avro single-object encoding: {@code C3 01}, the schema's 8-byte CRC-64-AVRO fingerprint, the body. */
    SINGLE_OBJECT,

    /** The Confluent wire format: {@code 00}, the schema's 4-byte big-endian registry id, the body. */
    CONFLUENT;

    /** The setting's value, {@code single-object} or {@code confluent}. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The format the value's first bytes announce, or null for neither. */
    public static WireFormat of(byte[] value) {
        if (value == null || value.length == 0) {
            return null;
        }
        if (value[0] == ConfluentHeader.MAGIC && value.length >= ConfluentHeader.LENGTH) {
            return CONFLUENT;
        }
        if (value.length >= 2 && value[0] == (byte) 0xC3 && value[1] == 0x01) {
            return SINGLE_OBJECT;
        }
        return null;
    }
}
