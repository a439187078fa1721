package com.channelassignment.worker.testing.services;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The packaged worker ({@code java -jar target/channel-assignment-worker-*.jar}) as a separate OS process, for the
 * benchmark and the fault suite: started, made ready, killed with SIGKILL, paused with SIGSTOP, measured from /proc.
 */
public final class WorkerProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int httpPort;
    private final int managementPort;
    private final Path log;

    private WorkerProcess(Process process, int httpPort, int managementPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.log = log;
    }

    /** Starts the worker jar with the given JVM options and Spring arguments; output goes to {@code log}. */
    public static WorkerProcess start(Path jar, List<String> jvmOptions, List<String> arguments, Path log) {
        List<String> launch = new ArrayList<>(jvmOptions);
        launch.addAll(List.of("-jar", jar.toString()));
        return launch(launch, arguments, log);
    }

    /**
     * Starts the worker's main class from the compiled classes and the test JVM's dependencies, with no packaging
     * first. The test classes and resources are left out, so the worker configures itself as the jar does (no
     * {@code logback-test.xml}).
     */
    public static WorkerProcess startFromClasses(List<String> arguments, Path log) {
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        String classpath = Arrays.stream(testClasspath().split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().toString().equals(testClasses))
                .collect(Collectors.joining(File.pathSeparator));
        return launch(List.of("-cp", classpath, "com.channelassignment.worker.ChannelAssignmentWorkerApplication"),
                arguments, log);
    }

    private static WorkerProcess launch(List<String> launch, List<String> arguments, Path log) {
        int port = Local.freePort();
        int managementPort = Local.freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launch);
        command.add("--server.port=" + port);
        command.add("--management.server.port=" + managementPort);
        command.addAll(arguments);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            // Instances on one host share its name, the default identity: without one of their own
            // (--channel-assignment.instance-id), none. Left out of the environment rather than set as an argument, so
            // an earlier build that has no such setting starts too.
            builder.environment().remove("HOSTNAME");
            Process process = builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new WorkerProcess(process, port, managementPort, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * Surefire and Failsafe may start the test JVM from a manifest-only jar; the jar's manifest still names every
     * entry, so either property gives a working classpath for the child.
     */
    private static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** The packaged jar under {@code target/}; fails loudly when the project was not packaged first. */
    public static Path packagedJar() {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(path -> path.getFileName().toString().matches("channel-assignment-worker-.*\\.jar"))
                    .filter(path -> !path.getFileName().toString().endsWith("-plain.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no packaged worker jar in target/: run "
                            + "./mvnw -DskipTests package first"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The port of the worker's HTTP API (and its probes, /livez and /readyz), on loopback. */
    public int httpPort() {
        return httpPort;
    }

    /** The port of the worker's actuator (/actuator/prometheus, /actuator/health), on loopback. */
    public int managementPort() {
        return managementPort;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until /readyz on the API port answers 200, failing if the process dies or time runs out. */
    public WorkerProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited with " + process.exitValue() + "; see " + log);
            }
            if (httpStatus("/readyz") == 200) {
                return this;
            }
            Local.sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException("worker not ready after " + timeout + "; see " + log);
    }

    /** kill -9: no shutdown hook, no rollback, no goodbye to the group. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** SIGTERM: the graceful shutdown path. */
    public int terminate(Duration timeout) {
        process.destroy();
        return awaitExit(timeout);
    }

    /** SIGTERM without waiting, so several instances can shut down side by side; then {@link #awaitExit}. */
    public void requestTermination() {
        process.destroy();
    }

    /** The exit status, once the process has exited; fails if it is still running after {@code timeout}. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("worker did not stop within " + timeout + " of SIGTERM; see " + log);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGSTOP: the process freezes as in a long GC pause, holding whatever it held. */
    public void pause() {
        signal("STOP");
    }

    public void resume() {
        signal("CONT");
    }

    /** User plus system CPU time of the process so far, from /proc. */
    public Duration cpuTime() {
        return ProcessCpu.of(pid());
    }

    /** Peak resident set size of the process in KiB (VmHWM). */
    public long peakResidentKib() {
        for (String line : readProc("status").split("\n")) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmHWM in /proc/" + pid() + "/status");
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private int httpStatus(String path) {
        try {
            return HTTP.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(2)).build();
    }

    private void signal(String name) {
        try {
            int exit = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void waitFor() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String readProc(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid()), file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
