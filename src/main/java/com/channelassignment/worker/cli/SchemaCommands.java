package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.registry.SchemaIds;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient;
import com.channelassignment.worker.contract.registry.SchemaRegistryUnavailableException;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.contract.AvroContract.SchemaText;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code schemas register} puts the worker's three schemas in a Confluent-compatible registry, under the subjects its
 * strategy names; {@code schemas check} asks the registry whether each may follow the subject's latest version, for a
 * deployment pipeline to stop on. The worker itself never registers unless told to (development only).
 */
final class SchemaCommands {

    static final String COMMAND = "schemas";
    /** A schema the registry's compatibility rule refuses. */
    static final int INCOMPATIBLE = 3;

    static final String USAGE = """
            Usage:
              java -jar channel-assignment-worker.jar schemas register --registry-url URL [options]
              java -jar channel-assignment-worker.jar schemas check --registry-url URL [options]

            schemas register: register the request and directory-change schemas under the requests topic's subjects
            and the outcome schema under the outcomes topic's, as the worker and its producers look them up.
            schemas check: ask the registry whether each schema is compatible with its subject's latest version
            (a subject with no version yet passes); exit 3 when one is not.
              --topic NAME               requests topic (default: channel-assignment.requests)
              --outcomes-topic NAME      (default: channel-assignment.outcomes)
              --help
            The registry (--registry-url is required):
            """ + RegistryFlags.USAGE + """

            Exit status: 0 done, 1 the registry failed or refused, 3 incompatible, 64 bad usage.
            """;

    private static final Set<String> FLAGS = CliArguments.union(RegistryFlags.FLAGS,
            Set.of("--topic", "--outcomes-topic", "--help"));

    /** One of the worker's schemas and the subject it goes under. */
    private record Subject(String name, SchemaText schema) {
    }

    private SchemaCommands() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.isEmpty() || rest.contains("--help")) {
            (rest.isEmpty() ? err : out).print(USAGE);
            return rest.isEmpty() ? ChannelAssignmentCli.BAD_USAGE : ChannelAssignmentCli.DONE;
        }
        try {
            String action = rest.get(0);
            if (!action.equals("register") && !action.equals("check")) {
                throw new CliUsageException("unknown command 'schemas " + action + "': schemas register or check");
            }
            CliArguments arguments = new CliArguments(CliArguments.flags("schemas " + action,
                    rest.subList(1, rest.size()), FLAGS));
            SchemaIds ids = RegistryFlags.schemaIds(arguments);
            if (ids == null) {
                throw new CliUsageException(RegistryFlags.URL + " is required");
            }
            SchemaRegistryClient registry = ids.registry();
            List<Subject> subjects = subjects(arguments, ids);
            return action.equals("register") ? register(registry, subjects, out) : check(registry, subjects, out);
        } catch (CliUsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(USAGE);
            return ChannelAssignmentCli.BAD_USAGE;
        } catch (SchemaRegistryUnavailableException | IllegalStateException e) {
            err.println("failed: " + e.getMessage());
            return ChannelAssignmentCli.FAILED;
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

    private static List<Subject> subjects(CliArguments arguments, SchemaIds ids) {
        String requests = arguments.text("--topic", "channel-assignment.requests");
        String outcomes = arguments.text("--outcomes-topic", "channel-assignment.outcomes");
        // Requests and directory changes go on the requests topic; outcomes on their own.
        String outcomeName = ChannelAssignmentOutcome.class.getName();
        return AvroContract.writerSchemas().stream().map(schema -> new Subject(ids.subject(
                schema.fullName().equals(outcomeName) ? outcomes : requests, schema.fullName()), schema)).toList();
    }
}
