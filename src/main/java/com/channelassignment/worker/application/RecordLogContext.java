package com.channelassignment.worker.application;

import com.channelassignment.worker.domain.AssignmentRequest;
import org.slf4j.MDC;

/**
 * The MDC entries of every line logged while one record, or one HTTP call, is handled: {@code request_id},
 * {@code correlation_id}, {@code topic}, {@code partition} and {@code offset}; and the record's trace, entered for as
 * long, so that the tracer adds {@code traceId} and {@code spanId}. The text console shows the request id and the
 * trace id; the structured (JSON) console writes every MDC entry as a field.
 */
public final class RecordLogContext implements AutoCloseable {

    public static final String REQUEST_ID = "request_id";
    public static final String CORRELATION_ID = "correlation_id";
    public static final String TOPIC = "topic";
    public static final String PARTITION = "partition";
    public static final String OFFSET = "offset";

    // Scopes nest (a batch isolating poison applies each record alone, and the use case opens its own scope for the
    // same record): closing restores what the enclosing scope had instead of clearing it. Two scopes are opened per
    // record on the consume path, so what was replaced is kept in two small arrays rather than an entry per key.
    private static final int MOST_KEYS = 5;

    private final String[] replacedKeys = new String[MOST_KEYS];
    private final String[] replacedValues = new String[MOST_KEYS];
    private int replaced;
    private final RecordTrace.Scope trace;

    private RecordLogContext(RecordTrace trace) {
        this.trace = trace.enter();
    }

    /** A decoded record: its position, and the id its outcomes carry (a request's, or a directory change's). */
    public static RecordLogContext of(IncomingRecord record) {
        if (record instanceof IncomingRequest incoming) {
            return of(record.position(), record.trace(), incoming.request().echoedRequestId(),
                    incoming.request().echoedCorrelationId());
        }
        if (record instanceof IncomingChange change) {
            return of(record.position(), record.trace(), change.change().changeId(), null);
        }
        throw new IllegalStateException("unknown record " + record);
    }

    /** A call of the HTTP API, before its request is a record: the ids the request carries. */
    public static RecordLogContext ofCall(AssignmentRequest request) {
        return new RecordLogContext(RecordTrace.NONE)
                .put(REQUEST_ID, request.echoedRequestId())
                .put(CORRELATION_ID, request.echoedCorrelationId());
    }

    /** A record known only by its position and trace, such as one that could not be decoded. */
    public static RecordLogContext at(RecordPosition position, RecordTrace trace) {
        return of(position, trace, null, null);
    }

    private static RecordLogContext of(RecordPosition position, RecordTrace trace, String requestId,
            String correlationId) {
        return new RecordLogContext(trace)
                .put(TOPIC, position.topic())
                .put(PARTITION, Integer.toString(position.partition()))
                .put(OFFSET, Long.toString(position.offset()))
                .put(REQUEST_ID, requestId)
                .put(CORRELATION_ID, correlationId);
    }

    private RecordLogContext put(String key, String value) {
        String previous = MDC.get(key);
        replacedKeys[replaced] = key;
        replacedValues[replaced] = previous;
        replaced++;
        if (value != null) {
            MDC.put(key, value);
        } else if (previous != null) {
            MDC.remove(key);
        }
        return this;
    }

    @Override
    public void close() {
        while (replaced > 0) {
            replaced--;
            if (replacedValues[replaced] == null) {
                MDC.remove(replacedKeys[replaced]);
            } else {
                MDC.put(replacedKeys[replaced], replacedValues[replaced]);
            }
        }
        trace.close();
    }
}
