package com.channelassignment.worker.application;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RecordLogContextTest {

    private static final RecordPosition POSITION = new RecordPosition("requests", 2, 41);

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void namesTheRequestAndWhereItSits() {
        IncomingRequest incoming = new IncomingRequest(POSITION,
                anAssignment().withRequestId("req-7").withCorrelationId("workflow-3").build());

        try (RecordLogContext context = RecordLogContext.of(incoming)) {
            assertThat(MDC.getCopyOfContextMap()).containsEntry("request_id", "req-7")
                    .containsEntry("correlation_id", "workflow-3").containsEntry("topic", "requests")
                    .containsEntry("partition", "2").containsEntry("offset", "41");
        }

        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void anInnerScopeGivesBackWhatTheOuterOneHad() {
        IncomingRequest outer = new IncomingRequest(POSITION, anAssignment().withRequestId("req-outer").build());

        try (RecordLogContext context = RecordLogContext.of(outer)) {
            try (RecordLogContext undecodable = RecordLogContext.at(new RecordPosition("requests", 2, 42),
                    RecordTrace.NONE)) {
                assertThat(MDC.get("request_id")).isNull();
                assertThat(MDC.get("offset")).isEqualTo("42");
            }
            assertThat(MDC.get("request_id")).isEqualTo("req-outer");
            assertThat(MDC.get("offset")).isEqualTo("41");
        }
    }

    @Test
    void entersTheRecordsTraceForTheScopeAndLeavesItAfterTheMdc() {
        List<String> events = new ArrayList<>();
        RecordTrace trace = () -> {
            events.add("entered");
            return () -> events.add("left with request_id " + MDC.get("request_id"));
        };
        IncomingRequest incoming = new IncomingRequest(POSITION, anAssignment().withRequestId("req-8").build(), trace);

        try (RecordLogContext context = RecordLogContext.of(incoming)) {
            assertThat(events).containsExactly("entered");
        }

        assertThat(events).containsExactly("entered", "left with request_id null");
    }

    @Test
    void capsAnOverlongCorrelationIdAsTheOutcomeEchoesIt() {
        String overlong = "c".repeat(1000);
        IncomingRequest incoming = new IncomingRequest(POSITION, anAssignment().withCorrelationId(overlong).build());

        try (RecordLogContext context = RecordLogContext.of(incoming)) {
            assertThat(MDC.get("correlation_id")).isEqualTo(incoming.request().echoed().correlationId())
                    .hasSizeLessThan(overlong.length());
        }
    }
}
