package com.channelassignment.worker.cli;

import com.channelassignment.worker.contract.WireFormat;
import com.channelassignment.worker.contract.registry.SchemaIds;
import com.channelassignment.worker.contract.registry.SchemaRegistryClient;
import com.channelassignment.worker.contract.registry.SubjectNameStrategy;
import com.channelassignment.worker.contract.registry.TrustStores;
import com.channelassignment.worker.contract.AvroContract;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The schema registry flags, one spelling for every command: {@code schemas}, and the commands that read or write
 * the Confluent wire format ({@code send}, {@code tail}, {@code directory load}). The client never registers a schema
 * on the side: {@code schemas register} does that, on purpose.
 */
final class RegistryFlags {

    static final String URL = "--registry-url";
    static final String WIRE_FORMAT = "--wire-format";
    static final Set<String> FLAGS = Set.of(URL, "--subject-name-strategy", "--basic-auth-user-info",
            "--bearer-token", "--trust-store", "--trust-store-password");

    static final String USAGE = """
              --registry-url URL         a Confluent-compatible schema registry, e.g.
                                         http://registry:8080/apis/ccompat/v7: reads Confluent-framed records
              --subject-name-strategy S  topic-record (default) or record, as the worker's
              --basic-auth-user-info U:P / --bearer-token TOKEN   the registry's credentials
              --trust-store FILE / --trust-store-password PASSWORD  for a registry signed by a private CA (PKCS12)
            """;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private RegistryFlags() {
    }

    /** The registry the flags name, or null without {@code --registry-url}. */
    static SchemaIds schemaIds(CliArguments arguments) {
        String url = arguments.text(URL, null);
        if (url == null) {
            return null;
        }
        SchemaRegistryClient client = new SchemaRegistryClient(URI.create(url), TIMEOUT, authorization(arguments),
                TrustStores.sslContext(arguments.text("--trust-store", null),
                        arguments.text("--trust-store-password", null), "PKCS12"));
        return new SchemaIds(client, strategy(arguments), false);
    }

    /** The contract the command reads with: both framings with a registry, single-object encoding without. */
    static AvroContract contract(SchemaIds registry) {
        return registry == null ? new AvroContract() : new AvroContract(registry);
    }

    /** {@code --wire-format}: {@code single-object} (default) or {@code confluent}, which needs a registry. */
    static WireFormat wireFormat(CliArguments arguments, SchemaIds registry) {
        String value = arguments.text(WIRE_FORMAT, WireFormat.SINGLE_OBJECT.settingValue());
        for (WireFormat format : WireFormat.values()) {
            if (format.settingValue().equals(value.toLowerCase(Locale.ROOT))) {
                if (format == WireFormat.CONFLUENT && registry == null) {
                    throw new CliUsageException(WIRE_FORMAT + " confluent needs " + URL);
                }
                return format;
            }
        }
        throw new CliUsageException(WIRE_FORMAT + " must be single-object or confluent, not '" + value + "'");
    }

    static SubjectNameStrategy strategy(CliArguments arguments) {
        String value = arguments.text("--subject-name-strategy", SubjectNameStrategy.TOPIC_RECORD.settingValue());
        for (SubjectNameStrategy strategy : SubjectNameStrategy.values()) {
            if (strategy.settingValue().equals(value.toLowerCase(Locale.ROOT))) {
                return strategy;
            }
        }
        throw new CliUsageException("--subject-name-strategy must be topic-record or record, not " + value);
    }

    private static String authorization(CliArguments arguments) {
        String userInfo = arguments.text("--basic-auth-user-info", null);
        String bearer = arguments.text("--bearer-token", null);
        if (userInfo != null) {
            return SchemaRegistryClient.basicAuthorization(userInfo);
        }
        return bearer == null ? null : SchemaRegistryClient.bearerAuthorization(bearer);
    }
}
