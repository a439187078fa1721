package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.WorkerProperties;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The client reads the worker's environment as the worker binds it: the same names, the same defaults. */
class WorkerEnvironmentTest {

    @Test
    void readsTheTopicsAsTheWorkerBindsThem() {
        for (Map<String, String> environment : List.of(Map.<String, String>of(),
                Map.of("CHANNEL_ASSIGNMENT_TOPICS_REQUESTS", "prod.requests",
                        "CHANNEL_ASSIGNMENT_TOPICS_OUTCOMES", "prod.outcomes",
                        "CHANNEL_ASSIGNMENT_TOPICS_DEAD_LETTER", "prod.requests.dlt"))) {
            WorkerProperties.Topics worker = binder(environment)
                    .bindOrCreate("channel-assignment", Bindable.of(WorkerProperties.class)).topics();
            WorkerEnvironment cli = new WorkerEnvironment(environment);

            assertThat(cli.requestsTopic()).as(environment.toString()).isEqualTo(worker.requests());
            assertThat(cli.outcomesTopic()).as(environment.toString()).isEqualTo(worker.outcomes());
            assertThat(cli.deadLetterTopic()).as(environment.toString()).isEqualTo(worker.deadLetter());
        }
    }

    @Test
    void readsTheBrokersAsSpringBootBindsThem() {
        Map<String, String> environment = Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", "broker-1:9093,broker-2:9093");

        List<String> worker = binder(environment).bind("spring.kafka.bootstrap-servers",
                Bindable.listOf(String.class)).get();

        assertThat(new WorkerEnvironment(environment).bootstrapServers()).isEqualTo(String.join(",", worker));
        assertThat(new WorkerEnvironment(Map.of()).bootstrapServers()).isNull();
    }

    private static Binder binder(Map<String, String> environment) {
        return new Binder(ConfigurationPropertySources.from(
                new SystemEnvironmentPropertySource("systemEnvironment", Map.copyOf(environment))));
    }
}
