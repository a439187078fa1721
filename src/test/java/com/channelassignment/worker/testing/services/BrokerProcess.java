package com.channelassignment.worker.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A standalone single-node KRaft Kafka broker (broker and controller in one) as a child OS process, run from the
 * Kafka jars on the test classpath, so a test can kill it or stop it and start it again on the same ports with the
 * same data. The in-process broker of {@link TestServices} cannot be restarted under running clients. The benchmark
 * uses it too, with {@link #AS_SHIPPED_JVM}, so that the broker does not share a heap with the benchmark.
 *
 * <p>Two settings keep fault tests short. Timed-out transactions are looked for every second instead of every ten, so a
 * killed client's open transaction ends soon after its {@code transaction.timeout.ms}. And the broker session times
 * out after 3 s instead of 9: after a kill -9 the restarted controller keeps the dead incarnation registered until its
 * session expires, and the broker cannot serve before that (12 s to restart instead of 5).
 */
public final class BrokerProcess implements AutoCloseable {

    /** C1 only and the serial collector: a fault-test broker carries little load, and starts with less CPU. */
    public static final List<String> QUICK_START_JVM = List.of("-Xmx512m", "-Xms128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    /** What Kafka's own start scripts give a broker (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS): for measuring. */
    public static final List<String> AS_SHIPPED_JVM = List.of("-Xmx1G", "-Xms1G", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:MaxInlineLevel=15");

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path directory;
    private final Path config;
    private final Path log;
    private final int port;
    private final List<String> jvmOptions;
    private Process process;

    private BrokerProcess(Path directory, int port, int controllerPort, List<String> jvmOptions,
            Map<String, String> overrides) {
        this.directory = directory;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.config = directory.resolve("server.properties");
        this.log = directory.resolve("broker.log");
        this.port = port;
        write(config, """
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@127.0.0.1:%2$d
                listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                log.dirs=%3$s
                num.partitions=1
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=12
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                transaction.state.log.num.partitions=12
                min.insync.replicas=1
                group.initial.rebalance.delay.ms=0
                group.coordinator.append.linger.ms=0
                auto.create.topics.enable=false
                transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
                broker.heartbeat.interval.ms=500
                broker.session.timeout.ms=3000
                """.formatted(port, controllerPort, directory.resolve("data")) + asProperties(overrides));
    }

    /** {@link #start(Path, List)} with {@link #QUICK_START_JVM}. */
    public static BrokerProcess start(Path directory) {
        return start(directory, QUICK_START_JVM);
    }

    /**
     * Formats a fresh data directory under {@code directory} (what an earlier run left there is deleted) and starts
     * the broker on two free ports, in a JVM with the given options.
     */
    public static BrokerProcess start(Path directory, List<String> jvmOptions) {
        return start(directory, jvmOptions, Map.of());
    }

    /**
     * {@link #start(Path, List)} with broker settings that replace or add to the fault suite's, then those of the
     * {@code broker.settings} system property ({@code name=value} pairs separated by {@code |}), for experiments.
     */
    public static BrokerProcess start(Path directory, List<String> jvmOptions, Map<String, String> settings) {
        Local.deleteTree(directory);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port = Local.freePort();
        int controllerPort = Local.freePort();
        while (controllerPort == port) {
            controllerPort = Local.freePort();
        }
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        overrides.putAll(settingsOfTheRun());
        BrokerProcess broker = new BrokerProcess(directory.toAbsolutePath(), port, controllerPort, jvmOptions,
                overrides);
        // A broker JVM must not outlive the JVM that started it, whichever way that one ends.
        Runtime.getRuntime().addShutdownHook(new Thread(broker::kill, "broker-process-kill"));
        broker.format();
        broker.start();
        return broker;
    }

    /** The {@code broker.settings} system property as names and values: what every broker of this run is given. */
    public static Map<String, String> settingsOfTheRun() {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String setting : System.getProperty("broker.settings", "").split("\\|")) {
            if (!setting.isBlank()) {
                settings.put(setting.substring(0, setting.indexOf('=')).trim(),
                        setting.substring(setting.indexOf('=') + 1).trim());
            }
        }
        return settings;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    /** The running broker's process id. */
    public synchronized long pid() {
        if (!isRunning()) {
            throw new IllegalStateException("broker not running");
        }
        return process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the broker again on the same ports and data, and waits until it answers metadata requests. */
    public synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("broker already running");
        }
        process = launch(List.of("kafka.Kafka", config.toString()));
        try {
            awaitReady();
        } catch (RuntimeException notReady) {
            kill();
            throw notReady;
        }
    }

    /** kill -9: no controlled shutdown, no flush; the next start recovers the logs. */
    public synchronized void kill() {
        if (isRunning()) {
            process.destroyForcibly();
            waitForExit(Duration.ofSeconds(30));
        }
    }

    /** SIGTERM: controlled shutdown. */
    public synchronized void stop() {
        if (isRunning()) {
            process.destroy();
            if (!waitForExit(Duration.ofSeconds(60))) {
                kill();
            }
        }
    }

    @Override
    public void close() {
        kill();
    }

    // Later lines win in a properties file, so overrides go after the defaults.
    private static String asProperties(Map<String, String> overrides) {
        StringBuilder lines = new StringBuilder();
        overrides.forEach((name, value) -> lines.append(name).append('=').append(value).append('\n'));
        return lines.toString();
    }

    private void format() {
        Process format = launch(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString()));
        try {
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("kafka-storage format failed; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Process launch(List<String> mainAndArguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", testClasspath()));
        command.addAll(mainAndArguments);
        try {
            return new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mainAndArguments.get(0), e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        // Listening first, so the admin client does not log a warning for every refused connection.
        while (!listening() && System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker exited with " + process.exitValue() + "; see " + log);
            }
            Local.sleep(Duration.ofMillis(100));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000))) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("broker exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    // still starting or recovering its logs
                }
                Local.sleep(Duration.ofMillis(200));
            }
        }
        throw new IllegalStateException("broker not ready after " + READY_TIMEOUT + "; see " + log);
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Surefire and Failsafe may start the test JVM from a manifest-only jar; the jar's manifest still names every
     * entry, so either property gives a working classpath for the child.
     */
    private static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
