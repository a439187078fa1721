package com.channelassignment.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import com.channelassignment.worker.cli.ChannelAssignmentCli;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.consume.AssignmentRequestListener;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.data.Tokens;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.test.utils.ContainerTestUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every channel type through every projection a running worker makes of it, each through its public entry point: a
 * directory file loaded with the client, an assignment over HTTP and its JSON, the link in the database, the outcome
 * on the outcomes topic, and the client's {@code directory show} and {@code tail}. A new type that one of them
 * misses fails here; {@link EveryChannelTypeTest} holds the domain, the contract and the list of files it touches.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EveryChannelTypeIntegrationTest extends SpringWorkerHarness {

    private static final Tokens TOKENS = Tokens.generate();
    private static final String HANDLE = "every-type-bot";
    /** The client's exit status for a command that did what it was asked. */
    private static final int DONE = 0;

    @TempDir
    Path files;

    @LocalServerPort
    int port;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Value("${spring.datasource.url}")
    String jdbcUrl;

    @Value("${spring.datasource.username}")
    String jdbcUser;

    @Value("${spring.datasource.password}")
    String jdbcPassword;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String organization = "org-" + UUID.randomUUID().toString().substring(0, 8);

    @DynamicPropertySource
    static void tokenKey(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", TOKENS::publicKeyLocation);
    }

    /**
     * What the test knows of a channel of each type: its list in a directory file (also its table), the field that
     * names it in an HTTP body and in {@code channel_assignments}, the entry's own fields, and the value the API
     * and {@code directory show} print beside its id. A type without a case does not compile.
     */
    private record OfType(Channel channel, String section, String idField, String ownFields, String shown) {

        static OfType of(ChannelType type, String organization) {
            return switch (type) {
                case MAILBOX -> {
                    Mailbox mailbox = DirectoryFixture.aMailbox(organization);
                    yield new OfType(mailbox, "mailboxes", "mailbox_id",
                            "\"email_address\": \"%s\"".formatted(mailbox.emailAddress()), mailbox.emailAddress());
                }
                case PHONE_NUMBER -> {
                    PhoneNumber number = DirectoryFixture.aPhoneNumber(organization);
                    yield new OfType(number, "phone_numbers", "phone_number_id", "\"number\": \"%s\", \"type\": \"%s\""
                            .formatted(number.number(), number.numberType().name().toLowerCase(Locale.ROOT)),
                            number.number());
                }
            };
        }

        String id() {
            return channel.id().toString();
        }
    }

    @ParameterizedTest
    @EnumSource(ChannelType.class)
    @SuppressWarnings("unchecked")
    void aChannelOfEveryTypeIsLoadedAssignedStoredPublishedAndShown(ChannelType type) throws Exception {
        Identity identity = DirectoryFixture.anIdentity(organization, HANDLE);
        OfType channel = OfType.of(type, organization);

        // Directory load: the identity and the channel, unlinked, through the client and the requests topic.
        CliRun load = cli("directory", "load", "--file", directoryFile(identity, channel).toString(), "--topic",
                requestsTopic, "--bootstrap-servers", TestServices.kafkaBootstrapServers(), "--outcomes-topic",
                outcomesTopic);
        assertThat(load.status()).as(load.stderr()).isEqualTo(DONE);

        // HTTP JSON: the channel is assigned under the type's path segment and shown under its field name.
        String requestId = "every-type-" + UUID.randomUUID();
        HttpResponse<String> assigned = assign(type, channel, requestId);
        assertThat(assigned.statusCode()).as(assigned.body()).isIn(200, 201);
        Map<String, Object> detail = JsonParserFactory.getJsonParser().parseMap(assigned.body());
        assertThat(detail).containsEntry("id", identity.id().toString()).containsEntry("agent_handle", HANDLE);
        assertThat(detail.get(type.fieldName())).as("%s in the API's identity detail", type).asInstanceOf(MAP)
                .containsEntry("id", channel.id()).containsValue(channel.shown());
        assertThat(otherTypes(type)).allSatisfy(other -> assertThat(detail).containsEntry(other.fieldName(), null));

        // Database: one link, of this type, to the channel's row in the type's own table.
        assertThat(jdbc.queryForList("""
                SELECT a.channel_type FROM channel_assignments a JOIN %s c
                    ON c.organization_id = a.organization_id AND c.id = a.%s
                 WHERE a.organization_id = ? AND a.identity_id = ?::uuid AND a.channel_id = ?::uuid
                """.formatted(channel.section(), channel.idField()), String.class, organization,
                identity.id().toString(), channel.id())).as("%s link in the database", type)
                .containsExactly(type.name());

        // Avro outcome: the committed outcome carries the type and the channel in the identity detail.
        ChannelAssignmentOutcome outcome = onlyOutcomeFor(requestId);
        assertThat(outcome.getChannelType().name()).isEqualTo(type.name());
        assertThat(outcome.getStatus().name()).isEqualTo("ASSIGNED");
        assertThat(outcome.getChannelId()).isEqualTo(channel.id());
        Map<ChannelType, Map<String, Object>> details = AvroContract.channelDetails(outcome.getIdentity());
        assertThat(details.get(type)).as("%s in the outcome's identity detail", type)
                .containsEntry("id", channel.id()).containsValue(channel.shown());
        assertThat(otherTypes(type)).allSatisfy(other -> assertThat(details.get(other)).isNull());

        // CLI output: directory show, as JSON and as text, lists the channel as the handle's.
        CliRun json = show("--json");
        assertThat(json.status()).as(json.stderr()).isEqualTo(DONE);
        assertThat(JsonParserFactory.getJsonParser().parseMap(json.stdout()).get("identities")).asInstanceOf(LIST)
                .singleElement().asInstanceOf(MAP).satisfies(shown -> {
                    assertThat(shown).containsEntry("id", identity.id().toString());
                    assertThat((Map<String, Object>) shown.get(type.fieldName())).as("%s in directory show --json",
                            type).containsEntry("id", channel.id()).containsValue(channel.shown())
                            .containsKey("assigned_at");
                    assertThat(otherTypes(type)).allSatisfy(other -> assertThat(shown.get(other.fieldName()))
                            .isNull());
                });
        CliRun text = show();
        assertThat(text.status()).as(text.stderr()).isEqualTo(DONE);
        assertThat(text.stdout().lines()).as("%s in directory show", type)
                .anySatisfy(line -> assertThat(line).matches("  " + type.name() + " +" + channel.id() + "  "
                        + Pattern.quote(channel.shown()) + "  .*"));

        // CLI output: tail prints the outcome with the type's name.
        CliRun tail = cli("tail", "--from-beginning", "--organization-id", organization, "--max", "1", "--timeout",
                "30s", "--bootstrap-servers", TestServices.kafkaBootstrapServers(), "--outcomes-topic",
                outcomesTopic);
        assertThat(tail.stdout()).as(tail.stderr()).contains(requestId + "  ASSIGN " + type.name()
                + "  ASSIGNED changed=true  channel=" + channel.id() + " handle=" + HANDLE);
    }

    private Path directoryFile(Identity identity, OfType channel) throws Exception {
        StringBuilder json = new StringBuilder("{\n  \"identities\": [{\"id\": \"%s\", \"organization_id\": \"%s\", "
                .formatted(identity.id(), organization) + "\"agent_handle\": \"" + HANDLE + "\"}]");
        json.append(",\n  \"%s\": [{\"id\": \"%s\", \"organization_id\": \"%s\", %s}]".formatted(channel.section(),
                channel.id(), organization, channel.ownFields()));
        return Files.writeString(Files.createTempFile(files, "directory", ".json"), json.append("\n}\n"));
    }

    /**
     * Assigns over HTTP, retried under the same Idempotency-Key while the answer outlasts the answer timeout: the
     * first call of a context also starts the consumer's first batch and the producers' transactions.
     */
    private HttpResponse<String> assign(ChannelType type, OfType channel, String requestId) throws Exception {
        ContainerTestUtils.waitForAssignment(
                listeners.getListenerContainer(AssignmentRequestListener.DEFAULT_LISTENER_ID), 3);
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/identities/" + HANDLE + "/" + type.fieldName()))
                .header("Authorization", "Bearer " + TOKENS.forOrganization(organization))
                .header("Content-Type", "application/json").header("Idempotency-Key", requestId)
                .POST(HttpRequest.BodyPublishers.ofString("{\"%s\": \"%s\"}".formatted(channel.idField(),
                        channel.id()))).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> response;
        do {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } while (response.statusCode() == 504 && System.nanoTime() < deadline);
        return response;
    }

    private static List<ChannelType> otherTypes(ChannelType type) {
        return Arrays.stream(ChannelType.values()).filter(other -> other != type).toList();
    }

    /** {@code directory show} for the handle, the password in a file as an operator would keep it. */
    private CliRun show(String... flags) throws Exception {
        Path password = Files.writeString(Files.createTempFile(files, "password", ".txt"), jdbcPassword + "\n");
        List<String> args = new ArrayList<>(List.of("directory", "show", "--organization-id", organization,
                "--agent-handle", HANDLE, "--jdbc-url", jdbcUrl, "--jdbc-user", jdbcUser, "--jdbc-password-file",
                password.toString()));
        args.addAll(Arrays.asList(flags));
        return cli(args.toArray(String[]::new));
    }

    /** One run of the client through its public entry point. */
    private static CliRun cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ChannelAssignmentCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record CliRun(int status, String stdout, String stderr) {
    }
}
