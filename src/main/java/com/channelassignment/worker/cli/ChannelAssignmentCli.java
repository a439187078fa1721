package com.channelassignment.worker.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command-line client: {@code send} produces one request and waits for its outcome, {@code tail} follows the
 * outcomes topic, {@code token} prints a bearer token for the HTTP API, {@code directory} loads and shows the
 * directory, {@code dlt} lists and replays dead letters, {@code schemas} registers and checks the schemas. One picocli
 * command tree, plain Kafka clients, no Spring context, so it starts in a moment.
 */
@Command(name = "java -jar channel-assignment-worker.jar", mixinStandardHelpOptions = true,
        versionProvider = ChannelAssignmentCli.Version.class,
        subcommands = {SendCommand.class, TailCommand.class, TokenCommand.class, DirectoryCommands.class,
                DeadLetterCli.class, SchemaCommands.class},
        description = "The channel assignment worker's client. With any other first argument the jar runs the worker.",
        footer = {"", "Each command has --help. Exit status: 0 done, 1 a Kafka, registry or database error, 2 timed "
                + "out, 3 not found or incompatible, 64 bad usage, 65 an invalid directory file (docs/cli.md)."})
public final class ChannelAssignmentCli implements Callable<Integer> {

    static final int DONE = 0;
    static final int FAILED = 1;
    static final int TIMED_OUT = 2;
    static final int BAD_USAGE = 64;

    private static final Set<String> COMMANDS = Set.of("send", "tail", "token", "directory", "dlt", "schemas");

    @Spec
    CommandSpec spec;

    /** True when the arguments ask for the client rather than for the worker. */
    public static boolean handles(String[] args) {
        return args.length > 0 && COMMANDS.contains(args[0]);
    }

    /** From a terminal: only errors of the Kafka clients are logged, on stderr, so stdout stays the outcomes. */
    public static int runFromCommandLine(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "channel-assignment-cli-logback.xml");
        }
        return run(args, System.out, System.err);
    }

    /** Runs one command and returns its exit status; outcomes go to {@code out}, everything else to {@code err}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), out, err);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, with the environment the worker's settings come from. */
    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        return commandLine(new CliContext(out, err, new WorkerEnvironment(environment), Clock.systemUTC()))
                .execute(args);
    }

    /** The command tree, writing to the context's streams, with the client's exit statuses and value types. */
    static CommandLine commandLine(CliContext context) {
        CommandLine commandLine = new CommandLine(new ChannelAssignmentCli(), context.factory());
        CliConverters.registerOn(commandLine);
        return commandLine
                .setOut(new PrintWriter(context.out(), true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(context.err(), true, StandardCharsets.UTF_8))
                .setParameterExceptionHandler((e, args) -> badUsage(e.getCommandLine(), firstMistake(e)))
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    if (e instanceof CliUsageException) {
                        return badUsage(command, e.getMessage());
                    }
                    // The schema registry, mostly: unreachable, or a schema not registered.
                    context.err().println("failed: " + e.getMessage());
                    return FAILED;
                });
    }

    /**
     * An unknown flag, when there is one, rather than the required flags missing: picocli checks the required ones
     * first, and "--organization-id is missing" is no help when it was typed as --organisation-id.
     */
    private static String firstMistake(ParameterException e) {
        List<String> unmatched = e.getCommandLine().getUnmatchedArguments();
        return e instanceof UnmatchedArgumentException || unmatched.isEmpty() ? e.getMessage()
                : new UnmatchedArgumentException(e.getCommandLine(), unmatched).getMessage();
    }

    /** The error, then the usage of the command it was given to, on stderr only: stdout stays for results. */
    private static int badUsage(CommandLine command, String message) {
        PrintWriter err = command.getErr();
        err.println("error: " + message);
        err.println();
        command.usage(err);
        err.flush();
        return BAD_USAGE;
    }

    /** Without a command: the commands there are. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "no command given: send, tail, token, directory, dlt or "
                + "schemas");
    }

    /** The jar's version, from its manifest. */
    static final class Version implements CommandLine.IVersionProvider {

        @Override
        public String[] getVersion() {
            String version = ChannelAssignmentCli.class.getPackage().getImplementationVersion();
            return new String[] {"channel-assignment-worker " + (version != null ? version : "(not run from its jar)")};
        }
    }
}
