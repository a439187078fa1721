package com.channelassignment.worker.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Exit status and output of one in-process run of the client. */
record CliRun(int status, String stdout, String stderr) {

    static CliRun of(List<String> args) {
        return of(System.getenv(), args.toArray(String[]::new));
    }

    /** A run in the given environment, not the test's own. */
    static CliRun of(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ChannelAssignmentCli.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The command object the arguments name, its flags parsed and nothing run; throws on bad usage. */
    static Object parse(Map<String, String> environment, String... args) {
        CliContext context = new CliContext(System.out, System.err, new WorkerEnvironment(environment),
                Clock.systemUTC());
        ParseResult parsed = ChannelAssignmentCli.commandLine(context).parseArgs(args);
        while (parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        return parsed.commandSpec().userObject();
    }

    static CliCommand.Send send(String... args) {
        return ((SendCommand) parse(Map.of(), args)).command();
    }

    static CliCommand.Tail tail(String... args) {
        return ((TailCommand) parse(Map.of(), args)).command();
    }
}
