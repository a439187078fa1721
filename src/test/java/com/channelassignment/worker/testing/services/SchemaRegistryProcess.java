package com.channelassignment.worker.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Confluent-compatible schema registry as a child JVM on a free loopback port: Apicurio Registry 2.4.2 from the
 * jar that {@code tools/schema-registry} builds ({@code ./mvnw verify} builds it before the tests; the path comes from
 * the {@code schema-registry.jar} system property the pom sets, else the newest
 * {@code tools/schema-registry/target/*-runner.jar}). Started ready: {@code /health/ready} answers UP and the global
 * compatibility level is {@value #GLOBAL_COMPATIBILITY}. Its log goes to {@code target/schema-registry-<port>.log},
 * appended across restarts. The process is destroyed when the JVM exits, whichever way it ends.
 *
 * <p>{@link #stop()} and {@link #start()} again keep the port, for tests of what clients do while the registry is
 * away. What a restart keeps depends on the {@link Storage}: {@link Storage#IN_MEMORY} (H2 in memory, the app's
 * default) <b>loses every schema, id and setting</b> on stop, so a restarted registry is empty and hands out ids from
 * 1 again; {@link Storage#FILE} (H2 on a file in a temporary directory of its own, deleted by {@link #close()}) keeps
 * them, so ids a client cached stay valid.
 *
 * <p>Differences from Confluent's registry that tests meet: lookups and registrations match the exact schema text
 * (register what the serializer sends, Avro's {@code Schema.toString()}); never use {@code ?normalize=true}; the
 * latest version of an unknown subject is error 40402 (Confluent: 40401); an incompatible schema is 409 with error code
 * 0; {@code GET /config/{subject}} answers NONE for a subject without a level of its own, whatever the global level.
 * More in {@code tools/schema-registry/README.md}.
 */
public final class SchemaRegistryProcess implements AutoCloseable {

    /** Where a restart leaves the registry's schemas. */
    public enum Storage {
        /** H2 in memory: a restart starts empty. */
        IN_MEMORY,
        /** H2 on a file: a restart keeps schemas, ids and settings. */
        FILE
    }

    /** Set on every start: Apicurio's default is NONE, Confluent's is BACKWARD. */
    public static final String GLOBAL_COMPATIBILITY = "BACKWARD";

    /** C1 only, the serial collector and a small heap: ready in 3-5 s instead of 8-9 s, 150-230 MB resident. */
    private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xmx256m");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 40;

    private final Path jar;
    private final Storage storage;
    private final Path dataDirectory;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private volatile Process process;

    private SchemaRegistryProcess(Path jar, Storage storage) {
        this.jar = jar;
        this.storage = storage;
        this.port = Local.freePort();
        this.log = Path.of("target", "schema-registry-" + port + ".log").toAbsolutePath();
        try {
            Files.createDirectories(log.getParent());
            dataDirectory = storage == Storage.FILE ? Files.createTempDirectory("schema-registry") : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A registry JVM must not outlive the JVM that started it. Without the lock: a start may be holding it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process running = process;
            if (running != null) {
                running.destroyForcibly();
            }
        }, "schema-registry-kill"));
    }

    /** A registry with {@link Storage#IN_MEMORY} storage, started and ready. */
    public static SchemaRegistryProcess startInMemory() {
        return start(Storage.IN_MEMORY);
    }

    /** A registry with {@link Storage#FILE} storage, whose schemas survive {@link #stop()} and {@link #start()}. */
    public static SchemaRegistryProcess startFileBacked() {
        return start(Storage.FILE);
    }

    public static SchemaRegistryProcess start(Storage storage) {
        SchemaRegistryProcess registry = new SchemaRegistryProcess(jar(), storage);
        registry.start();
        return registry;
    }

    /** The Confluent-compatible API, what Confluent's and most other clients take as the registry URL. */
    public String confluentUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** Apicurio's own API, what Apicurio's serdes take as {@code apicurio.registry.url}. */
    public String apicurioUrl() {
        return baseUrl() + "/apis/registry/v2";
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Storage storage() {
        return storage;
    }

    public Path log() {
        return log;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Starts the registry on its port (the same one on every start) and waits until it is ready, then sets the global
     * compatibility level. Fails with the log's tail when the jar is missing, the process exits, or it is not ready
     * within 60 s.
     */
    public synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("schema registry already running on port " + port);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.http.port=" + port);
        if (storage == Storage.FILE) {
            command.add("-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + dataDirectory.resolve("registry"));
        }
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Files.writeString(log, "=== starting: " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the schema registry from " + jar, e);
        }
        try {
            awaitReady();
            setGlobalCompatibility();
        } catch (RuntimeException notReady) {
            kill();
            throw notReady;
        }
    }

    /** SIGTERM, as an orchestrator stops it (Quarkus stops in well under a second); kill -9 after 30 s. */
    public synchronized void stop() {
        if (isRunning()) {
            process.destroy();
            if (!waitForExit(STOP_TIMEOUT)) {
                kill();
            }
        }
    }

    /** kill -9. */
    public synchronized void kill() {
        if (isRunning()) {
            process.destroyForcibly();
            waitForExit(STOP_TIMEOUT);
        }
    }

    /** Stops the registry and deletes its file storage, if it has one. */
    @Override
    public synchronized void close() {
        stop();
        if (dataDirectory != null) {
            Local.deleteTree(dataDirectory);
        }
    }

    /** The jar the pom names, else the newest built one: fails, saying how to build it, when there is none. */
    private static Path jar() {
        String configured = System.getProperty("schema-registry.jar");
        Path jar;
        if (configured != null && !configured.isBlank()) {
            jar = Path.of(configured);
        } else {
            Path target = Path.of("tools", "schema-registry", "target");
            try (Stream<Path> files = Files.isDirectory(target) ? Files.list(target) : Stream.empty()) {
                jar = files.filter(file -> file.getFileName().toString().endsWith("-runner.jar"))
                        .max(Comparator.comparingLong(file -> file.toFile().lastModified()))
                        .orElse(target.resolve("<none>-runner.jar"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no schema registry jar at " + jar.toAbsolutePath()
                    + ": build it with ./mvnw -B -f tools/schema-registry/pom.xml package (./mvnw verify does)");
        }
        return jar.toAbsolutePath();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw notReady("the schema registry exited with " + process.exitValue());
            }
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
                last = ready.statusCode() + " " + ready.body();
            } catch (IOException notListeningYet) {
                last = notListeningYet.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the schema registry", e);
            }
            Local.sleep(Duration.ofMillis(100));
        }
        throw notReady("the schema registry is not ready after " + READY_TIMEOUT + " (last: " + last + ")");
    }

    private void setGlobalCompatibility() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(confluentUrl() + "/config"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + GLOBAL_COMPATIBILITY + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw notReady("PUT /config answered " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the schema registry's compatibility level", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private IllegalStateException notReady(String why) {
        return new IllegalStateException(why + "; " + log + " ends with:" + System.lineSeparator() + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(),
                    lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read the log: " + e + ")";
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
}
