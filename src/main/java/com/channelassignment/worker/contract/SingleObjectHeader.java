package com.channelassignment.worker.contract;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The header of Avro single-object encoding: the marker {@code C3 01} and the writer schema's CRC-64-AVRO
 * fingerprint, little-endian. The Avro body follows it.
 */
public final class SingleObjectHeader {

    public static final int LENGTH = 10;

    private SingleObjectHeader() {
    }

    /** The header a schema's records start with. */
    public static byte[] of(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        byte[] header = new byte[LENGTH];
        header[0] = (byte) 0xC3;
        header[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }
}
