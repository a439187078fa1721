package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.registry.SchemaIds;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient;
import com.channelassignment.worker.contract.registry.SubjectNameStrategy;
import com.channelassignment.worker.contract.registry.TrustStores;
import com.channelassignment.worker.contract.AvroContract;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The schema registry flags, one spelling for every command: {@code schemas}, and the commands that read or write
 * the Confluent wire format ({@code send}, {@code tail}, {@code directory load}); a picocli mixin. The client never
 * registers a schema on the side: {@code schemas register} does that, on purpose.
 */
final class RegistryFlags {

    static final String URL = "--registry-url";
    static final String WIRE_FORMAT = "--wire-format";
    static final String WIRE_FORMAT_HELP = "single-object (default) or confluent (needs " + URL
            + ", and the schemas registered: schemas register)";

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Option(names = URL, paramLabel = "URL", description = "a Confluent-compatible schema registry, e.g. "
            + "http://registry:8080/apis/ccompat/v7: reads Confluent-framed records")
    String url;

    @Option(names = "--subject-name-strategy", paramLabel = "S", defaultValue = "topic-record",
            description = "topic-record (default) or record, as the worker's")
    SubjectNameStrategy strategy;

    @Option(names = "--basic-auth-user-info", paramLabel = "U:P", description = "the registry's credentials")
    String basicAuthUserInfo;

    @Option(names = "--bearer-token", paramLabel = "TOKEN", description = "the registry's credentials")
    String bearerToken;

    @Option(names = "--trust-store", paramLabel = "FILE",
            description = "a PKCS12 trust store, for a registry signed by a private CA")
    String trustStore;

    @Option(names = "--trust-store-password", paramLabel = "PASSWORD", description = "the trust store's password")
    String trustStorePassword;

    /** The registry the flags name, or null without {@code --registry-url}. */
    SchemaIds schemaIds() {
        if (url == null) {
            return null;
        }
        SchemaRegistryClient client = new SchemaRegistryClient(URI.create(url), TIMEOUT, authorization(),
                TrustStores.sslContext(trustStore, trustStorePassword, "PKCS12"));
        return new SchemaIds(client, strategy, false);
    }

    /** The contract the command reads with: both framings with a registry, single-object encoding without. */
    static AvroContract contract(SchemaIds registry) {
        return registry == null ? new AvroContract() : new AvroContract(registry);
    }

    /** The format to write, refused when it is {@code confluent} and no registry was named. */
    static WireFormat wireFormat(WireFormat format, SchemaIds registry) {
        if (format == WireFormat.CONFLUENT && registry == null) {
            throw new CliUsageException(WIRE_FORMAT + " confluent needs " + URL);
        }
        return format;
    }

    private String authorization() {
        if (basicAuthUserInfo != null) {
            return SchemaRegistryClient.basicAuthorization(basicAuthUserInfo);
        }
        return bearerToken == null ? null : SchemaRegistryClient.bearerAuthorization(bearerToken);
    }
}
