package com.channelassignment.worker.kafka.health;

import com.channelassignment.worker.contract.WireContract;
import com.channelassignment.worker.contract.ConfluentFraming;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * DOWN while the schema registry cannot be reached, or while a schema the worker writes is not registered (the
 * detail says which subject, and how to register it); part of the readiness group. UP without a registry configured.
 */
public class SchemaRegistryHealthIndicator extends AbstractHealthIndicator {

    private final WireContract contract;
    private final boolean writesRequests;

    /** {@code writesRequests}: the instance serves the HTTP API, so it writes requests too. */
    public SchemaRegistryHealthIndicator(WireContract contract, boolean writesRequests) {
        super("Schema registry health check failed");
        this.contract = contract;
        this.writesRequests = writesRequests;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        ConfluentFraming confluent = contract.confluent();
        builder.withDetail("wireFormat", contract.written().settingValue());
        if (confluent == null) {
            builder.up().withDetail("registry", "not configured");
            return;
        }
        builder.withDetail("url", confluent.registry().baseUrl().toString())
                .withDetail("subjectNameStrategy", confluent.subjects().settingValue());
        try {
            confluent.registry().ping();
            contract.requireWriterSchemas();
            if (writesRequests) {
                contract.requireRequestSchema();
            }
            builder.up();
        } catch (RuntimeException e) {
            builder.down().withDetail("reason", e.getMessage());
        }
    }
}
