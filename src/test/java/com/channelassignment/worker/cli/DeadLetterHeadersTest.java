package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * The CLI reads dead letters without Spring, so it spells spring-kafka's {@code kafka_dlt-*} header names itself:
 * held here to the names the worker's dead-letter publisher writes.
 */
class DeadLetterHeadersTest {

    @Test
    void readsTheHeaderNamesSpringKafkaWritesOnDeadLetters() {
        assertThat(DeadLetter.ORIGINAL_TOPIC).isEqualTo(KafkaHeaders.DLT_ORIGINAL_TOPIC);
        assertThat(DeadLetter.ORIGINAL_PARTITION).isEqualTo(KafkaHeaders.DLT_ORIGINAL_PARTITION);
        assertThat(DeadLetter.ORIGINAL_OFFSET).isEqualTo(KafkaHeaders.DLT_ORIGINAL_OFFSET);
        assertThat(DeadLetter.ORIGINAL_TIMESTAMP).isEqualTo(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP);
        assertThat(DeadLetter.EXCEPTION).isEqualTo(KafkaHeaders.DLT_EXCEPTION_FQCN);
        assertThat(DeadLetter.EXCEPTION_CAUSE).isEqualTo(KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN);
        assertThat(DeadLetter.EXCEPTION_MESSAGE).isEqualTo(KafkaHeaders.DLT_EXCEPTION_MESSAGE);
    }
}
