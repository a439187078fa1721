package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.util.RawValue;

/** The client's JSON lines are spaced as Avro spaces an outcome, so a line with an outcome inside reads as one. */
class CliJsonTest {

    private record Sample(String deadLetter, Integer valueSize, List<String> truncated, List<String> none,
            RawValue outcome) {
    }

    @Test
    void writesOneLineInDeclarationOrderSpacedAsAvro() {
        assertThat(CliJson.line(new Sample("t-1@4", null, List.of("key", "value"), List.of(),
                new RawValue("{\"event_id\": \"e\\n1\"}"))))
                .isEqualTo("{\"dead_letter\": \"t-1@4\", \"value_size\": null, \"truncated\": [\"key\", \"value\"], "
                        + "\"none\": [], \"outcome\": {\"event_id\": \"e\\n1\"}}");
    }
}
