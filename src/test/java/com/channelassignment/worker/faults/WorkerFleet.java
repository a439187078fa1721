package com.channelassignment.worker.faults;

import com.channelassignment.worker.testing.services.WorkerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The worker instances of one scenario, all in one consumer group: started from the packaged jar, killed, restarted,
 * paused, resumed and finally stopped with SIGTERM. Each instance has an identity of its own, its name
 * ({@code channel-assignment.instance-id}), as a pod has: its static group membership and its transactional ids
 * (after the run's prefix, so the scenario can find its transactions on the broker). A restart keeps it.
 */
final class WorkerFleet implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

    private final Path jar;
    private final List<String> jvmOptions;
    private final List<String> arguments;
    private final Path logDirectory;
    private final String transactionalIdPrefix;
    private final Consumer<String> faultLog;
    private final Map<String, WorkerProcess> running = new LinkedHashMap<>();
    private final Map<String, WorkerProcess> paused = new LinkedHashMap<>();
    private final List<WorkerProcess> all = new ArrayList<>();
    private int started;

    WorkerFleet(Path jar, List<String> jvmOptions, List<String> arguments, Path logDirectory,
            String transactionalIdPrefix, Consumer<String> faultLog) {
        this.jar = jar;
        this.jvmOptions = jvmOptions;
        this.arguments = new ArrayList<>(arguments);
        this.logDirectory = logDirectory;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.faultLog = faultLog;
    }

    /**
     * Instances started from now on get these arguments ({@code --name=value}), each replacing any argument of the
     * same name: Spring would join a repeated command-line property into one comma-separated value.
     */
    synchronized void setArguments(List<String> replacements) {
        for (String replacement : replacements) {
            String name = replacement.substring(0, replacement.indexOf('=') + 1);
            arguments.removeIf(argument -> argument.startsWith(name));
            arguments.add(replacement);
        }
    }

    /** Starts {@code count} new instances side by side and waits until each is ready. */
    synchronized List<String> start(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = "worker-" + (++started);
            launch(name);
            names.add(name);
        }
        for (String name : names) {
            running.get(name).awaitReady(READY_TIMEOUT);
            faultLog.accept("started " + describe(name));
        }
        return names;
    }

    /** Starts the instance {@code name} again, after it was killed: same identity, its log continued. */
    synchronized void restart(String name) {
        if (running.containsKey(name) || paused.containsKey(name)) {
            throw new IllegalStateException(name + " is still there: " + describe());
        }
        launch(name);
        running.get(name).awaitReady(READY_TIMEOUT);
        faultLog.accept("restarted " + describe(name));
    }

    /**
     * Starts a new process under the identity of the paused instance {@code name}, as a scheduler does when it gives
     * up on a node it cannot reach: same instance id, same transactional ids. It logs to {@code name-successor.log}.
     */
    synchronized void startSuccessor(String name) {
        if (!paused.containsKey(name) || running.containsKey(name)) {
            throw new IllegalStateException(name + " must be paused, and only paused: " + describe());
        }
        launch(name, successorLog(name));
        running.get(name).awaitReady(READY_TIMEOUT);
        faultLog.accept("started a successor of the paused " + name + " under its identity: " + describe(name));
    }

    /** The log of the successor {@link #startSuccessor} started under {@code name}'s identity. */
    private static String successorLog(String name) {
        return name + "-successor";
    }

    private void launch(String name) {
        launch(name, name);
    }

    private void launch(String name, String logName) {
        List<String> instanceArguments = new ArrayList<>(arguments);
        instanceArguments.add("--channel-assignment.instance-id=" + name);
        instanceArguments.add("--spring.kafka.producer.transaction-id-prefix=" + transactionalIdPrefix);
        WorkerProcess worker = WorkerProcess.start(jar, jvmOptions, instanceArguments,
                logDirectory.resolve(logName + ".log"));
        all.add(worker);
        running.put(name, worker);
    }

    /** SIGTERM to one running instance chosen by {@code random}; returns its exit code once it has exited. */
    synchronized int terminateAny(Random random, Duration timeout) {
        String name = any(random);
        WorkerProcess worker = running.remove(name);
        faultLog.accept("SIGTERM " + name + " (pid " + worker.pid() + ")");
        int exit = worker.terminate(timeout);
        faultLog.accept(name + " exited with " + exit);
        return exit;
    }

    /** kill -9 of one running (not paused) instance chosen by {@code random}. */
    synchronized String killAny(Random random) {
        String name = any(random);
        WorkerProcess worker = running.remove(name);
        worker.kill();
        faultLog.accept("kill -9 " + name + " (pid " + worker.pid() + ")");
        return name;
    }

    /** SIGSTOP of one running instance chosen by {@code random}: it keeps its partitions, sockets and locks. */
    synchronized String pauseAny(Random random) {
        String name = any(random);
        WorkerProcess worker = running.remove(name);
        worker.pause();
        paused.put(name, worker);
        faultLog.accept("SIGSTOP " + name + " (pid " + worker.pid() + ")");
        return name;
    }

    /**
     * SIGSTOP of one running instance chosen by {@code random}, at a moment {@code caught} approves: after each
     * SIGSTOP it is asked (the instance stays stopped meanwhile); if it says no, the instance runs on for a moment
     * and is stopped again, at most {@code tries} times. Fails when no moment was right.
     */
    synchronized String pauseAnyWhen(Random random, BooleanSupplier caught, int tries) {
        String name = any(random);
        WorkerProcess worker = running.get(name);
        for (int attempt = 1; attempt <= tries; attempt++) {
            worker.pause();
            FaultRun.sleep(Duration.ofMillis(300));
            if (caught.getAsBoolean()) {
                running.remove(name);
                paused.put(name, worker);
                faultLog.accept("SIGSTOP " + name + " (pid " + worker.pid() + "), at attempt " + attempt);
                return name;
            }
            worker.resume();
            FaultRun.sleep(Duration.ofMillis(20 + random.nextInt(200)));
        }
        throw new AssertionError("no SIGSTOP of %s in %d attempts came at the wanted moment; %s".formatted(name,
                tries, describe()));
    }

    /** Which of two processes under one identity gave it up, and its exit status. */
    record GaveUp(String which, int exitStatus) {
    }

    /**
     * SIGCONT of a paused instance whose identity a successor has taken. Kafka lets the last of the two to join keep
     * the identity, and the resumed one rejoins as soon as it finds its session gone; so one of the two must find the
     * other holding it, and exit. Waits until one has exited, and fails if both still run after {@code timeout}. The
     * one left running is the instance {@code name} from then on.
     */
    synchronized GaveUp resumeUntilOneGivesUp(String name, Duration timeout) {
        WorkerProcess resumed = paused.remove(name);
        WorkerProcess successor = running.get(name);
        resumed.resume();
        faultLog.accept("SIGCONT " + name + " (pid " + resumed.pid() + "), whose identity a successor (pid "
                + successor.pid() + ") holds");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (resumed.isAlive() && successor.isAlive()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("two processes under the identity %s still run %s after the SIGCONT; %s"
                        .formatted(name, timeout, describe()));
            }
            FaultRun.sleep(Duration.ofMillis(100));
        }
        WorkerProcess gone = resumed.isAlive() ? successor : resumed;
        String which = gone == resumed ? "resumed" : "successor";
        int exit = gone.awaitExit(Duration.ofSeconds(30));
        running.put(name, gone == resumed ? successor : resumed);
        faultLog.accept("the %s process of %s (pid %d) gave the identity up and exited with %d".formatted(which, name,
                gone.pid(), exit));
        return new GaveUp(which, exit);
    }

    synchronized void resume(String name) {
        WorkerProcess worker = paused.remove(name);
        worker.resume();
        running.put(name, worker);
        faultLog.accept("SIGCONT " + name + " (pid " + worker.pid() + ")");
    }

    /** The HTTP ports of the instances running now. */
    synchronized List<Integer> httpPorts() {
        return running.values().stream().map(WorkerProcess::httpPort).toList();
    }

    synchronized int runningCount() {
        return running.size();
    }

    /** How many lines of the instance's log contain {@code text}. */
    long linesInLog(String logName, String text) {
        return linesInLogs(List.of(logName), text).size();
    }

    /** The lines of every instance's log that contain {@code text}. */
    synchronized List<String> linesInAllLogs(String text) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= started; i++) {
            names.add("worker-" + i);
        }
        return linesInLogs(names, text);
    }

    private List<String> linesInLogs(List<String> names, String text) {
        List<String> found = new ArrayList<>();
        for (String name : names) {
            try (var lines = Files.lines(logDirectory.resolve(name + ".log"), StandardCharsets.ISO_8859_1)) {
                lines.filter(line -> line.contains(text)).forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found;
    }

    /**
     * SIGTERM to every instance at once, then the exit codes by name. Paused instances are resumed first: a graceful
     * shutdown must also work for an instance that just came back from a pause.
     */
    synchronized Map<String, Integer> terminateAll(Duration timeout) {
        new ArrayList<>(paused.keySet()).forEach(this::resume);
        Map<String, Integer> exits = new LinkedHashMap<>();
        running.values().forEach(WorkerProcess::requestTermination);
        for (Map.Entry<String, WorkerProcess> entry : running.entrySet()) {
            exits.put(entry.getKey(), entry.getValue().awaitExit(timeout));
        }
        running.clear();
        return exits;
    }

    /** Which instances run, are paused, and where their logs are: for failure messages. */
    synchronized String describe() {
        return "running " + running.keySet() + ", paused " + paused.keySet() + ", logs in " + logDirectory;
    }

    private String describe(String name) {
        return name + " (pid " + running.get(name).pid() + ")";
    }

    private String any(Random random) {
        if (running.isEmpty()) {
            throw new IllegalStateException("no running instance to choose from: " + describe());
        }
        List<String> names = new ArrayList<>(running.keySet());
        return names.get(random.nextInt(names.size()));
    }

    /** Anything still alive is killed: a failed scenario must not leave processes behind. */
    @Override
    public synchronized void close() {
        for (WorkerProcess worker : all) {
            worker.close();
        }
    }

}
