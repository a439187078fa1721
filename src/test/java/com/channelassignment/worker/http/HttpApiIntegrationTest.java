package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.domain.IdentityStatus;
import com.channelassignment.worker.domain.Mailbox;
import com.channelassignment.worker.domain.PhoneNumber;
import com.channelassignment.worker.kafka.consume.AssignmentRequestListener;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.RunningWorker;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.data.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.utils.ContainerTestUtils;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The seed's HTTP API over real HTTP, answered through the real broker and PostgreSQL: every documented status, the
 * identity detail, idempotent retries, and the bounds on waiting calls. Every response is also held to the OpenAPI
 * document ({@link OpenApiContract}), so the document cannot drift from what the worker answers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class HttpApiIntegrationTest {

    private static final Tokens TOKENS = Tokens.generate();
    private static final int MAX_IN_FLIGHT = 4;
    private static final int PARTITIONS = 2;
    private static final OpenApiContract CONTRACT = OpenApiContract.load();

    private static boolean pipelineAnswered;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    Environment environment;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Autowired
    JwtDecoder tokenDecoder;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        SpringWorkerHarness.ownServices(registry, "http", PARTITIONS);
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", TOKENS::publicKeyLocation);
        registry.add("channel-assignment.http.max-in-flight", () -> Integer.toString(MAX_IN_FLIGHT));
        registry.add("channel-assignment.http.answer-timeout", () -> "3s");
    }

    /**
     * A call is answered within the 3 s answer timeout only by a consumer that holds the requests' partitions: right
     * after startup, and after a test restarted the consumer, the group may still be rebalancing.
     */
    @BeforeEach
    void consumerHoldsTheRequestPartitions() throws Exception {
        ContainerTestUtils.waitForAssignment(
                listeners.getListenerContainer(AssignmentRequestListener.DEFAULT_LISTENER_ID), PARTITIONS);
        if (!pipelineAnswered) {
            // The first call also starts the producers' transactions and the first batch, which on a busy machine
            // alone can outlast the answer timeout: retried with its key until it is answered.
            Directory directory = directory();
            String key = "warm-up-" + UUID.randomUUID();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            int status;
            do {
                status = delete(directory.token(), "/identities/support-bot/mailbox", key).statusCode();
            } while (status == 504 && System.nanoTime() < deadline);
            assertThat(status).as("the pipeline answers a call").isEqualTo(204);
            pipelineAnswered = true;
        }
    }

    @Test
    void assignsAMailboxAndAnswersWithTheIdentityDetail() throws Exception {
        Directory directory = directory();

        HttpResponse<String> response = post(directory.token(), "/identities/support-bot/mailbox",
                "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        Map<String, Object> identity = json(response);
        assertThat(identity).containsEntry("id", directory.agent().id().toString())
                .containsEntry("organization_id", directory.organizationId())
                .containsEntry("agent_handle", "support-bot").containsEntry("status", "active")
                .containsKeys("created_at", "updated_at").containsEntry("phone_number", null);
        assertThat(identity.get("mailbox")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("id", directory.mailbox().id().toString())
                .containsEntry("email_address", directory.mailbox().emailAddress());
    }

    @Test
    void acceptsTheHandleWithItsLeadingAtAndUnassignsWithNoContent() throws Exception {
        Directory directory = directory();
        assertThat(post(directory.token(), "/identities/@support-bot/phone_number",
                "{\"phone_number_id\": \"" + directory.phoneNumber().id() + "\"}", null).statusCode()).isEqualTo(200);

        HttpResponse<String> released = delete(directory.token(), "/identities/@support-bot/phone_number", null);

        assertThat(released.statusCode()).isEqualTo(204);
        assertThat(released.body()).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_assignments WHERE organization_id = ?",
                Integer.class, directory.organizationId())).isZero();
    }

    @Test
    void answersEachRefusalWithItsStatusAndAProblemDocument() throws Exception {
        Directory directory = directory();
        Directory other = directory();
        post(other.token(), "/identities/support-bot/mailbox", "{\"mailbox_id\": \"" + other.mailbox().id() + "\"}",
                null);

        assertProblem(post(directory.token(), "/identities/nobody/mailbox",
                "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}", null), 404, "IDENTITY_NOT_FOUND");
        assertProblem(post(directory.token(), "/identities/support-bot/mailbox",
                "{\"mailbox_id\": \"" + UUID.randomUUID() + "\"}", null), 404, "CHANNEL_NOT_FOUND");
        assertProblem(post(directory.token(), "/identities/support-bot/mailbox",
                "{\"mailbox_id\": \"" + other.mailbox().id() + "\"}", null), 404, "CHANNEL_NOT_FOUND");
        assertProblem(post(directory.token(), "/identities/support-bot/mailbox", "{\"mailbox_id\": \"42\"}", null),
                422, "INVALID_REQUEST");
        assertProblem(post(directory.token(), "/identities/support-bot/mailbox", "", null), 422, "INVALID_REQUEST");
        assertProblem(post(directory.token(), "/identities/support-bot/mailbox", "{not json", null), 422,
                "INVALID_REQUEST");
        assertProblem(post(directory.token(), "/identities/support-bot/mailbox",
                "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}", "k".repeat(129)), 422, "INVALID_REQUEST");
        assertProblem(delete(directory.token(), "/identities/nobody/phone_number", null), 404, "IDENTITY_NOT_FOUND");
        assertProblem(post(TOKENS.withoutOrganization(), "/identities/support-bot/mailbox",
                "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}", null), 403, "ORGANIZATION_MISSING");

        // The mailbox goes to one identity; a second identity asking for it is refused with 409.
        assertThat(post(directory.token(), "/identities/support-bot/mailbox",
                "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}", null).statusCode()).isEqualTo(200);
        assertProblem(post(directory.token(), "/identities/sales-bot/mailbox",
                "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}", null), 409, "CHANNEL_ALREADY_ASSIGNED");
        assertProblem(post(directory.token(), "/identities/support-bot/mailbox",
                "{\"mailbox_id\": \"" + directory.spareMailbox().id() + "\"}", null), 409,
                "IDENTITY_CHANNEL_OCCUPIED");
    }

    @Test
    void namesTheHttpFieldAndWhatWasWrongWithTheBody() throws Exception {
        Directory directory = directory();

        assertDetail(post(directory.token(), "/identities/support-bot/mailbox", "{\"mailbox_id\": \"42\"}", null),
                "mailbox_id must be a UUID");
        assertDetail(post(directory.token(), "/identities/support-bot/mailbox", "", null),
                "a JSON object with mailbox_id is required as the body");
        assertDetail(post(directory.token(), "/identities/support-bot/mailbox", "{not json", null),
                "the body is not JSON");
        assertDetail(post(directory.token(), "/identities/support-bot/mailbox", "[\"mailbox_id\"]", null),
                "the body must be a JSON object with mailbox_id");
        assertDetail(post(directory.token(), "/identities/support-bot/mailbox", "{\"mailboxId\": \"x\"}", null),
                "mailbox_id is required");
        assertDetail(post(directory.token(), "/identities/support-bot/phone_number", "{\"phone_number_id\": 7}",
                null), "phone_number_id must be a string");
        assertDetail(post(directory.token(), "/identities/support-bot/phone_number",
                "{\"phone_number_id\": \"not-a-uuid\"}", null), "phone_number_id must be a UUID");
    }

    @Test
    void refusesAnOrganizationClaimThatIsNotANonEmptyString() throws Exception {
        Directory directory = directory();
        String body = "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}";

        for (Object claim : List.of(123, List.of(directory.organizationId()), "", Map.of("id", "x"))) {
            assertProblem(post(TOKENS.withOrganizationClaim(claim), "/identities/support-bot/mailbox", body, null),
                    403, "ORGANIZATION_MISSING");
        }
    }

    /** The default token-clock-skew, 60 s: a token expired seconds ago still passes, one expired minutes ago not. */
    @Test
    void acceptsATokenExpiredWithinTheDefaultClockSkewOnly() throws Exception {
        Directory directory = directory();

        HttpResponse<String> justExpired = delete(TOKENS.expiredFor(directory.organizationId(),
                java.time.Duration.ofSeconds(5)), "/identities/support-bot/mailbox", null);
        HttpResponse<String> longExpired = delete(TOKENS.expiredFor(directory.organizationId(),
                java.time.Duration.ofSeconds(90)), "/identities/support-bot/mailbox", null);

        assertThat(justExpired.statusCode()).as(justExpired.body()).isEqualTo(204);
        assertThat(longExpired.statusCode()).as(longExpired.body()).isEqualTo(401);
    }

    @Test
    void remembersTheTokensBootsDecoderAccepts() {
        assertThat(tokenDecoder).isInstanceOf(RememberedJwtDecoder.class);
    }

    @Test
    void refusesCallsWithoutAValidTokenAsUnauthenticated() throws Exception {
        Directory directory = directory();
        String body = "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}";

        HttpResponse<String> noToken = send(HttpRequest.newBuilder(uri("/identities/support-bot/mailbox"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json"));
        // Twice: a refused token is never remembered, so the second call is refused again.
        post(Tokens.forgedForOrganization(directory.organizationId()), "/identities/support-bot/mailbox", body, null);
        HttpResponse<String> forged = post(Tokens.forgedForOrganization(directory.organizationId()),
                "/identities/support-bot/mailbox", body, null);
        HttpResponse<String> notAJwt = delete("not-a-jwt", "/identities/support-bot/phone_number", null);

        assertThat(List.of(noToken, forged, notAJwt)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    challenge -> assertThat(challenge).startsWith("Bearer"));
            assertThat(json(response)).containsEntry("status", 401).containsKey("detail");
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM processed_requests WHERE organization_id = ?",
                Integer.class, directory.organizationId())).as("nothing reached the worker").isZero();
    }

    @Test
    void answersARetriedKeyWithTheIdenticalBodyAndAReusedKeyWithOtherContentWith422() throws Exception {
        Directory directory = directory();
        String key = "order-" + UUID.randomUUID();
        String body = "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}";

        HttpResponse<String> first = post(directory.token(), "/identities/support-bot/mailbox", body, key);
        HttpResponse<String> retry = post(directory.token(), "/identities/support-bot/mailbox", body, key);
        HttpResponse<String> otherContent = delete(directory.token(), "/identities/support-bot/mailbox", key);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertProblem(otherContent, 422, "IDEMPOTENCY_KEY_REUSED");
        assertThat(json(otherContent)).containsEntry("request_id", key);
    }

    @Test
    void answers504WhileNoConsumerAnswersAndTheRealResultToARetryOnceItIsBack(CapturedOutput output) throws Exception {
        Directory directory = directory();
        String key = "order-" + UUID.randomUUID();
        String body = "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}";
        MessageListenerContainer consumer = listeners.getListenerContainer(
                AssignmentRequestListener.DEFAULT_LISTENER_ID);
        consumer.stop();
        try {
            HttpResponse<String> waited = post(directory.token(), "/identities/support-bot/mailbox", body, key);

            assertThat(waited.statusCode()).isEqualTo(504);
            assertThat(json(waited)).containsEntry("request_id", key);
            assertThat(output.getOut().lines().filter(line -> line.contains("no outcome within")))
                    .as("the timeout is logged with the call's request_id").singleElement(as(STRING))
                    .contains("WARN [request_id=" + key + "]");
        } finally {
            consumer.start();
        }

        HttpResponse<String> retried = post(directory.token(), "/identities/support-bot/mailbox", body, key);

        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM processed_requests WHERE organization_id = ? AND "
                + "request_id = ?", Integer.class, directory.organizationId(), key)).isEqualTo(1);
    }

    @Test
    void answers503WithRetryAfterPastTheBoundOnWaitingCalls() throws Exception {
        Directory directory = directory();
        MessageListenerContainer consumer = listeners.getListenerContainer(
                AssignmentRequestListener.DEFAULT_LISTENER_ID);
        consumer.stop();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_IN_FLIGHT + 2; i++) {
                calls.add(http.sendAsync(request(directory.token(), "/identities/support-bot/mailbox", null)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"mailbox_id\": \"" + directory.mailbox().id() + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
            responses.forEach(response -> CONTRACT.assertDescribes(response.request(), response));

            assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(503, 504)
                    .filteredOn(status -> status == 503).hasSize(2);
            assertThat(responses).filteredOn(response -> response.statusCode() == 503)
                    .allSatisfy(response -> assertThat(response.headers().firstValue("Retry-After")).isPresent());
        } finally {
            consumer.start();
        }
    }

    /** One organization's directory for a test: two identities, two mailboxes and a phone number. */
    private record Directory(DirectoryFixture fixture, Identity agent, Mailbox mailbox, Mailbox spareMailbox,
            PhoneNumber phoneNumber) {

        String organizationId() {
            return fixture.organizationId();
        }

        String token() {
            return TOKENS.forOrganization(fixture.organizationId());
        }
    }

    private Directory directory() {
        DirectoryFixture fixture = new DirectoryFixture();
        Identity agent = fixture.identity("support-bot", IdentityStatus.ACTIVE);
        fixture.identity("sales-bot", IdentityStatus.ACTIVE);
        Directory directory = new Directory(fixture, agent, fixture.mailbox(), fixture.mailbox(),
                fixture.phoneNumber());
        fixture.publishTo(RunningWorker.of(environment));
        return directory;
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        Map<String, Object> problem = json(response);
        assertThat(problem).containsEntry("status", status).containsEntry("code", code)
                .containsKeys("detail", "request_id");
    }

    private static void assertDetail(HttpResponse<String> response, String detail) {
        assertProblem(response, 422, "INVALID_REQUEST");
        assertThat(json(response)).containsEntry("detail", detail);
    }

    private HttpResponse<String> post(String token, String path, String body, String idempotencyKey)
            throws IOException, InterruptedException {
        return send(request(token, path, idempotencyKey).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> delete(String token, String path, String idempotencyKey)
            throws IOException, InterruptedException {
        return send(request(token, path, idempotencyKey).DELETE());
    }

    private HttpRequest.Builder request(String token, String path, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
        return idempotencyKey == null ? request : request.header("Idempotency-Key", idempotencyKey);
    }

    /** Every response a test reads has first been held to the OpenAPI document. */
    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest built = request.build();
        HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
        CONTRACT.assertDescribes(built, response);
        return response;
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static Map<String, Object> json(HttpResponse<String> response) {
        return JsonParserFactory.getJsonParser().parseMap(response.body());
    }
}
