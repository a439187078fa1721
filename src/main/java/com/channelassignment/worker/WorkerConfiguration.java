package com.channelassignment.worker;

import com.channelassignment.worker.contract.WireLimits;
import com.channelassignment.worker.application.ApplyAssignmentRequests;
import com.channelassignment.worker.application.ServeAssignmentCalls;
import com.channelassignment.worker.jdbc.JdbcAssignmentStore;
import com.channelassignment.worker.jdbc.IdempotencyRecordPurge;
import com.channelassignment.worker.jdbc.DatabaseTransactions;
import com.channelassignment.worker.jdbc.JdbcReachability;
import com.channelassignment.worker.jdbc.RuntimeRoleGrants;
import com.channelassignment.worker.kafka.consume.AssignmentRequestListener;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.contract.registry.SchemaIds;
import com.channelassignment.worker.kafka.health.SchemaRegistryHealthIndicator;
import com.channelassignment.worker.contract.WireContract;
import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient;
import com.channelassignment.worker.contract.registry.TrustStores;
import com.channelassignment.worker.kafka.publish.BoundedDeadLetterPublishingRecoverer;
import com.channelassignment.worker.application.DependencyProbe;
import com.channelassignment.worker.application.PoisonIsolation;
import com.channelassignment.worker.kafka.consume.TransientFailures;
import com.channelassignment.worker.kafka.health.KafkaBrokerHealthIndicator;
import com.channelassignment.worker.kafka.publish.KafkaOutcomePublisher;
import com.channelassignment.worker.kafka.gateway.KafkaRequestChannel;
import com.channelassignment.worker.kafka.consume.PartitionAssignments;
import com.channelassignment.worker.kafka.consume.PartitionStalls;
import com.channelassignment.worker.kafka.health.PartitionStallsHealthIndicator;
import com.channelassignment.worker.kafka.consume.PreviousIncarnationFencing;
import com.channelassignment.worker.kafka.consume.StaticMemberConsumerFactory;
import com.channelassignment.worker.kafka.publish.RecordBudget;
import com.channelassignment.worker.kafka.observe.RecordTracing;
import com.channelassignment.worker.kafka.consume.InstanceIdentityCheck;
import com.channelassignment.worker.kafka.consume.RestartAfterFencing;
import com.channelassignment.worker.kafka.consume.StallReportingAfterRollbackProcessor;
import com.channelassignment.worker.kafka.consume.TopicIds;
import com.channelassignment.worker.kafka.observe.WorkerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultTransactionIdSuffixStrategy;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.AfterRollbackProcessor;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.ExponentialBackOff;

