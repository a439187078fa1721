package com.channelassignment.worker.testing.services;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.SpringApplication;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one place that decides which real Kafka broker, PostgreSQL server and schema registry the tests use: Testcontainers
 * where a Docker engine answers, otherwise an in-process KRaft broker and the PostgreSQL server on 127.0.0.1:5432 (or,
 * when none answers, embedded PostgreSQL binaries). The schema registry is a child JVM either way
 * ({@link SchemaRegistryProcess}, from the jar the build makes). Started once per JVM. A service that cannot be
 * started fails the tests.
 */
public final class TestServices {

    /**
     * The largest record batch the test broker accepts ({@code message.max.bytes}, Kafka's default), spelled out so
     * that tests of records at the broker's limit do not depend on a default.
     */
    public static final int BROKER_MAX_MESSAGE_BYTES = 1_048_588;

    /** Broker settings for tests: offsets commit without the 5 ms coordinator linger that dominates small batches. */
    private static final Map<String, String> BROKER_PROPERTIES = Map.of(
            "message.max.bytes", Integer.toString(BROKER_MAX_MESSAGE_BYTES),
            "group.coordinator.append.linger.ms", "0",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "offsets.topic.replication.factor", "1",
            "group.initial.rebalance.delay.ms", "0");

    /**
     * A port the in-process broker is also reached on when it is free ({@code -Dtest.kafka.port}): the demo asks for
     * Kafka's usual 9092, so the CLI's default address reaches it.
     */
    public static final String PREFERRED_KAFKA_PORT = "test.kafka.port";

    private static volatile Kafka kafka;
    private static volatile Postgres postgres;
    private static volatile SchemaRegistryProcess schemaRegistry;

    private TestServices() {
    }

    public static synchronized String kafkaBootstrapServers() {
        if (kafka == null) {
            kafka = dockerAvailable() ? Kafka.container() : Kafka.inProcess();
        }
        return kafka.bootstrapServers();
    }

    /** A database of its own, created for the caller and dropped when the JVM exits. */
    public static synchronized Database createDatabase() {
        return createDatabase("");
    }

    /**
     * {@link #createDatabase()} with options of {@code CREATE DATABASE}, e.g. {@code TEMPLATE template0 LC_COLLATE 'C'}
     * for a collation other than the server's default.
     */
    public static synchronized Database createDatabase(String options) {
        if (postgres == null) {
            postgres = dockerAvailable() ? Postgres.container() : Postgres.localOrEmbedded();
        }
        return postgres.createDatabase(options);
    }

    /**
     * Drops a database {@link #createDatabase()} made, before the JVM exits: for runs that make many large ones. Any
     * other database is refused, never dropped.
     */
    public static synchronized void dropDatabase(Database database) {
        if (postgres == null || !postgres.drop(database)) {
            throw new IllegalArgumentException("not a database this JVM created: " + database.jdbcUrl());
        }
    }

    /**
     * The Confluent-compatible API of the schema registry shared by the tests in this JVM, started on first use
     * (3-9 s), with in-memory storage and BACKWARD global compatibility; ids are content ids. Subjects outlive the
     * test that registered them, so take subject names of your own. A test that needs the registry to go away takes a
     * {@link SchemaRegistryProcess} of its own: the shared one is never stopped before the JVM exits.
     */
    public static String schemaRegistryUrl() {
        return schemaRegistry().confluentUrl();
    }

    /** Apicurio's own API of the same shared registry: {@code apicurio.registry.url} for Apicurio's serdes. */
    public static String schemaRegistryApicurioUrl() {
        return schemaRegistry().apicurioUrl();
    }

    private static synchronized SchemaRegistryProcess schemaRegistry() {
        if (schemaRegistry == null) {
            SchemaRegistryProcess started = SchemaRegistryProcess.startInMemory();
            // After the Spring contexts have closed, so a worker using it does not see it go first.
            SpringApplication.getShutdownHandlers().add(started::close);
            schemaRegistry = started;
        }
        return schemaRegistry;
    }

    public static String describe() {
        return dockerAvailable() ? "Testcontainers (Docker)" : "in-process KRaft broker and local/embedded PostgreSQL";
    }

    private static boolean dockerAvailable() {
        String forced = System.getProperty("test.services", System.getenv("TEST_SERVICES"));
        if (forced != null) {
            return forced.equals("docker");
        }
        boolean dockerConfigured = System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"));
        return dockerConfigured && DockerClientFactory.instance().isDockerAvailable();
    }

    /**
     * A PostgreSQL server of the caller's own that it may stop and start again (same port, same data), for tests of
     * what happens while the database is away. Embedded binaries everywhere: stopping a shared server, or a container
     * whose port changes on restart, would not do.
     */
    public static StoppablePostgres stoppablePostgres() {
        return new StoppablePostgres();
    }

