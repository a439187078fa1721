package com.channelassignment.worker.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code token}: prints a bearer token for the HTTP API. It talks to nothing, so it takes no Kafka flags. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a bearer JWT for the HTTP API, signed (RS256) with the given RSA private key.",
        footer = {"", "Exit status: 0 printed, 64 bad usage (a key it cannot read or use)."})
final class TokenCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(names = "--organization-id", required = true, paramLabel = "ID",
            description = "the organization the token names")
    String organizationId;

    @Option(names = "--private-key", required = true, paramLabel = "FILE",
            description = "PKCS#8 PEM (\"BEGIN PRIVATE KEY\"); the worker holds its public key")
    Path privateKey;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h",
            description = "how long the token is valid, e.g. 30m, 1h (default: 1h)")
    Duration ttl;

    @Option(names = "--organization-claim", paramLabel = "NAME", defaultValue = "org_id",
            description = "the claim naming the organization (default: org_id)")
    String organizationClaim;

    TokenCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        context.out().println(BearerTokens.mint(new CliCommand.Token(organizationId, privateKey, ttl,
                organizationClaim), context.clock().instant()));
        return ChannelAssignmentCli.DONE;
    }
}
