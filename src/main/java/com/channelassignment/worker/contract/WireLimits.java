package com.channelassignment.worker.contract;

import java.util.List;
import org.apache.avro.SystemLimitException;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * The sizes the wire allows, and the JVM-wide Avro settings that hold decoding to them. No string or byte field of a
 * record can be longer than the record, and no record is longer than a Kafka record may be. Avro allocates a field's
 * buffer from its length prefix before reading it, so a lying prefix in a tiny record would otherwise ask for up to
 * 2 GB. Avro reads these limits once, when its limits class loads.
 */
public final class WireLimits {

    /** Kafka's default {@code max.request.size}; brokers accept slightly more by default. */
    public static final int MAX_RECORD_BYTES = 1_048_576;
    /** The longest string or byte field Avro may allocate while decoding. */
    public static final int MAX_FIELD_BYTES = MAX_RECORD_BYTES;

    static {
        limitAvroAllocations();
        // Avro 1.12.2 only instantiates classes from trusted packages; the generated contract classes must be.
        String generatedPackage = com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest.class
                .getPackageName();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
                type -> type.getPackageName().equals(generatedPackage)));
    }

    private WireLimits() {
    }

    /**
     * Sets Avro's allocation limits unless the JVM was started with its own. Called before any decoder runs; the
     * application's main method calls it first thing too, since Avro reads the limits only once.
     */
    public static void limitAvroAllocations() {
        for (String property : List.of(SystemLimitException.MAX_STRING_LENGTH_PROPERTY,
                SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY)) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, Integer.toString(MAX_FIELD_BYTES));
            }
        }
    }

    /** Fails loudly when Avro loaded its limits before they were set: decoding would then trust length prefixes. */
    static void requireAllocationLimits() {
        try {
            SystemLimitException.checkMaxStringLength(Integer.MAX_VALUE - 8L);
        } catch (SystemLimitException expected) {
            return;
        }
        throw new IllegalStateException("Avro's string length limit is not in force: set -D"
                + SystemLimitException.MAX_STRING_LENGTH_PROPERTY + "=" + MAX_FIELD_BYTES
                + " (Avro read its limits before the worker could set them)");
    }
}
