package com.channelassignment.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.channelassignment.worker.testing.services.TestServices;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** A bad value stops the worker at startup with a message that names the property. */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationErrorsIntegrationTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "channel-assignment.topics.partitions=0            | channel-assignment.topics.partitions",
        "channel-assignment.topics.requests=               | channel-assignment.topics.requests",
        "channel-assignment.database.lock-timeout=banana   | channel-assignment.database.lock-timeout",
        "channel-assignment.retention.purge-batch-size=-1  | channel-assignment.retention.purge-batch-size",
        "channel-assignment.topicz.requests=typo           | channel-assignment.topicz.requests",
        "channel-assignment.database.statement-timeout=90s | spring.kafka.producer.properties.transaction.timeout.ms",
        "spring.kafka.consumer.isolation-level=sometimes   | spring.kafka.consumer.isolation-level",
        "channel-assignment.database.runtime-role=Worker;x | channel-assignment.database.runtime-role",
        "channel-assignment.database.runtime-role=caw_no_such_role_4d1e | channel-assignment.database.runtime-role",
    })
    void refusesToStartAndNamesTheProperty(String badSetting, String namedProperty, CapturedOutput output) {
        TestServices.Database database = TestServices.createDatabase();
        String run = UUID.randomUUID().toString().substring(0, 8);

        Throwable failure = catchThrowable(() -> {
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                    ChannelAssignmentWorkerApplication.class).run(
                    "--spring.datasource.url=" + database.jdbcUrl(),
                    "--spring.datasource.username=" + database.username(),
                    "--spring.datasource.password=" + database.password(),
                    "--spring.kafka.bootstrap-servers=" + TestServices.kafkaBootstrapServers(),
                    "--spring.kafka.consumer.group-id=config-" + run,
                    "--channel-assignment.topics.create=false",
                    "--server.port=0", "--management.server.port=0",
                    "--" + badSetting)) {
                // started: the assertion below fails
            }
        });

        assertThat(failure).as("startup with " + badSetting).isNotNull();
        // What an operator reads: Spring Boot's failure report on the console, or the exception it explains.
        // Spring Boot names validated fields in camelCase (purgeBatchSize), bound ones in kebab-case: both name it.
        assertThat(canonical(output.getAll() + messages(failure))).contains(canonical(namedProperty));
    }

    private static String canonical(String text) {
        return text.replace("-", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static String messages(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            messages.add(String.valueOf(cause.getMessage()));
        }
        return String.join("\n", messages);
    }
}
