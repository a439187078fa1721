package com.channelassignment.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.demo.DemoRun;
import com.channelassignment.worker.demo.DemoScenario;
import com.channelassignment.worker.kafka.AvroContract;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the demo entry point as a user would and holds every demo record to the outcome the README promises. */
class DemoIntegrationTest {

    @Test
    void everyDemoRequestGetsTheOutcomeTheReadmeSays() {
        try (ConfigurableApplicationContext context = TestChannelAssignmentWorkerApplication.start(
                "--spring.kafka.consumer.group-id=demo-test", "--server.port=0",
                "--channel-assignment.topics.requests=demo-requests",
                "--channel-assignment.topics.outcomes=demo-outcomes",
                "--channel-assignment.topics.dead-letter=demo-requests.dlt")) {
            DemoRun.DemoReport report = context.getBean(DemoRun.class).report();

            assertThat(report.mismatches()).isEmpty();
            int steps = new DemoScenario(new AvroContract()).steps().size();
            assertThat(report.outcomesByResult().values().stream().mapToInt(Integer::intValue).sum())
                    .isEqualTo(steps - 1);
            assertThat(report.deadLettered()).isEqualTo(1);
        }
    }
}
