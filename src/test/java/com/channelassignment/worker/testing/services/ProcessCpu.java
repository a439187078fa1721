package com.channelassignment.worker.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** User plus system CPU time of OS processes, read from /proc, for the benchmark's figures and the fault suite. */
public final class ProcessCpu {

    // USER_HZ: 100 on every Linux architecture the JDK runs on.
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    public static Duration of(long pid) {
        return Duration.ofMillis(ticks(Path.of("/proc", Long.toString(pid))) * 1000 / CLOCK_TICKS_PER_SECOND);
    }

    /**
     * User plus system CPU time so far of the threads of process {@code pid} whose name starts with
     * {@code threadNamePrefix} (as /proc shows it: the first 15 characters).
     */
    public static Duration ofThreads(long pid, String threadNamePrefix) {
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).startsWith(threadNamePrefix)) {
                        ticks += ticks(task);
                    }
                } catch (NoSuchFileException | UncheckedIOException exited) {
                    // The thread ended between listing and reading: it no longer counts.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND);
    }

    /**
     * User plus system CPU time so far of each group of threads of process {@code pid}, by thread name as /proc
     * shows it (the first 15 characters) without its trailing digits: "http-nio-127.0.", "kafka-producer-", ...
     */
    public static Map<String, Duration> byThreadName(long pid) {
        Map<String, Long> ticks = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[#\\-]?[0-9]+$", "");
                    ticks.merge(name, ticks(task), Long::sum);
                } catch (NoSuchFileException | UncheckedIOException exited) {
                    // The thread ended between listing and reading: it no longer counts.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Duration> cpu = new TreeMap<>();
        ticks.forEach((name, count) -> cpu.put(name, Duration.ofMillis(count * 1000 / CLOCK_TICKS_PER_SECOND)));
        return cpu;
    }

    /**
     * Summed over every live process whose command name is {@code command}, e.g. all PostgreSQL backends. A process
     * that exits takes its time with it, so compare readings across a span in which the measured ones stay alive.
     */
    public static Duration ofCommand(String command) {
        long ticks = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes.filter(ProcessCpu::isProcess)::iterator) {
                try {
                    if (Files.readString(process.resolve("comm")).trim().equals(command)) {
                        ticks += ticks(process);
                    }
                } catch (NoSuchFileException | UncheckedIOException exited) {
                    // Gone between listing and reading: it no longer counts.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND);
    }

    /**
     * Summed over the live PostgreSQL backends connected to {@code database}, told apart by the process title
     * PostgreSQL sets ({@code postgres: [cluster: ]user database host(port) state}): the server's other sessions,
     * such as other builds' tests on a shared machine, do not count. Shared processes (WAL writer, checkpointer) do not
     * either.
     */
    public static Duration ofDatabaseBackends(String database) {
        long ticks = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes.filter(ProcessCpu::isProcess)::iterator) {
                try {
                    if (Files.readString(process.resolve("comm")).trim().equals("postgres")
                            && servesDatabase(Files.readAllBytes(process.resolve("cmdline")), database)) {
                        ticks += ticks(process);
                    }
                } catch (NoSuchFileException | UncheckedIOException exited) {
                    // Gone between listing and reading: it no longer counts.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND);
    }

    static boolean servesDatabase(byte[] commandLine, String database) {
        String title = new String(commandLine, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        if (!title.startsWith("postgres: ")) {
            return false;
        }
        String[] words = title.substring("postgres: ".length()).split("\\s+");
        // With a cluster name ("15/main:") the user and database follow it.
        int first = words.length > 0 && words[0].endsWith(":") ? 1 : 0;
        return words.length > first + 1 && words[first + 1].equals(database);
    }

    private static boolean isProcess(Path path) {
        return path.getFileName().toString().chars().allMatch(Character::isDigit);
    }

    private static long ticks(Path process) {
        try {
            String stat = Files.readString(process.resolve("stat"));
            // The command name may contain spaces, so fields are counted after its closing bracket.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