/** Wires the worker: the use case, its JDBC store and its Kafka edges. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class WorkerConfiguration {

    /** The worker's exit status when another process joined its consumer group under its instance id. */
    static final int IDENTITY_TAKEN_EXIT_STATUS = 75;

    private static final String TRACING_ENABLED = "management.tracing.export.enabled";

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Reads both wire formats when a schema registry is configured, single-object encoding only otherwise. */
    @Bean
    AvroContract avroContract(WorkerProperties properties) {
        WorkerProperties.SchemaRegistry registry = properties.schemaRegistry();
        if (properties.wireFormat() == WireFormat.CONFLUENT && !registry.configured()) {
            throw new IllegalStateException("channel-assignment.wire-format=confluent needs a schema registry: set "
                    + "channel-assignment.schema-registry.url");
        }
        return registry.configured() ? new AvroContract(new SchemaIds(schemaRegistryClient(registry),
                registry.subjectNameStrategy(), registry.autoRegister())) : new AvroContract();
    }

    /** Both wire formats read; outcomes and the HTTP API's requests written in {@code channel-assignment.wire-format}. */
    @Bean
    WireContract wireContract(AvroContract avro, WorkerProperties properties) {
        return new WireContract(avro, properties.wireFormat(), properties.topics().requests(),
                properties.topics().outcomes());
    }

    private static SchemaRegistryClient schemaRegistryClient(WorkerProperties.SchemaRegistry registry) {
        String authorization = null;
        if (registry.basicAuthUserInfo() != null && !registry.basicAuthUserInfo().isBlank()) {
            authorization = SchemaRegistryClient.basicAuthorization(registry.basicAuthUserInfo());
        } else if (registry.bearerToken() != null && !registry.bearerToken().isBlank()) {
            authorization = SchemaRegistryClient.bearerAuthorization(registry.bearerToken());
        }
        return new SchemaRegistryClient(URI.create(registry.url()), registry.timeout(), authorization,
                TrustStores.sslContext(registry.trustStoreLocation(), registry.trustStorePassword(),
                        registry.trustStoreType()));
    }

    /** Named "schemaRegistry" in the health endpoint; readiness includes it (application.yml). */
    @Bean
    SchemaRegistryHealthIndicator schemaRegistryHealthIndicator(WireContract contract, WorkerProperties properties) {
        return new SchemaRegistryHealthIndicator(contract, properties.http().enabled());
    }

    /**
     * Declared here because Boot backs off its own when the Kafka transaction manager exists; the use case drives it
     * through a TransactionTemplate so the database commit visibly precedes the Kafka one.
     */
    @Bean
    DataSourceTransactionManager transactionManager(DataSource dataSource) {
        return new DataSourceTransactionManager(dataSource);
    }

    @Bean
    JdbcAssignmentStore assignmentStore(JdbcTemplate jdbcTemplate, WorkerProperties properties,
            KafkaProperties kafkaProperties) {
        requireDatabaseLimitsBelowTransactionTimeout(properties, kafkaProperties);
        return new JdbcAssignmentStore(jdbcTemplate, properties.database().lockTimeout(),
                properties.database().statementTimeout(), properties.database().idleInTransactionTimeout());
    }

    /**
     * A Flyway callback: Spring Boot hands every callback bean to Flyway, which runs it after each migrate with the
     * migration's credentials (spring.flyway.user when set).
     */
    @Bean
    RuntimeRoleGrants runtimeRoleGrants(WorkerProperties properties) {
        return new RuntimeRoleGrants(properties.database().runtimeRole());
    }

    @Bean
    ApplyAssignmentRequests applyAssignmentRequests(JdbcAssignmentStore store, AvroContract contract,
            DataSourceTransactionManager transactionManager, Clock clock) {
        return new ApplyAssignmentRequests(store, contract::encodeOutcome,
                new DatabaseTransactions(new TransactionTemplate(transactionManager)), clock);
    }

    /** The producer's own limit: every outcome and dead letter is cut to fit it before it is sent. */
    @Bean
    RecordBudget recordBudget(KafkaProperties kafkaProperties) {
        String configured = kafkaProperties.getProducer().getProperties().get("max.request.size");
        return new RecordBudget(configured == null ? WireLimits.MAX_RECORD_BYTES
                : Integer.parseInt(configured));
    }

    /**
     * A span per traced record and W3C trace context on requests, outcomes and dead letters, with Spring Boot's tracer
     * (Micrometer Tracing over OpenTelemetry), when Boot's switch for exporting and propagating traces,
     * {@code management.tracing.export.enabled}, is on. Off, the default, no header is read or written, no span made.
     */
    /**
     * With tracing off, no tracer at all: Spring Boot keeps its OpenTelemetry tracer when only export and propagation
     * are switched off, and Spring's server observation would still open a span for every HTTP call.
     */
    @Bean
    @ConditionalOnProperty(name = TRACING_ENABLED, havingValue = "false", matchIfMissing = true)
    Tracer noTracer() {
        return Tracer.NOOP;
    }

    @Bean
    RecordTracing recordTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator,
            Environment environment) {
        boolean enabled = environment.getProperty(TRACING_ENABLED, Boolean.class, false);
        Tracer available = tracer.getIfAvailable();
        Propagator propagation = propagator.getIfAvailable();
        return enabled && available != null && available != Tracer.NOOP && propagation != null
                ? RecordTracing.on(available, propagation) : RecordTracing.off();
    }

    @Bean
    DeadLetterPublishingRecoverer deadLetterPublishingRecoverer(KafkaTemplate<byte[], byte[]> kafkaTemplate,
            WorkerProperties properties, RecordBudget budget, RecordTracing tracing) {
        String deadLetterTopic = properties.topics().deadLetter();
        // Partition -1 lets the producer's partitioner place the dead letter by its original key.
        return new BoundedDeadLetterPublishingRecoverer(kafkaTemplate,
                (record, exception) -> new TopicPartition(deadLetterTopic, -1), budget, tracing);
    }

    @Bean
    KafkaOutcomePublisher kafkaOutcomePublisher(KafkaTemplate<byte[], byte[]> kafkaTemplate,
            DeadLetterPublishingRecoverer deadLetters, WorkerProperties properties, RecordTracing tracing,
            WireContract contract) {
        return new KafkaOutcomePublisher(kafkaTemplate, deadLetters, properties.topics().outcomes(), tracing,
                contract);
    }

    @Bean
    WorkerMetrics workerMetrics(MeterRegistry meterRegistry) {
        return new WorkerMetrics(meterRegistry);
    }

    @Bean
    PartitionStalls partitionStalls(MeterRegistry meterRegistry, Clock clock) {
        return new PartitionStalls(meterRegistry, clock);
    }

    @Bean
    TopicIds topicIds(KafkaAdmin kafkaAdmin) {
        return new TopicIds(kafkaAdmin.getConfigurationProperties(), Duration.ofSeconds(10));
    }

    @Bean
    AssignmentRequestListener assignmentRequestListener(WireContract contract,
            ApplyAssignmentRequests applyAssignmentRequests, KafkaOutcomePublisher publisher, WorkerMetrics metrics,
            Clock clock, WorkerProperties properties, PartitionStalls stalls, TopicIds topicIds,
            JdbcTemplate jdbcTemplate, KafkaBrokerHealthIndicator kafkaHealth, RecordTracing tracing) {
        JdbcReachability database = new JdbcReachability(jdbcTemplate);
        DependencyProbe dependencies = () -> {
            if (!database.isReachable()) {
                return Optional.of("PostgreSQL");
            }
            return Status.UP.equals(kafkaHealth.health().getStatus()) ? Optional.empty() : Optional.of("Kafka");
        };
        PoisonIsolation poisonIsolation = new PoisonIsolation(properties.retry().poisonAttempts(),
                TransientFailures::isTransient, dependencies);
        return new AssignmentRequestListener(contract, applyAssignmentRequests, publisher, metrics, clock,
                poisonIsolation, stalls, topicIds, properties.topics().requests(), tracing);
    }

    /**
     * Calls of the HTTP API go out through their own non-transactional template: they are not part of any batch's
     * transaction, and the request must be on the topic before its caller waits. The answer reader's phase is below
     * the web server's, so it is placed on the outcomes topic before the first call is accepted, and stops only after
     * the graceful shutdown has answered the calls in flight.
     */
    @Bean
    @ConditionalOnProperty(name = "channel-assignment.http.enabled", havingValue = "true", matchIfMissing = true)
    KafkaRequestChannel kafkaRequestChannel(ProducerFactory<byte[], byte[]> producerFactory, WireContract contract,
            WorkerProperties properties, KafkaProperties kafkaProperties, RecordTracing tracing) {
        // No linger: a caller waits for this record, and a lone one would sit out the whole linger. Under load the
        // producer still batches what accumulates while earlier sends are in flight.
        KafkaTemplate<byte[], byte[]> calls = new KafkaTemplate<>(producerFactory,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
        calls.setAllowNonTransactional(true);
        return new KafkaRequestChannel(calls, contract, properties.topics().requests(), properties.topics().outcomes(),
                kafkaProperties.buildConsumerProperties(), WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1,
                tracing, KafkaRequestChannel.IDLE_BEFORE_PAUSE);
    }

    @Bean
    @ConditionalOnProperty(name = "channel-assignment.http.enabled", havingValue = "true", matchIfMissing = true)
    ServeAssignmentCalls serveAssignmentCalls(KafkaRequestChannel channel, WorkerProperties properties) {
        WorkerProperties.Http http = properties.http();
        return new ServeAssignmentCalls(channel, http.maxInFlight(), http.answerTimeout(), http.retryAfter());
    }

    /**
     * The context's close begins before any component stops: from then on the HTTP API tells new callers, and callers
     * whose answer does not come in time, to retry (503 and Retry-After), which reaches another instance.
     */
    @Bean
    @ConditionalOnProperty(name = "channel-assignment.http.enabled", havingValue = "true", matchIfMissing = true)
    ApplicationListener<ContextClosedEvent> stopServingCallsOnClose(ServeAssignmentCalls calls) {
        return closing -> calls.stop();
    }

    /** Named "kafka" in the health endpoint; the readiness group includes it (application.yml). */
    @Bean
    KafkaBrokerHealthIndicator kafkaHealthIndicator(KafkaAdmin kafkaAdmin) {
        return new KafkaBrokerHealthIndicator(kafkaAdmin.getConfigurationProperties(), Duration.ofSeconds(3));
    }

    /** Named "partitions" in the health endpoint; readiness includes it, liveness never does (application.yml). */
    @Bean
    PartitionStallsHealthIndicator partitionsHealthIndicator(PartitionStalls stalls, WorkerProperties properties) {
        return new PartitionStallsHealthIndicator(stalls, properties.health().stallThreshold());
    }

    @Bean
    IdempotencyRecordPurge idempotencyRecordPurge(JdbcTemplate jdbcTemplate, Clock clock,
            WorkerProperties properties) {
        return new IdempotencyRecordPurge(jdbcTemplate, clock, properties.retention().idempotencyRecords(),
                properties.retention().purgeBatchSize());
    }

    @Bean
    SchedulingConfigurer idempotencyRecordPurgeSchedule(IdempotencyRecordPurge purge, WorkerProperties properties) {
        return registrar -> registrar.addFixedDelayTask(purge::purgeExpired, properties.retention().purgeInterval());
    }

    /**
     * Every failed attempt of a batch, whatever failed, is rolled back in Kafka and retried whole after a growing
     * pause, with no limit here: giving up on a database or broker that is away would lose requests. A batch that keeps
     * failing for another reason is the listener's to settle: after {@code retry.poison-attempts} attempts it applies
     * the records one by one and dead-letters the poison.
     */
    @Bean
    AfterRollbackProcessor<Object, Object> afterRollbackProcessor(WorkerProperties properties,
            PartitionStalls stalls) {
        ExponentialBackOff backOff = new ExponentialBackOff(properties.retry().initialInterval().toMillis(),
                properties.retry().multiplier());
        backOff.setMaxInterval(properties.retry().maxInterval().toMillis());
        return new StallReportingAfterRollbackProcessor(backOff, stalls);
    }

    /**
     * Replaces Boot's consumer factory (its customizers still apply): the listener's consumers join the group as
     * static members named after the instance, and leave it when they close; under the classic group protocol with
     * the worker's session timeout and heartbeat (StaticMemberConsumerFactory).
     */
    @Bean
    StaticMemberConsumerFactory kafkaConsumerFactory(KafkaProperties kafkaProperties,
            ObjectProvider<DefaultKafkaConsumerFactoryCustomizer> customizers, WorkerProperties properties,
            Environment environment) {
        StaticMemberConsumerFactory factory = new StaticMemberConsumerFactory(
                kafkaProperties.buildConsumerProperties(), instanceId(properties, environment));
        customizers.orderedStream().forEach(customizer -> customizer.customize(factory));
        return factory;
    }

    /**
     * The transactional ids are the configured prefix, the instance's identity and a per-thread suffix: stable across
     * restarts, so a restarted instance aborts what its crashed incarnation left open. Without an identity, a random
     * one per start, and an open transaction of a crashed instance lasts until the broker's transaction timeout.
     */
    @Bean
    DefaultKafkaProducerFactoryCustomizer transactionalIdsOfThisInstance(WorkerProperties properties,
            KafkaProperties kafkaProperties, Environment environment) {
        String instanceId = instanceId(properties, environment);
        return factory -> {
            if (factory.getTransactionIdPrefix() != null) {
                factory.setTransactionIdPrefix(factory.getTransactionIdPrefix()
                        + (instanceId.isEmpty() ? UUID.randomUUID().toString() : instanceId) + "-");
                if (!instanceId.isEmpty()) {
                    // A fixed pool of suffixes, one per consumer thread: a producer fenced mid-run is replaced under
                    // the same id, not the next number, so the ids a restart initializes (PreviousIncarnationFencing)
                    // are every id an earlier incarnation can have left a transaction open under.
                    factory.setTransactionIdSuffixStrategy(
                            new DefaultTransactionIdSuffixStrategy(consumerThreads(kafkaProperties)));
                }
            }
        };
    }

    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> listenerContainer(
            PartitionStalls stalls, TopicIds topicIds, ProducerFactory<byte[], byte[]> producerFactory,
            KafkaProperties kafkaProperties, WorkerProperties properties, Environment environment) {
        PreviousIncarnationFencing fencing = instanceId(properties, environment).isEmpty() ? null
                : new PreviousIncarnationFencing(producerFactory, consumerThreads(kafkaProperties));
        return container -> {
            container.getContainerProperties().setStopContainerWhenFenced(true);
            container.getContainerProperties().setConsumerRebalanceListener(
                    new PartitionAssignments(stalls, topicIds, fencing));
        };
    }

    private static int consumerThreads(KafkaProperties kafkaProperties) {
        Integer concurrency = kafkaProperties.getListener().getConcurrency();
        return concurrency == null ? 1 : concurrency;
    }

    private static String instanceId(WorkerProperties properties, Environment environment) {
        return properties.instanceIdOr(environment.getProperty("HOSTNAME"));
    }

    /**
     * When another process took this instance's identity, the worker exits with {@link #IDENTITY_TAKEN_EXIT_STATUS}
     * after a graceful shutdown: the other process owns its partitions and its transactional ids.
     */
    @Bean
    RestartAfterFencing restartAfterFencing(KafkaListenerEndpointRegistry registry, WorkerProperties properties,
            KafkaAdmin kafkaAdmin, KafkaProperties kafkaProperties, StaticMemberConsumerFactory consumers,
            ConfigurableApplicationContext context) {
        InstanceIdentityCheck identity = new InstanceIdentityCheck(kafkaAdmin.getConfigurationProperties(),
                kafkaProperties.getConsumer().getGroupId(), consumers::issuedInstanceIds);
        RestartAfterFencing restarts = new RestartAfterFencing(registry, properties.listenerId(), identity,
                () -> System.exit(SpringApplication.exit(context, () -> IDENTITY_TAKEN_EXIT_STATUS)));
        consumers.onInstanceIdRefused(restarts::rejoinLater);
        return restarts;
    }

    @Bean
    @ConditionalOnProperty(name = "channel-assignment.topics.create", havingValue = "true", matchIfMissing = true)
    KafkaAdmin.NewTopics channelAssignmentTopics(WorkerProperties properties) {
        WorkerProperties.Topics topics = properties.topics();
        return new KafkaAdmin.NewTopics(
                topic(topics.requests(), topics), topic(topics.outcomes(), topics), topic(topics.deadLetter(), topics));
    }

    /**
     * A batch blocked on a lock or a slow statement must fail on the database side, and be retried, before Kafka
     * aborts its transaction under it; otherwise the producer is fenced mid-batch.
     */
    private static void requireDatabaseLimitsBelowTransactionTimeout(WorkerProperties properties,
            KafkaProperties kafkaProperties) {
        String configured = kafkaProperties.getProducer().getProperties().get("transaction.timeout.ms");
        Duration transactionTimeout = Duration.ofMillis(configured == null ? 60_000 : Long.parseLong(configured));
        Duration slowest = properties.database().lockTimeout().plus(properties.database().statementTimeout());
        if (slowest.compareTo(transactionTimeout) >= 0) {
            throw new IllegalStateException(("channel-assignment.database.lock-timeout + statement-timeout (%s) must "
                    + "stay below spring.kafka.producer.properties.transaction.timeout.ms (%s)")
                    .formatted(slowest, transactionTimeout));
        }
    }

    private static NewTopic topic(String name, WorkerProperties.Topics topics) {
        return TopicBuilder.name(name).partitions(topics.partitions()).replicas(topics.replicationFactor()).build();
    }
}
