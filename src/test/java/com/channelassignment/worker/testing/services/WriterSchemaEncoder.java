package com.channelassignment.worker.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Single-object encodes a record of today's schema in another writer schema, an earlier build's, copying the fields
 * that schema has by name: the bytes that build's producers send, fingerprint included.
 */
final class WriterSchemaEncoder {

    private final Schema writer;
    private final BinaryMessageEncoder<GenericRecord> encoder;

    WriterSchemaEncoder(Schema writer) {
        this.writer = writer;
        // Plain generic data, no logical-type conversions: a timestamp is written as the long it is on the wire.
        this.encoder = new BinaryMessageEncoder<>(GenericData.get(), writer);
    }

    byte[] encode(GenericRecord record) {
        GenericRecord copy = new GenericData.Record(writer);
        for (Schema.Field field : writer.getFields()) {
            copy.put(field.name(), generic(field.schema(), record.get(field.name())));
        }
        try {
            ByteBuffer encoded = encoder.encode(copy);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object generic(Schema schema, Object value) {
        if (value instanceof Enum<?> symbol) {
            return new GenericData.EnumSymbol(enumIn(schema), symbol.name());
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        return value;
    }

    private static Schema enumIn(Schema schema) {
        if (schema.getType() == Schema.Type.ENUM) {
            return schema;
        }
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() == Schema.Type.ENUM) {
                    return branch;
                }
            }
        }
        throw new IllegalArgumentException("no enum in " + schema);
    }
}