    /** A PostgreSQL server that can be stopped and started again on the same port with the same data. */
    public static final class StoppablePostgres implements AutoCloseable {
        private final Path dataDirectory;
        private final int port;
        private EmbeddedPostgres server;

        private StoppablePostgres() {
            try {
                dataDirectory = Files.createTempDirectory("stoppable-postgres");
                port = Local.freePort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            start();
        }

        public String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:%d/postgres".formatted(port);
        }

        /** A fresh database of the caller's own on this server; it goes when the server's data directory goes. */
        public Database createDatabase() {
            String name = "caw_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create database " + name + " on port " + port, e);
            }
            return new Database("jdbc:postgresql://127.0.0.1:%d/%s".formatted(port, name), "postgres", "postgres");
        }

        public synchronized void start() {
            try {
                server = EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                        .setPort(port).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL on port " + port, e);
            }
        }

        public synchronized void stop() {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Stops the server and deletes its data directory, a temporary one of its own. */
        @Override
        public synchronized void close() {
            stop();
            Local.deleteTree(dataDirectory);
        }
    }

    /** A fresh database: JDBC URL and credentials. */
    public record Database(String jdbcUrl, String username, String password) {
    }

    private interface Kafka {
        String bootstrapServers();

        static Kafka inProcess() {
            EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
            broker.brokerProperties(BROKER_PROPERTIES);
            broker.afterPropertiesSet();
            // After the Spring contexts have closed, so their clients do not warn about a broker that went first.
            SpringApplication.getShutdownHandlers().add(broker::destroy);
            int preferred = Integer.getInteger(PREFERRED_KAFKA_PORT, 0);
            if (preferred > 0 && !answers("127.0.0.1", preferred)) {
                // The KRaft test broker takes no fixed port; a client needs one only to bootstrap, and the broker's
                // metadata then names its own address.
                String[] address = broker.getBrokersAsString().split(",")[0].split(":");
                ForwardingProxy.start(preferred, address[0], Integer.parseInt(address[1]));
                return () -> "localhost:" + preferred;
            }
            return broker::getBrokersAsString;
        }

        static Kafka container() {
            KafkaContainer container = new KafkaContainer("apache/kafka:4.1.1");
            BROKER_PROPERTIES.forEach((key, value) ->
                    container.withEnv("KAFKA_" + key.toUpperCase().replace('.', '_'), value));
            container.start();
            return container::getBootstrapServers;
        }
    }

    private static final class Postgres {
        private final String host;
        private final int port;
        private final String username;
        private final String password;
        private final List<String> created = new CopyOnWriteArrayList<>();

        private Postgres(String host, int port, String username, String password) {
            this.host = host;
            this.port = port;
            this.username = username;
            this.password = password;
            // After the Spring contexts have closed: a database dropped under a running worker fails its connections.
            SpringApplication.getShutdownHandlers().add(this::dropCreatedDatabases);
        }

        static Postgres localOrEmbedded() {
            if (answers("127.0.0.1", 5432)) {
                return new Postgres("127.0.0.1", 5432, "postgres", "");
            }
            try {
                EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
                SpringApplication.getShutdownHandlers().add(() -> {
                    try {
                        embedded.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting; the temporary data directory goes with it
                    }
                });
                return new Postgres("127.0.0.1", embedded.getPort(), "postgres", "postgres");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
            }
        }

        static Postgres container() {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            return new Postgres(container.getHost(), container.getMappedPort(5432), container.getUsername(),
                    container.getPassword());
        }

        Database createDatabase(String options) {
            String name = "caw_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            execute("CREATE DATABASE " + name + (options.isBlank() ? "" : " " + options));
            created.add(name);
            return new Database(url(name), username, password);
        }

        boolean drop(Database database) {
            for (String name : created) {
                if (database.jdbcUrl().equals(url(name))) {
                    execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                    created.remove(name);
                    return true;
                }
            }
            return false;
        }

        private void dropCreatedDatabases() {
            for (String name : created) {
                try {
                    execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                } catch (RuntimeException ignored) {
                    // best effort at exit; names are unique, a leftover harms no later run
                }
            }
        }

        private void execute(String sql) {
            try (Connection connection = DriverManager.getConnection(url("postgres"), username, password);
                    Statement statement = connection.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("PostgreSQL at %s:%d refused: %s".formatted(host, port, sql), e);
            }
        }

        private String url(String database) {
            return "jdbc:postgresql://%s:%d/%s".formatted(host, port, database);
        }
    }

    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
