package com.channelassignment.worker.cli;

import java.io.PrintStream;
import java.time.Clock;
import picocli.CommandLine;

/**
 * What one run of the client gives its commands: where outcomes go ({@code out}) and everything else ({@code err}),
 * the environment it takes the worker's settings from, and the clock.
 */
record CliContext(PrintStream out, PrintStream err, WorkerEnvironment environment, Clock clock) {

    /**
     * Makes the commands, mixins and converters picocli asks for: those with a {@code CliContext} constructor get this
     * one, the others picocli's default.
     */
    CommandLine.IFactory factory() {
        return new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                try {
                    var constructor = type.getDeclaredConstructor(CliContext.class);
                    constructor.setAccessible(true);
                    return constructor.newInstance(CliContext.this);
                } catch (NoSuchMethodException e) {
                    return CommandLine.defaultFactory().create(type);
                }
            }
        };
    }
}
