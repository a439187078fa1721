package com.channelassignment.worker.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The worker's settings as the environment gives them, and the worker's defaults where it gives none: the one place
 * the client takes its broker and topic names from, so that, run as a command in the worker's container, it talks to
 * what the worker talks to. The names are Spring Boot's environment names of the worker's properties
 * ({@code channel-assignment.topics.requests} is {@code CHANNEL_ASSIGNMENT_TOPICS_REQUESTS}); the defaults are
 * {@code WorkerProperties}'s, which {@code WorkerEnvironmentTest} holds them to.
 */
record WorkerEnvironment(Map<String, String> variables) {

    static final String BOOTSTRAP_SERVERS = "localhost:9092";
    static final String REQUESTS_TOPIC = "channel-assignment.requests";
    static final String OUTCOMES_TOPIC = "channel-assignment.outcomes";
    static final String DEAD_LETTER_TOPIC = "channel-assignment.requests.dlt";

    // Spring Boot's spring.kafka.ssl.* names and the Kafka client settings they become.
    private static final Map<String, String> SSL = Map.of(
            "SPRING_KAFKA_SSL_TRUST_STORE_LOCATION", "ssl.truststore.location",
            "SPRING_KAFKA_SSL_TRUST_STORE_TYPE", "ssl.truststore.type",
            "SPRING_KAFKA_SSL_TRUST_STORE_PASSWORD", "ssl.truststore.password",
            "SPRING_KAFKA_SSL_KEY_STORE_LOCATION", "ssl.keystore.location",
            "SPRING_KAFKA_SSL_KEY_STORE_TYPE", "ssl.keystore.type",
            "SPRING_KAFKA_SSL_KEY_STORE_PASSWORD", "ssl.keystore.password",
            "SPRING_KAFKA_SSL_KEY_PASSWORD", "ssl.key.password");
    private static final String KAFKA_PROPERTIES = "SPRING_KAFKA_PROPERTIES_";

    static WorkerEnvironment ofSystem() {
        return new WorkerEnvironment(System.getenv());
    }

    /** {@code spring.kafka.bootstrap-servers}, or null when the environment does not set it. */
    String bootstrapServers() {
        return first("SPRING_KAFKA_BOOTSTRAP_SERVERS", "spring.kafka.bootstrap-servers");
    }

    String requestsTopic() {
        return or(first("CHANNEL_ASSIGNMENT_TOPICS_REQUESTS", "channel-assignment.topics.requests"), REQUESTS_TOPIC);
    }

    String outcomesTopic() {
        return or(first("CHANNEL_ASSIGNMENT_TOPICS_OUTCOMES", "channel-assignment.topics.outcomes"), OUTCOMES_TOPIC);
    }

    String deadLetterTopic() {
        return or(first("CHANNEL_ASSIGNMENT_TOPICS_DEAD_LETTER", "channel-assignment.topics.dead-letter"),
                DEAD_LETTER_TOPIC);
    }

    String datasourceUrl() {
        return variables.get("SPRING_DATASOURCE_URL");
    }

    String datasourceUser() {
        return variables.get("SPRING_DATASOURCE_USERNAME");
    }

    String datasourcePassword() {
        return variables.get("SPRING_DATASOURCE_PASSWORD");
    }

    /**
     * The worker's Kafka security settings as client properties: {@code SPRING_KAFKA_SECURITY_PROTOCOL}, the
     * {@code SPRING_KAFKA_SSL_*} stores and every {@code SPRING_KAFKA_PROPERTIES_*} (the SASL settings, mostly).
     * Kafka's setting names are dotted lower case, so {@code _} stands for {@code .}.
     */
    Properties kafkaProperties() {
        Properties properties = new Properties();
        variables.forEach((name, value) -> {
            if (name.startsWith(KAFKA_PROPERTIES) && name.length() > KAFKA_PROPERTIES.length()) {
                properties.setProperty(name.substring(KAFKA_PROPERTIES.length()).toLowerCase(Locale.ROOT)
                        .replace('_', '.'), value);
            }
        });
        String protocol = variables.get("SPRING_KAFKA_SECURITY_PROTOCOL");
        if (protocol != null) {
            properties.setProperty("security.protocol", protocol);
        }
        SSL.forEach((name, setting) -> {
            String value = variables.get(name);
            if (value != null) {
                // Spring takes a resource location; Kafka takes a path.
                properties.setProperty(setting, value.startsWith("file:") ? value.substring("file:".length()) : value);
            }
        });
        return properties;
    }

    private String first(String... names) {
        for (String name : names) {
            String value = variables.get(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
