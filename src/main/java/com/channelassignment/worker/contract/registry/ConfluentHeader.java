package com.channelassignment.worker.contract.registry;

/**
 * The header of the Confluent wire format: the magic byte {@code 00} and the writer schema's 4-byte big-endian id in
 * a schema registry. The Avro body follows it.
 */
public final class ConfluentHeader {

    public static final byte MAGIC = 0;
    public static final int LENGTH = 5;

    private ConfluentHeader() {
    }

    /** The registry id a Confluent-framed value names. */
    public static int idOf(byte[] value) {
        return ((value[1] & 0xFF) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF);
    }

    /** The header naming the schema with this id. */
    public static byte[] of(int id) {
        return new byte[] {MAGIC, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id};
    }

    /** {@code header} followed by {@code value} from {@code offset} on: a body under another header. */
    public static byte[] framed(byte[] header, byte[] value, int offset) {
        byte[] framed = new byte[header.length + value.length - offset];
        System.arraycopy(header, 0, framed, 0, header.length);
        System.arraycopy(value, offset, framed, header.length, value.length - offset);
        return framed;
    }
}
