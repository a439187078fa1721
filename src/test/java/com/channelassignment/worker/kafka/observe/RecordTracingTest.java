package com.channelassignment.worker.kafka.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.application.RecordTrace;
import com.channelassignment.worker.testing.data.TraceParent;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-record spans and trace context on Kafka headers, with OpenTelemetry's SDK wired as Spring Boot wires it. */
class RecordTracingTest {

    private static final String TOPIC = "requests";

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
    private final RecordTracing tracing = tracing(provider.get("test"));

    @AfterEach
    void closeProvider() {
        provider.close();
    }

    @Test
    void startsAChildOfTheRecordsTraceAndWritesItsContextIntoWhatIsProducedMeanwhile() {
        TraceParent parent = TraceParent.random();
        RecordTracing.RecordSpan span = tracing.start(record(parent.toString(), null));
        Headers outcome = new RecordHeaders();

        try (RecordTrace.Scope scope = span.enter()) {
            tracing.injectCurrent(outcome);
        }
        span.end();

        SpanData ended = onlySpan();
        assertThat(ended.getTraceId()).isEqualTo(parent.traceId());
        assertThat(ended.getParentSpanId()).isEqualTo(parent.spanId());
        assertThat(ended.getName()).isEqualTo("process " + TOPIC);
        assertThat(header(outcome, "traceparent"))
                .isEqualTo("00-" + parent.traceId() + "-" + ended.getSpanId() + "-01");
    }

    @Test
    void aRecordWithoutTraceParentGetsNoSpanAndLendsNoContext() {
        RecordTracing.RecordSpan span = tracing.start(record(null, null));
        Headers outcome = new RecordHeaders();

        try (RecordTrace.Scope scope = span.enter()) {
            tracing.injectCurrent(outcome);
        }
        span.end();

        assertThat(span.isTraced()).isFalse();
        assertThat(exported.getFinishedSpanItems()).isEmpty();
        assertThat(outcome.toArray()).isEmpty();
    }

    @Test
    void anInvalidTraceParentStartsANewTrace() {
        RecordTracing.RecordSpan span = tracing.start(record("00-not-a-trace-01", null));
        span.end();

        assertThat(onlySpan().getParentSpanContext().isValid()).isFalse();
    }

    @Test
    void replacesTheContextARecordCameWith() {
        TraceParent parent = TraceParent.random();
        RecordTracing.RecordSpan span = tracing.start(record(parent.toString(), null));
        Headers deadLetter = new RecordHeaders();
        deadLetter.add("traceparent", utf8(parent.toString()));

        try (RecordTrace.Scope scope = span.enter()) {
            tracing.injectCurrent(deadLetter);
        }
        span.end();

        assertThat(deadLetter.headers("traceparent")).singleElement()
                .satisfies(header -> assertThat(new String(header.value(), StandardCharsets.UTF_8))
                        .contains(onlySpan().getSpanId()));
    }

    @Test
    void carriesBaggageOnUnlessItIsTooLargeForAnOutcomeToCarry() {
        Headers small = injectedFor(record(TraceParent.random().toString(), "tenant=acme"));
        Headers large = injectedFor(record(TraceParent.random().toString(),
                "bulk=" + "b".repeat(RecordTracing.MAX_FIELD_BYTES)));

        assertThat(header(small, "baggage")).isEqualTo("tenant=acme");
        assertThat(header(large, "traceparent")).isNotNull();
        assertThat(large.headers("baggage")).isEmpty();
    }

    @Test
    void offReadsNothingAndWritesNothing() {
        RecordTracing.RecordSpan span = RecordTracing.off().start(record(TraceParent.random().toString(), null));
        Headers outcome = new RecordHeaders();

        try (RecordTrace.Scope scope = span.enter()) {
            RecordTracing.off().injectCurrent(outcome);
        }

        assertThat(span.isTraced()).isFalse();
        assertThat(outcome.toArray()).isEmpty();
    }

    private Headers injectedFor(ConsumerRecord<byte[], byte[]> record) {
        RecordTracing.RecordSpan span = tracing.start(record);
        Headers produced = new RecordHeaders();
        try (RecordTrace.Scope scope = span.enter()) {
            tracing.injectCurrent(produced);
        }
        span.end();
        return produced;
    }

    /** As Spring Boot builds it for W3C propagation with baggage, its default. */
    private static RecordTracing tracing(Tracer otel) {
        ContextPropagators propagators = ContextPropagators.create(TextMapPropagator.composite(
                W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance()));
        return RecordTracing.on(new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {
        }), new OtelPropagator(propagators, otel));
    }

    private static ConsumerRecord<byte[], byte[]> record(String traceParent, String baggage) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(TOPIC, 3, 42L, utf8("org"), utf8("value"));
        if (traceParent != null) {
            record.headers().add("traceparent", utf8(traceParent));
        }
        if (baggage != null) {
            record.headers().add("baggage", utf8(baggage));
        }
        return record;
    }

    private SpanData onlySpan() {
        assertThat(exported.getFinishedSpanItems()).hasSize(1);
        return exported.getFinishedSpanItems().get(0);
    }

    private static String header(Headers headers, String name) {
        return headers.lastHeader(name) == null ? null
                : new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
