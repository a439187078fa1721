package com.channelassignment.worker;

import com.channelassignment.worker.kafka.consume.AssignmentRequestListener;
import com.channelassignment.worker.contract.registry.SubjectNameStrategy;
import com.channelassignment.worker.contract.WireFormat;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The worker's own settings under {@code channel-assignment.*}; Kafka clients and the datasource use Spring Boot's
 * {@code spring.kafka.*} and {@code spring.datasource.*}. Validated at startup: a bad or unknown value stops the worker
 * with a message naming the property.
 */
@ConfigurationProperties(prefix = "channel-assignment", ignoreUnknownFields = false)
@Validated
public record WorkerProperties(@Valid @DefaultValue Topics topics, @Valid @DefaultValue Database database,
        @Valid @DefaultValue Retry retry, @Valid @DefaultValue Retention retention,
        @Valid @DefaultValue Health health, @Valid @DefaultValue Http http, @Valid @DefaultValue Consumer consumer,
        @NotBlank @DefaultValue(AssignmentRequestListener.DEFAULT_LISTENER_ID) String listenerId,
        @Pattern(regexp = "[A-Za-z0-9._-]{0,200}", message = "must be empty or letters, digits, '.', '_' and '-'")
        String instanceId,
        @NotNull @DefaultValue("single-object") WireFormat wireFormat,
        @Valid @DefaultValue SchemaRegistry schemaRegistry) {

    /**
     * This instance's identity in the consumer group and in its transactional ids: unset, the {@code HOSTNAME}
     * environment variable (a pod's name); empty, none. Stable across restarts of one instance, unique among the
     * instances running at once (docs/deployment.md, "Instance identity").
     */
    public String instanceIdOr(String hostname) {
        return instanceId != null ? instanceId : hostname == null ? "" : hostname;
    }

    /**
     * The Confluent-compatible schema registry (Confluent's REST API; Apicurio serves it under
     * {@code /apis/ccompat/v7}). Unset {@code url}: no registry, and Confluent-framed records are dead-lettered as
     * unreadable. Authentication by {@code basic-auth-user-info} ({@code user:password}) or {@code bearer-token};
     * TLS trusts the JVM's default store unless a trust store is given.
     */
    public record SchemaRegistry(
            String url,
            @NotNull @DefaultValue("topic-record") SubjectNameStrategy subjectNameStrategy,
            @DefaultValue("false") boolean autoRegister,
            String basicAuthUserInfo,
            String bearerToken,
            String trustStoreLocation,
            String trustStorePassword,
            @NotBlank @DefaultValue("PKCS12") String trustStoreType,
            @NotNull @DefaultValue("5s") Duration timeout) {

        public boolean configured() {
            return url != null && !url.isBlank();
        }
    }

    /** Topic names, and how to create them when they are missing. */
    public record Topics(
            @NotBlank @DefaultValue("channel-assignment.requests") String requests,
            @NotBlank @DefaultValue("channel-assignment.outcomes") String outcomes,
            @NotBlank @DefaultValue("channel-assignment.requests.dlt") String deadLetter,
            @DefaultValue("true") boolean create,
            @Min(1) @DefaultValue("12") int partitions,
            @Min(1) @DefaultValue("1") short replicationFactor) {
    }

    /**
     * Per-batch PostgreSQL limits, and the role the worker connects as. The lock and statement limits must stay below
     * the producer's {@code transaction.timeout.ms}, so a batch stuck on a lock fails and is retried before Kafka
     * aborts its transaction under it. {@code idleInTransactionTimeout} ends the session of a worker that stopped
     * mid-batch without its connection closing (frozen, or cut off by the network): its row locks would otherwise
     * hold the partition's new owner back until it came back. {@code runtimeRole}, when set, is given exactly the privileges the worker's statements
     * need after every migration (docs/database-roles.md); empty grants nothing. A lowercase unquoted identifier, so
     * it names the same role in SQL written by hand, quoted or not.
     */
    public record Database(
            @NotNull @DefaultValue("3s") Duration lockTimeout,
            @NotNull @DefaultValue("6s") Duration statementTimeout,
            @NotNull @DefaultValue("3s") Duration idleInTransactionTimeout,
            @Pattern(regexp = "([a-z_][a-z0-9_]{0,62})?",
                    message = "must be empty or a lowercase PostgreSQL role name ([a-z_][a-z0-9_]*, at most 63)")
            String runtimeRole) {

        public Database {
            runtimeRole = runtimeRole == null ? "" : runtimeRole;
        }
    }

    /** How long idempotency records are kept, and how the purge deletes older ones. */
    public record Retention(
            @NotNull @DefaultValue("7d") Duration idempotencyRecords,
            @NotNull @DefaultValue("1m") Duration purgeInterval,
            @Min(1) @DefaultValue("1000") int purgeBatchSize) {
    }

    /**
     * The HTTP API: served by every instance unless disabled, each call sent through the requests topic and answered
     * from the outcomes topic. Calls waiting for their answers are bounded in number and in time.
     */
    public record Http(
            @DefaultValue("true") boolean enabled,
            @NotBlank @DefaultValue("org_id") String organizationClaim,
            @NotBlank @DefaultValue("X-Correlation-Id") String correlationHeader,
            @Min(1) @DefaultValue("1000") int maxInFlight,
            @NotNull @DefaultValue("10s") Duration answerTimeout,
            @NotNull @DefaultValue("1s") Duration retryAfter,
            @Min(0) @DefaultValue("4096") int rememberedTokens,
            // Far above the one UUID a body carries; a larger body is refused (413) before it is read.
            @NotNull @DefaultValue("16KB") DataSize maxBodySize,
            // Spring Security's own default, kept: issuers' and callers' clocks drift by seconds, not minutes.
            @NotNull @DefaultValue("60s") Duration tokenClockSkew) {
    }

    /** Whether this instance consumes the requests topic; off for an instance that only serves the HTTP API. */
    public record Consumer(@DefaultValue("true") boolean enabled) {
    }

    /** When the {@code partitions} health contributor reports a partition as stalled (README.md, "Health"). */
    public record Health(@NotNull @DefaultValue("60s") Duration stallThreshold) {
    }

    /**
     * Backoff between attempts of a failed batch. Infrastructure failures (database or broker unreachable) are
     * retried without limit; any other failure marks the batch as suspect after {@code poisonAttempts} attempts, and
     * its records are then applied one by one: one that fails alone, twice, while the database and the broker answer
     * is dead-lettered.
     */
    public record Retry(
            @NotNull @DefaultValue("200ms") Duration initialInterval,
            @NotNull @DefaultValue("30s") Duration maxInterval,
            @DefaultValue("2.0") double multiplier,
            @Min(1) @DefaultValue("3") int poisonAttempts) {
    }
}
