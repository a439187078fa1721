package com.channelassignment.worker.kafka.observe;

import com.channelassignment.worker.application.RecordTrace;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * W3C trace context on Kafka records, one span per record. A record that carries {@code traceparent} gets a span of
 * its own, a child of the producer's, even though it is applied in a batch with others; the outcomes and dead letters
 * written while that span is current carry its context on. A record without {@code traceparent} gets no span: the
 * worker continues traces, it does not start them. Off ({@code management.tracing.export.enabled=false}), nothing is
 * read, made or written.
 */
public final class RecordTracing {

    public static final String TRACEPARENT = "traceparent";
    static final String SPAN_NAME_PREFIX = "process ";
    /**
     * The most a propagated field other than {@code traceparent} may hold: W3C's limit for {@code baggage}. The
     * propagator copies baggage whatever its size, and an outcome must fit the producer's limit whatever a request
     * carried (docs/design.md, "Nothing after the commit fails on content"), so a larger one is left out.
     */
    static final int MAX_FIELD_BYTES = 8192;

    private static final Logger log = LoggerFactory.getLogger(RecordTracing.class);
    private static final RecordTracing OFF = new RecordTracing(null, null);

    private final Tracer tracer;
    private final Propagator propagator;

    private RecordTracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    public static RecordTracing off() {
        return OFF;
    }

    public static RecordTracing on(Tracer tracer, Propagator propagator) {
        return new RecordTracing(tracer, propagator);
    }

    public boolean isOn() {
        return tracer != null;
    }

    /**
     * Starts the span of a consumed record, a child of the context its headers carry, or returns {@link RecordSpan#NONE}
     * when tracing is off or the record carries no {@code traceparent}. The caller ends it. Never throws on what the
     * headers hold: a record that failed here would fail its batch on every delivery.
     */
    public RecordSpan start(ConsumerRecord<?, ?> record) {
        if (tracer == null || record.headers().lastHeader(TRACEPARENT) == null) {
            return RecordSpan.NONE;
        }
        try {
            return new RecordSpan(tracer, childSpan(record));
        } catch (RuntimeException e) {
            log.debug("no span for {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
            return RecordSpan.NONE;
        }
    }

    private Span childSpan(ConsumerRecord<?, ?> record) {
        // OpenTelemetry semantic conventions for messaging: "process <destination>", a consumer span.
        return propagator.extract(record.headers(), RecordTracing::lastValue)
                .name(SPAN_NAME_PREFIX + record.topic())
                .kind(Span.Kind.CONSUMER)
                .tag("messaging.system", "kafka")
                .tag("messaging.operation.type", "process")
                .tag("messaging.destination.name", record.topic())
                .tag("messaging.destination.partition.id", Integer.toString(record.partition()))
                .tag("messaging.kafka.offset", record.offset())
                .start();
    }

    /**
     * Writes the current span's context into a record about to be produced, replacing whatever trace context the
     * headers held (a dead letter copies its original's). Without a current span, or off, the headers stay as they are.
     * {@code traceparent} always fits; {@code tracestate} or {@code baggage} over {@link #MAX_FIELD_BYTES} is left out.
     */
    public void injectCurrent(Headers headers) {
        if (tracer == null) {
            return;
        }
        TraceContext current = tracer.currentTraceContext().context();
        if (current == null) {
            return;
        }
        List<String> fields = propagator.fields();
        fields.forEach(headers::remove);
        try {
            propagator.inject(current, headers, (carrier, key, value) -> {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                if (key.equals(TRACEPARENT) || bytes.length <= MAX_FIELD_BYTES) {
                    carrier.add(key, bytes);
                }
            });
        } catch (RuntimeException e) {
            // This runs after the database commit, on baggage a request brought: an outcome goes out without trace
            // context rather than fail its batch on every delivery.
            fields.forEach(headers::remove);
            log.debug("no trace context on an outgoing record: {}", e.toString());
        }
    }

    private static String lastValue(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The span of one consumed record; {@link #NONE} for a record that is not traced. */
    public static final class RecordSpan implements RecordTrace {

        public static final RecordSpan NONE = new RecordSpan(null, null);

        private final Tracer tracer;
        private final Span span;

        private RecordSpan(Tracer tracer, Span span) {
            this.tracer = tracer;
            this.span = span;
        }

        public boolean isTraced() {
            return span != null;
        }

        public RecordSpan tag(String key, String value) {
            if (span != null && value != null) {
                span.tag(key, value);
            }
            return this;
        }

        @Override
        public Scope enter() {
            if (span == null) {
                return Scope.NOTHING;
            }
            Tracer.SpanInScope scope = tracer.withSpan(span);
            return scope::close;
        }

        public void failed(Throwable failure) {
            if (span != null) {
                span.error(failure);
            }
        }

        public void end() {
            if (span != null) {
                span.end();
            }
        }
    }
}
