package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.WireFormat;
import picocli.CommandLine.Option;

/** Where the commands that produce requests ({@code send}, {@code directory load}) write, and in which wire format. */
final class RequestsFlags {

    private final WorkerEnvironment environment;

    @Option(names = "--topic", paramLabel = "NAME", description = "requests topic (default: "
            + "$CHANNEL_ASSIGNMENT_TOPICS_REQUESTS, else " + WorkerEnvironment.REQUESTS_TOPIC + ")")
    String topic;

    @Option(names = RegistryFlags.WIRE_FORMAT, paramLabel = "F", defaultValue = "single-object",
            description = RegistryFlags.WIRE_FORMAT_HELP)
    WireFormat wireFormat;

    RequestsFlags(CliContext context) {
        this.environment = context.environment();
    }

    String topic() {
        return topic != null ? topic : environment.requestsTopic();
    }

    /** The format asked for, checked against the connection's registry settings. */
    WireFormat wireFormat(CliCommand.Connection connection) {
        return RegistryFlags.wireFormat(wireFormat, connection.registry());
    }
}
