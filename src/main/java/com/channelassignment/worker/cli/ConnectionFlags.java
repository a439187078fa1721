package com.channelassignment.worker.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The flags of the commands that read outcomes ({@code send}, {@code tail}, {@code directory load}); a picocli mixin. */
final class ConnectionFlags {

    private final WorkerEnvironment environment;

    @Mixin
    KafkaClients.Options kafka;

    @Mixin
    RegistryFlags registry;

    @Option(names = "--outcomes-topic", paramLabel = "NAME",
            description = "outcomes topic (default: $CHANNEL_ASSIGNMENT_TOPICS_OUTCOMES, else "
                    + WorkerEnvironment.OUTCOMES_TOPIC + ")")
    String outcomesTopic;

    @Option(names = "--json", description = "one JSON object per outcome instead of a readable line")
    boolean json;

    ConnectionFlags(CliContext context) {
        this.environment = context.environment();
    }

    CliCommand.Connection connection() {
        return new CliCommand.Connection(kafka.clients(),
                outcomesTopic != null ? outcomesTopic : environment.outcomesTopic(), json, registry.schemaIds());
    }
}
