package com.channelassignment.worker.contract;

/**
 * The names of the headers the worker writes on outcomes and dead letters, besides the trace context and
 * spring-kafka's own {@code kafka_dlt-*} headers. Readers (the HTTP API's answer reader, the CLI) match on them.
 */
public final class WireHeaders {

    /** The outcome's request id, as the outcome echoes it: readers pick their answers without decoding. */
    public static final String REQUEST_ID = "request_id";
    public static final String CORRELATION_ID = "correlation_id";
    /** Lists, comma-separated, what of the request a record carries cut short: {@code key}, {@code value}, ... */
    public static final String TRUNCATED = "truncated";
    /** A dead letter whose value was left out carries its size and SHA-256 instead. */
    public static final String ORIGINAL_VALUE_SIZE = "dlt-original-value-size";
    public static final String ORIGINAL_VALUE_SHA256 = "dlt-original-value-sha256";
    /** A dead letter whose key was cut carries the original key's size and SHA-256. */
    public static final String ORIGINAL_KEY_SIZE = "dlt-original-key-size";
    public static final String ORIGINAL_KEY_SHA256 = "dlt-original-key-sha256";

    private WireHeaders() {
    }
}
