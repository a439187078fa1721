package com.channelassignment.worker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
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
