package com.channelassignment.worker;

import com.channelassignment.worker.demo.DemoConfiguration;
import com.channelassignment.worker.demo.DemoRun;
import com.channelassignment.worker.testing.services.TestServices;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The worker on an embedded default, for {@code ./mvnw spring-boot:test-run}: a real in-process Kafka broker, a
 * database of its own on the local PostgreSQL (or embedded PostgreSQL binaries), the demo directory and the demo
 * stream, and the HTTP API checking tokens with the development key. Keeps running until Ctrl-C;
 * {@code --demo.exit-after} exits after the summary (status 1 on a mismatch). {@code --demo.registry} runs the same
 * demo in the Confluent wire format against a schema registry of its own (the test registry's jar, which
 * {@code ./mvnw -f tools/schema-registry/pom.xml package} builds), with auto-registration on.
 */
public final class TestChannelAssignmentWorkerApplication {

    /** The development key pair: on the test classpath only, so the production jar accepts no token of its own. */
    public static final String DEVELOPMENT_PRIVATE_KEY = "src/test/resources/development-keys/private-key.pem";
    static final String DEVELOPMENT_PUBLIC_KEY = "classpath:development-keys/public-key.pem";

    private TestChannelAssignmentWorkerApplication() {
    }

    public static void main(String[] args) {
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        boolean exitAfterDemo = arguments.remove("--demo.exit-after");
        boolean withRegistry = arguments.remove("--demo.registry");
        if (System.getProperty(TestServices.PREFERRED_KAFKA_PORT) == null) {
            // Kafka's usual port when it is free, so the README's CLI commands reach the demo's broker as printed.
            System.setProperty(TestServices.PREFERRED_KAFKA_PORT, "9092");
        }
        ConfigurableApplicationContext context;
        try {
            context = withRegistry ? startWithRegistry(arguments.toArray(String[]::new))
                    : start(arguments.toArray(String[]::new));
        } catch (DemoRegistryException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        } catch (RuntimeException e) {
            // The in-process broker's threads would keep the JVM alive after a failed start.
            e.printStackTrace();
            System.exit(1);
            return;
        }
        if (exitAfterDemo) {
            boolean allAsExpected = context.getBean(DemoRun.class).report().allAsExpected();
            System.exit(SpringApplication.exit(context, () -> allAsExpected ? 0 : 1));
        }
        var environment = context.getEnvironment();
        System.out.printf("""
                The worker keeps running; Ctrl-C stops it.
                  Kafka: %s   HTTP API: http://localhost:%s/identities   actuator: http://localhost:%s/actuator
                  A token for org-acme: java -jar %s token --organization-id org-acme --private-key %s
                """, environment.getProperty("spring.kafka.bootstrap-servers"),
                environment.getProperty("local.server.port"), environment.getProperty("local.management.port"),
                DemoRun.jar(), DEVELOPMENT_PRIVATE_KEY);
        if (withRegistry) {
            System.out.printf("  Schema registry (Confluent API): %s   (the CLI's --registry-url)%n",
                    environment.getProperty("channel-assignment.schema-registry.url"));
        }
    }

    /**
     * The registry flavour: a schema registry started for it (the tests' shared one), the worker writing the
     * Confluent wire format and registering its own schemas when missing, as a development setup may.
     */
    static ConfigurableApplicationContext startWithRegistry(String... args) {
        String registryUrl;
        try {
            registryUrl = TestServices.schemaRegistryUrl();
        } catch (IllegalStateException e) {
            // Its message says how to build the jar when that is what is missing.
            throw new DemoRegistryException("--demo.registry needs the test schema registry: " + e.getMessage(), e);
        }
        List<String> arguments = new ArrayList<>(List.of("--channel-assignment.wire-format=confluent",
                "--channel-assignment.schema-registry.url=" + registryUrl,
                "--channel-assignment.schema-registry.auto-register=true"));
        arguments.addAll(Arrays.asList(args));
        return start(arguments.toArray(String[]::new));
    }

    /** The registry's jar is missing, or the registry would not start: said in a line, not a stack trace. */
    static final class DemoRegistryException extends RuntimeException {

        DemoRegistryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static ConfigurableApplicationContext start(String... args) {
        System.out.println("Starting the embedded default: " + TestServices.describe());
        String bootstrapServers = TestServices.kafkaBootstrapServers();
        TestServices.Database database = TestServices.createDatabase();
        List<String> arguments = new ArrayList<>(List.of(
                "--spring.kafka.bootstrap-servers=" + bootstrapServers,
                "--spring.datasource.url=" + database.jdbcUrl(),
                "--spring.datasource.username=" + database.username(),
                "--spring.datasource.password=" + database.password(),
                "--channel-assignment.topics.partitions=3",
                "--spring.security.oauth2.resourceserver.jwt.public-key-location=" + DEVELOPMENT_PUBLIC_KEY,
                // The demo prints outcomes; the worker's per-batch lines would interleave with them.
                "--logging.level.com.channelassignment.worker.kafka.consume.AssignmentRequestListener=WARN"));
        arguments.addAll(Arrays.asList(args));
        return SpringApplication.from(ChannelAssignmentWorkerApplication::main)
                .with(DemoConfiguration.class)
                .run(arguments.toArray(String[]::new))
                .getApplicationContext();
    }
}
