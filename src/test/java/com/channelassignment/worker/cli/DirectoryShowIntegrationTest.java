package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.services.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.json.JsonParserFactory;

/**
 * {@code directory show} against the database of a worker that applied directory loads and requests from a real
 * broker: what it prints is what the worker wrote.
 */
class DirectoryShowIntegrationTest extends SpringWorkerHarness {

    private static final String FIRST = "00000000-0000-4000-8000-000000000001";
    private static final String SECOND = "00000000-0000-4000-8000-000000000002";
    private static final String MAILBOX = "00000000-0000-4000-8000-0000000000a1";
    private static final String NUMBER = "00000000-0000-4000-8000-0000000000b1";
    private static final String UNKNOWN_NUMBER = "00000000-0000-4000-8000-0000000000b9";

    @TempDir
    Path files;

    @Value("${spring.datasource.url}")
    String jdbcUrl;

    @Value("${spring.datasource.username}")
    String user;

    @Value("${spring.datasource.password}")
    String password;

    private final String organization = "org-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void showsEveryIdentityWithTheHandleItsChannelsAndTheOutcomesThatNamedIt() throws IOException {
        load(FIRST, "active", null, MAILBOX);
        CliRun rejected = cli("send", "--topic", requestsTopic, "--request-id", "why-rejected", "--organization-id",
                organization, "--agent-handle", "sales-agent", "--operation", "ASSIGN", "--channel-type",
                "PHONE_NUMBER", "--channel-id", UNKNOWN_NUMBER);
        assertThat(rejected.stdout()).as(rejected.stderr()).contains("REJECTED CHANNEL_NOT_FOUND");
        // The first identity is deleted (its mailbox link ends with an outcome), and a new one takes the handle.
        load(FIRST, "deleted", SECOND, MAILBOX);

        CliRun show = show("--organization-id", organization, "--agent-handle", "@sales-agent");

        assertThat(show.status()).as(show.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        List<String> lines = show.stdout().lines().toList();
        assertThat(lines.get(0)).startsWith("identity " + SECOND + "  handle=sales-agent  status=active  version=");
        assertThat(lines.get(1)).startsWith("  MAILBOX       " + MAILBOX + "  sales@acme.example  live  version=");
        assertThat(lines.get(2)).startsWith("  PHONE_NUMBER  " + NUMBER + "  +18335794607  active  version=");
        assertThat(lines.get(3)).startsWith("identity " + FIRST + "  handle=sales-agent  status=deleted  version=");
        assertThat(lines.get(4)).isEqualTo("  no channels");
        assertThat(lines.get(5)).startsWith("latest outcomes naming it");
        assertThat(lines.subList(6, lines.size())).hasSize(5)
                .anySatisfy(line -> assertThat(line).contains("why-rejected  ASSIGN PHONE_NUMBER  REJECTED "
                        + "CHANNEL_NOT_FOUND"))
                .anySatisfy(line -> assertThat(line).contains("UNASSIGN MAILBOX  UNASSIGNED changed=true  channel="
                        + MAILBOX));
    }

