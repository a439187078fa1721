package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.registry.SchemaIds;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient;
import com.channelassignment.worker.contract.registry.SchemaRegistryUnavailableException;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.contract.AvroContract.SchemaText;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code schemas register} puts the worker's three schemas in a Confluent-compatible registry, under the subjects its
 * strategy names; {@code schemas check} asks the registry whether each may follow the subject's latest version, for a
 * deployment pipeline to stop on. The worker itself never registers unless told to (development only).
 */
@Command(name = "schemas", mixinStandardHelpOptions = true, subcommands = {SchemaCommands.Register.class,
        SchemaCommands.Check.class},
        description = "Register the worker's schemas in a schema registry, or check them against it.")
final class SchemaCommands implements Callable<Integer> {

    /** A schema the registry's compatibility rule refuses. */
    static final int INCOMPATIBLE = 3;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "schemas needs register or check");
    }

    /** One of the worker's schemas and the subject it goes under. */
    private record Subject(String name, SchemaText schema) {
    }

    /** The flags of both commands: the registry (its URL required) and the topics the subjects are named after. */
    static final class Flags {

        private final WorkerEnvironment environment;

        @Mixin
        RegistryFlags registry;

        @Option(names = "--topic", paramLabel = "NAME", description = "requests topic (default: "
                + "$CHANNEL_ASSIGNMENT_TOPICS_REQUESTS, else " + WorkerEnvironment.REQUESTS_TOPIC + ")")
        String topic;

        @Option(names = "--outcomes-topic", paramLabel = "NAME", description = "outcomes topic (default: "
                + "$CHANNEL_ASSIGNMENT_TOPICS_OUTCOMES, else " + WorkerEnvironment.OUTCOMES_TOPIC + ")")
        String outcomesTopic;

        Flags(CliContext context) {
            this.environment = context.environment();
        }

        /** Runs the action on the registry and the worker's subjects; a registry that fails is exit status 1. */
        int run(PrintStream err, Action action) {
            SchemaIds ids = registry.schemaIds();
            if (ids == null) {
                throw new CliUsageException(RegistryFlags.URL + " is required");
            }
            try {
                return action.run(ids.registry(), subjects(ids));
            } catch (SchemaRegistryUnavailableException | IllegalStateException e) {
                err.println("failed: " + e.getMessage());
                return ChannelAssignmentCli.FAILED;
            }
        }

        private List<Subject> subjects(SchemaIds ids) {
            String requests = topic != null ? topic : environment.requestsTopic();
            String outcomes = outcomesTopic != null ? outcomesTopic : environment.outcomesTopic();
            // Requests and directory changes go on the requests topic; outcomes on their own.
            String outcomeName = ChannelAssignmentOutcome.class.getName();
            return AvroContract.writerSchemas().stream().map(schema -> new Subject(ids.subject(
                    schema.fullName().equals(outcomeName) ? outcomes : requests, schema.fullName()), schema)).toList();
        }
    }

    /** What {@code register} and {@code check} do with the registry. */
    private interface Action {

        int run(SchemaRegistryClient registry, List<Subject> subjects);
    }

    /** {@code schemas register}. */
    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Register the request and directory-change schemas under the requests topic's subjects and "
                    + "the outcome schema under the outcomes topic's, as the worker and its producers look them up.",
            footer = {"", "Exit status: 0 done, 1 the registry failed or refused, 64 bad usage."})
    static final class Register implements Callable<Integer> {

        private final CliContext context;

        @Mixin
        Flags flags;

        Register(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            return flags.run(context.err(), (registry, subjects) -> register(registry, subjects, context.out()));
        }
    }

    /** {@code schemas check}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Ask the registry whether each schema is compatible with its subject's latest version (a "
                    + "subject with no version yet passes).",
            footer = {"", "Exit status: 0 all compatible, 1 the registry failed or refused, 3 incompatible, "
                    + "64 bad usage."})
    static final class Check implements Callable<Integer> {

        private final CliContext context;

        @Mixin
        Flags flags;

        Check(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            return flags.run(context.err(), (registry, subjects) -> check(registry, subjects, context.out()));
        }
    }

    private static int register(SchemaRegistryClient registry, List<Subject> subjects, PrintStream out) {
        for (Subject subject : subjects) {
            int id = registry.register(subject.name(), subject.schema().text()).id();
            out.printf("registered %s: id %d%n", subject.name(), id);
        }
        return ChannelAssignmentCli.DONE;
    }

    private static int check(SchemaRegistryClient registry, List<Subject> subjects, PrintStream out) {
        int status = ChannelAssignmentCli.DONE;
        for (Subject subject : subjects) {
            Optional<Boolean> compatible = registry.isCompatibleWithLatest(subject.name(),
                    subject.schema().text());
            if (compatible.isEmpty()) {
                out.printf("%s: no version yet, nothing to be compatible with%n", subject.name());
            } else if (compatible.get()) {
                out.printf("%s: compatible with the latest version%n", subject.name());
            } else {
                out.printf("%s: INCOMPATIBLE with the latest version%n", subject.name());
                status = INCOMPATIBLE;
            }
        }
        return status;
    }
}
