package com.channelassignment.worker.cli;

import com.channelassignment.worker.kafka.avro.ChannelType;
import com.channelassignment.worker.kafka.avro.Operation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Parses {@code send|tail|token --flag value ...} into a {@link CliCommand}; errors name the flag at fault. */
final class CliArguments {

    static final Set<String> COMMANDS = Set.of("send", "tail", "token", DirectoryCommands.COMMAND,
            SchemaCommands.COMMAND);

    static final String USAGE = """
            Usage:
              java -jar channel-assignment-worker.jar send --organization-id ID --agent-handle HANDLE
                  --operation ASSIGN|UNASSIGN --channel-type MAILBOX|PHONE_NUMBER [--channel-id UUID] [options]
              java -jar channel-assignment-worker.jar tail [options]
              java -jar channel-assignment-worker.jar token --organization-id ID --private-key FILE [--ttl DURATION]
              java -jar channel-assignment-worker.jar directory load --file FILE [options]   (directory --help)
              java -jar channel-assignment-worker.jar directory show --organization-id ID --agent-handle HANDLE
                  --jdbc-url URL [options]
              java -jar channel-assignment-worker.jar dlt list|replay [options]    (dlt --help for its flags)
              java -jar channel-assignment-worker.jar schemas register|check --registry-url URL   (schemas --help)

            send: produce one request keyed by its organization, then wait for its outcome and print it.
              --channel-id UUID          the mailbox or phone number; required for ASSIGN
              --request-id ID            idempotency key (default: a random UUID)
              --correlation-id ID        echoed on the outcome (default: a random UUID)
              --topic NAME               requests topic (default: channel-assignment.requests)
              --timeout DURATION         how long to wait, e.g. 500ms, 30s, 2m (default: 30s)
              --no-wait                  stop once the broker has the request
              --wire-format F            single-object (default) or confluent (needs --registry-url, and the
                                         request schema registered: schemas register)

            tail: print each committed outcome as it arrives.
              --from-beginning           start at the oldest outcome, not at the newest
              --max N                    stop after N outcomes
              --timeout DURATION         stop after this long
              --organization-id ID       only this organization's outcomes
              --request-id ID            only this request's outcomes

            send and tail:
              --bootstrap-servers HOSTS  (default: localhost:9092)
              --outcomes-topic NAME      (default: channel-assignment.outcomes)
              --command-config FILE      Kafka client properties, e.g. security.protocol and sasl.*
              --json                     one JSON object per outcome instead of a readable line
              --help
            Outcomes in either wire format are read; Confluent-framed ones need the registry:
            """ + RegistryFlags.USAGE + """

            token: print a bearer JWT for the HTTP API, signed (RS256) with the given RSA private key.
              --private-key FILE         PKCS#8 PEM ("BEGIN PRIVATE KEY"); the worker holds its public key
              --ttl DURATION             how long the token is valid, e.g. 30m, 1h (default: 1h)
              --organization-claim NAME  the claim naming the organization (default: org_id)

            Exit status: 0 done (whatever the outcome's status), 1 Kafka error, 2 timed out, 64 bad usage.
            """;

    private static final Set<String> SWITCHES = Set.of("--json", "--no-wait", "--from-beginning", "--help");
    private static final Set<String> COMMON_FLAGS = union(RegistryFlags.FLAGS, Set.of("--bootstrap-servers",
            "--outcomes-topic", "--command-config", "--json", "--help"));
    private static final Set<String> SEND_FLAGS = Set.of("--topic", "--request-id", "--organization-id",
            "--agent-handle", "--operation", "--channel-type", "--channel-id", "--correlation-id", "--timeout",
            "--no-wait", RegistryFlags.WIRE_FORMAT);
    private static final Set<String> TAIL_FLAGS = Set.of("--from-beginning", "--max", "--timeout",
            "--organization-id", "--request-id");
    // No Kafka flags: minting a token talks to nothing.
    private static final Set<String> TOKEN_FLAGS = Set.of("--organization-id", "--private-key", "--ttl",
            "--organization-claim", "--help");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private final Map<String, String> flags;

    CliArguments(Map<String, String> flags) {
        this.flags = flags;
    }