    @Test
    @SuppressWarnings("unchecked")
    void printsTheIdentityItsChannelsAndOutcomesAsOneJsonObjectForScripts() throws IOException {
        load(FIRST, "active", null, MAILBOX);
        CliRun rejected = cli("send", "--topic", requestsTopic, "--request-id", "json-rejected", "--organization-id",
                organization, "--agent-handle", "sales-agent", "--operation", "ASSIGN", "--channel-type",
                "PHONE_NUMBER", "--channel-id", UNKNOWN_NUMBER);
        assertThat(rejected.stdout()).as(rejected.stderr()).contains("REJECTED CHANNEL_NOT_FOUND");

        CliRun show = show("--organization-id", organization, "--agent-handle", "@sales-agent", "--outcomes", "1",
                "--json");

        assertThat(show.status()).as(show.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
        assertThat(show.stdout().lines()).hasSize(1);
        Map<String, Object> json = JsonParserFactory.getJsonParser().parseMap(show.stdout());
        assertThat(json).containsEntry("organization_id", organization).containsEntry("agent_handle", "sales-agent");
        Map<String, Object> held = jdbc.queryForMap("""
                SELECT i.version, m.version AS mailbox_version, p.version AS phone_number_version
                  FROM identities i, mailboxes m, phone_numbers p
                 WHERE i.organization_id = ? AND i.id = ?::uuid AND m.organization_id = i.organization_id
                   AND m.id = ?::uuid AND p.organization_id = i.organization_id AND p.id = ?::uuid
                """, organization, FIRST, MAILBOX, NUMBER);
        assertThat((List<Map<String, Object>>) json.get("identities")).singleElement().satisfies(identity -> {
            assertThat(identity).containsEntry("id", FIRST).containsEntry("agent_handle", "sales-agent")
                    .containsEntry("status", "active").containsKeys("created_at", "updated_at");
            assertThat(((Number) identity.get("version")).longValue()).isEqualTo(held.get("version"));
            assertThat((Map<String, Object>) identity.get("mailbox")).containsEntry("id", MAILBOX)
                    .containsEntry("email_address", "sales@acme.example").containsEntry("deleted", false)
                    .containsKeys("updated_at", "assigned_at")
                    .satisfies(mailbox -> assertThat(((Number) mailbox.get("version")).longValue())
                            .isEqualTo(held.get("mailbox_version")));
            assertThat((Map<String, Object>) identity.get("phone_number")).containsEntry("id", NUMBER)
                    .containsEntry("number", "+18335794607").containsEntry("status", "active")
                    .containsKeys("updated_at", "assigned_at")
                    .satisfies(number -> assertThat(((Number) number.get("version")).longValue())
                            .isEqualTo(held.get("phone_number_version")));
        });
        assertThat((List<Map<String, Object>>) json.get("outcomes")).singleElement()
                .satisfies(outcome -> assertThat(outcome).containsEntry("request_id", "json-rejected")
                        .containsEntry("status", "REJECTED"));
    }

    @Test
    void aHandleNoIdentityEverHadIsNotFoundInJsonToo() {
        CliRun show = show("--organization-id", organization, "--agent-handle", "nobody", "--outcomes", "0",
                "--json");

        assertThat(show.status()).isEqualTo(DirectoryShow.NOT_FOUND);
        assertThat(show.stdout()).isEqualTo("{\"organization_id\": \"" + organization + "\", \"agent_handle\": "
                + "\"nobody\", \"identities\": [], \"outcomes\": []}" + System.lineSeparator());
    }

    @Test
    void aHandleNoIdentityEverHadIsNotFound() {
        CliRun show = show("--organization-id", organization, "--agent-handle", "nobody", "--outcomes", "0");

        assertThat(show.status()).isEqualTo(DirectoryShow.NOT_FOUND).isEqualTo(3);
        assertThat(show.stdout()).isEqualTo("no identity with handle nobody in organization " + organization
                + System.lineSeparator());
    }

    @Test
    void showsTheRejectionsOfAHandleNoIdentityHas() {
        CliRun rejected = cli("send", "--topic", requestsTopic, "--request-id", "ghost-request", "--organization-id",
                organization, "--agent-handle", "ghost", "--operation", "UNASSIGN", "--channel-type", "MAILBOX");
        assertThat(rejected.stdout()).as(rejected.stderr()).contains("REJECTED");

        CliRun show = show("--organization-id", organization, "--agent-handle", "ghost");

        assertThat(show.status()).isEqualTo(DirectoryShow.NOT_FOUND);
        List<String> lines = show.stdout().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("no identity with handle ghost in organization " + organization);
        assertThat(lines.get(2)).contains("ghost-request  UNASSIGN MAILBOX  REJECTED ");
    }

    @Test
    void aDatabaseFailureIsReportedWithItsSqlState() {
        String missingDatabase = jdbcUrl.replaceFirst("/([^/?]+)(\\?|$)", "/no_such_database_" + "$2");

        CliRun show = show("--organization-id", organization, "--agent-handle", "sales-agent", "--jdbc-url",
                missingDatabase);

        assertThat(show.status()).isEqualTo(ChannelAssignmentCli.FAILED);
        assertThat(show.stderr()).startsWith("database error (SQLSTATE 3D000)");
    }

    @Test
    void withoutAJdbcUrlItSaysWhereOneComesFrom() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = ChannelAssignmentCli.run(new String[] {"directory", "show", "--organization-id", organization,
                "--agent-handle", "sales-agent"}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("error: directory show needs --jdbc-url (or SPRING_DATASOURCE_URL)");
    }

    /** One identity with the mailbox and number; {@code second}, when given, takes the handle and both channels. */
    private void load(String first, String firstStatus, String second, String mailbox) throws IOException {
        String holder = second == null ? first : second;
        String secondIdentity = second == null ? "" : """
                , {"id": "%s", "organization_id": "%s", "agent_handle": "sales-agent"}""".formatted(second,
                organization);
        String json = """
                {
                  "identities": [{"id": "%s", "organization_id": "%s", "agent_handle": "sales-agent",
                                  "status": "%s"}%s],
                  "mailboxes": [{"id": "%s", "organization_id": "%s", "email_address": "sales@acme.example"}],
                  "phone_numbers": [{"id": "%s", "organization_id": "%s", "number": "+18335794607"}],
                  "assignments": [{"identity_id": "%s", "channel_type": "MAILBOX", "channel_id": "%s"},
                                  {"identity_id": "%s", "channel_type": "PHONE_NUMBER", "channel_id": "%s"}]
                }
                """.formatted(first, organization, firstStatus, secondIdentity, mailbox, organization, NUMBER,
                organization, holder, mailbox, holder, NUMBER);
        CliRun load = cli("directory", "load", "--file",
                Files.writeString(Files.createTempFile(files, "directory", ".json"), json).toString(),
                "--topic", requestsTopic);
        assertThat(load.status()).as(load.stderr()).isEqualTo(ChannelAssignmentCli.DONE);
    }

    /** The password comes from the environment, as it would in the worker's own container. */
    private CliRun show(String... args) {
        List<String> all = new ArrayList<>(List.of("directory", "show"));
        all.addAll(Arrays.asList(args));
        if (!all.contains("--jdbc-url")) {
            all.addAll(List.of("--jdbc-url", jdbcUrl));
        }
        all.addAll(List.of("--jdbc-user", user));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ChannelAssignmentCli.run(all.toArray(String[]::new), Map.of("SPRING_DATASOURCE_PASSWORD", password),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private CliRun cli(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--bootstrap-servers", TestServices.kafkaBootstrapServers(), "--outcomes-topic",
                outcomesTopic));
        return CliRun.of(all);
    }
}
