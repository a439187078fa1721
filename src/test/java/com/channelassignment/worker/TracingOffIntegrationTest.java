package com.channelassignment.worker;

import static com.channelassignment.worker.testing.services.KafkaTestClient.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.data.TraceParent;
import com.channelassignment.worker.domain.AssignmentRequests;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;

/**
 * With Spring Boot's switch for exporting and propagating traces off, the worker reads and writes no trace context
 * and makes no span, whatever the records carry: a dead letter keeps the context it came with, as it keeps every
 * original header.
 */
// Off is the default: nothing here turns it off.
@SpringBootTest(properties = "management.opentelemetry.tracing.export.schedule-delay=50ms")
@Import(TracingIntegrationTest.CaughtSpans.class)
@ExtendWith(OutputCaptureExtension.class)
class TracingOffIntegrationTest extends SpringWorkerHarness {

    @Autowired
    InMemorySpanExporter spans;

    @Autowired
    Tracer tracer;

    @Test
    void hasNoTracerForSpringsObservationsEither() {
        // Spring Boot keeps its tracer when only export and propagation are off; every HTTP call would get a span.
        assertThat(tracer).isSameAs(Tracer.NOOP);
    }

    @Test
    void addsNoTraceContextAndMakesNoSpan(CapturedOutput output) throws Exception {
        String organization = "org-" + UUID.randomUUID();
        String requestId = "traced-" + UUID.randomUUID();
        TraceParent parent = TraceParent.random();
        TraceParent garbageParent = TraceParent.random();
        kafka().send(withTraceParent(new ProducerRecord<>(requestsTopic, utf8(organization), contract.encodeRequest(
                AssignmentRequests.anAssignment().withRequestId(requestId).inOrganization(organization).forHandle("nobody")
                        .buildWire())), parent));
        kafka().send(withTraceParent(new ProducerRecord<>(requestsTopic, utf8(organization), utf8("not avro")),
                garbageParent));

        List<ConsumerRecord<byte[], byte[]>> outcomes = outcomeRecordsFor(requestId);
        List<ConsumerRecord<byte[], byte[]>> deadLetters = kafka().readUntil(deadLetterTopic, true,
                records -> !records.isEmpty(), Duration.ofSeconds(60), Duration.ZERO);
        // Spans end before the batch's transaction commits, and the exporter gets them within 50 ms.
        Thread.sleep(1_000);

        assertThat(outcomes).singleElement()
                .satisfies(outcome -> assertThat(outcome.headers().headers("traceparent")).isEmpty());
        assertThat(deadLetters).singleElement().satisfies(deadLetter -> assertThat(header(deadLetter, "traceparent"))
                .as("the original header, untouched").isEqualTo(garbageParent.toString()));
        assertThat(spans.getFinishedSpanItems()).noneMatch(span -> span.getName().startsWith("process "))
                .noneMatch(span -> span.getTraceId().equals(parent.traceId()));
        assertThat(output.getOut()).contains("dead-lettering").doesNotContain(garbageParent.traceId())
                .doesNotContain(parent.traceId());
    }

    private static ProducerRecord<byte[], byte[]> withTraceParent(ProducerRecord<byte[], byte[]> record,
            TraceParent parent) {
        record.headers().add(TraceParent.HEADER, utf8(parent.toString()));
        return record;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
