package com.channelassignment.worker.application;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.transaction.support.TransactionOperations;

/** The use case's DEBUG lines about a record carry the record's log context; the context is gone afterwards. */
class ApplyAssignmentRequestsLoggingTest {

    private static final RecordPosition POSITION = new RecordPosition("requests", 3, 17);

    private final Logger logger = (Logger) LoggerFactory.getLogger(ApplyAssignmentRequests.class);
    private final Level levelBefore = logger.getLevel();
    private final MdcCapturingAppender appender = new MdcCapturingAppender();
    private final ApplyAssignmentRequests applyRequests = new ApplyAssignmentRequests(new InMemoryAssignmentStore(),
            new RecordingOutcomeEncoder(), TransactionOperations.withoutTransaction(),
            Clock.fixed(Instant.parse("2026-02-01T12:00:00Z"), ZoneOffset.UTC));

    @BeforeEach
    void captureLines() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void restoreLogger() {
        logger.detachAppender(appender);
        logger.setLevel(levelBefore);
        MDC.clear();
    }

    @Test
    void aRejectionLoggedAtDebugCarriesTheRequestAndWhereItSits() {
        logger.setLevel(Level.DEBUG);

        applyRequests.apply(List.of(new IncomingRequest(POSITION,
                anAssignment().withRequestId("req-unknown-handle").forHandle("nobody").withCorrelationId("flow-9")
                        .build())), Map.of());

        assertThat(appender.lines).singleElement().satisfies(line -> {
            assertThat(line.message()).contains("IDENTITY_NOT_FOUND");
            assertThat(line.mdc()).containsEntry(RecordLogContext.REQUEST_ID, "req-unknown-handle")
                    .containsEntry(RecordLogContext.CORRELATION_ID, "flow-9")
                    .containsEntry(RecordLogContext.TOPIC, "requests")
                    .containsEntry(RecordLogContext.PARTITION, "3")
                    .containsEntry(RecordLogContext.OFFSET, "17");
        });
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void aboveDebugLogsNothingAndLeavesNoContext() {
        logger.setLevel(Level.INFO);

        applyRequests.apply(List.of(new IncomingRequest(POSITION,
                anAssignment().withRequestId("req-quiet").forHandle("nobody").build())), Map.of());

        assertThat(appender.lines).isEmpty();
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    /** A line as logged, with the MDC read when it was appended (an event reads it lazily otherwise). */
    private record Line(String message, Map<String, String> mdc) {
    }

    private static final class MdcCapturingAppender extends AppenderBase<ILoggingEvent> {

        private final List<Line> lines = new ArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            lines.add(new Line(event.getFormattedMessage(), Map.copyOf(event.getMDCPropertyMap())));
        }
    }
}