    static CliCommand parse(String... args) {
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            throw new CliUsageException(args.length == 0 ? "no command given: send, tail, token, directory or dlt"
                    : "unknown command '" + args[0] + "': send, tail, token, directory or dlt");
        }
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help")) {
            return new CliCommand.Help();
        }
        if (command.equals("token")) {
            return new CliArguments(flags(command, rest, TOKEN_FLAGS)).token();
        }
        CliArguments arguments = new CliArguments(flags(command, rest,
                union(COMMON_FLAGS, command.equals("send") ? SEND_FLAGS : TAIL_FLAGS)));
        return command.equals("send") ? arguments.send() : arguments.tail();
    }

    static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> union = new java.util.HashSet<>(first);
        union.addAll(second);
        return union;
    }

    private CliCommand.Token token() {
        List<String> missing = new ArrayList<>();
        for (String required : List.of("--organization-id", "--private-key")) {
            if (!flags.containsKey(required)) {
                missing.add(required);
            }
        }
        if (!missing.isEmpty()) {
            throw new CliUsageException("token needs " + String.join(", ", missing));
        }
        return new CliCommand.Token(text("--organization-id", null), Path.of(text("--private-key", null)),
                duration("--ttl", Duration.ofHours(1)), text("--organization-claim", "org_id"));
    }

    private CliCommand.Send send() {
        List<String> missing = new ArrayList<>();
        for (String required : List.of("--organization-id", "--agent-handle", "--operation", "--channel-type")) {
            if (!flags.containsKey(required)) {
                missing.add(required);
            }
        }
        if (!missing.isEmpty()) {
            throw new CliUsageException("send needs " + String.join(", ", missing));
        }
        CliCommand.Connection connection = connection();
        return new CliCommand.Send(connection, RegistryFlags.wireFormat(this, connection.registry()),
                text("--topic", "channel-assignment.requests"),
                text("--request-id", UUID.randomUUID().toString()), text("--organization-id", null),
                text("--agent-handle", null), choice("--operation", Operation.class),
                choice("--channel-type", ChannelType.class), text("--channel-id", null),
                text("--correlation-id", UUID.randomUUID().toString()), duration("--timeout", Duration.ofSeconds(30)),
                !flags.containsKey("--no-wait"));
    }

    private CliCommand.Tail tail() {
        return new CliCommand.Tail(connection(), flags.containsKey("--from-beginning"), count("--max"),
                duration("--timeout", null), text("--organization-id", null), text("--request-id", null));
    }

    /** Whether the switch (a flag without a value, such as {@code --json}) was given. */
    boolean has(String flag) {
        return flags.containsKey(flag);
    }

    CliCommand.Connection connection() {
        String commandConfig = text("--command-config", null);
        return new CliCommand.Connection(text("--bootstrap-servers", "localhost:9092"),
                text("--outcomes-topic", "channel-assignment.outcomes"),
                commandConfig == null ? null : Path.of(commandConfig), flags.containsKey("--json"),
                RegistryFlags.schemaIds(this));
    }

    /** {@code --flag value}, {@code --flag=value}, or a bare switch; each flag at most once. */
    static Map<String, String> flags(String command, List<String> args, Set<String> allowed) {
        return flags(command, args, allowed, SWITCHES);
    }

    /** As {@link #flags(String, List, Set)}, with a command's own set of switches (flags that take no value). */
    static Map<String, String> flags(String command, List<String> args, Set<String> allowed, Set<String> switches) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new CliUsageException("unexpected argument '" + arg + "': flags start with --");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            String value = equals < 0 ? null : arg.substring(equals + 1);
            if (!allowed.contains(name)) {
                throw new CliUsageException("unknown flag " + name + " for " + command);
            }
            if (switches.contains(name)) {
                if (value != null) {
                    throw new CliUsageException(name + " takes no value");
                }
                value = "";
            } else if (value == null) {
                if (i + 1 == args.size() || args.get(i + 1).startsWith("--")) {
                    throw new CliUsageException(name + " needs a value");
                }
                value = args.get(++i);
            }
            if (flags.put(name, value) != null) {
                throw new CliUsageException(name + " is given twice");
            }
        }
        return flags;
    }

    String text(String flag, String fallback) {
        String value = flags.get(flag);
        if (value == null) {
            return fallback;
        }
        if (value.isBlank()) {
            throw new CliUsageException(flag + " must not be blank");
        }
        return value;
    }

    private <E extends Enum<E>> E choice(String flag, Class<E> type) {
        String value = flags.get(flag);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value.toUpperCase(Locale.ROOT).replace('-', '_'))) {
                return constant;
            }
        }
        throw new CliUsageException("%s must be %s, not '%s'".formatted(flag,
                Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(" or ")), value));
    }

    Duration duration(String flag, Duration fallback) {
        String value = flags.get(flag);
        if (value == null) {
            return fallback;
        }
        Matcher matcher = DURATION.matcher(value);
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw new CliUsageException(flag + " must be a positive duration like 500ms, 30s, 2m or 1h, not '"
                    + value + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> throw new IllegalStateException("the pattern allows no unit " + matcher.group(2));
        };
    }

    private Integer count(String flag) {
        String value = flags.get(flag);
        if (value == null) {
            return null;
        }
        try {
            int count = Integer.parseInt(value);
            if (count > 0) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below, with the flag's name
        }
        throw new CliUsageException(flag + " must be a positive whole number, not '" + value + "'");
    }
}
