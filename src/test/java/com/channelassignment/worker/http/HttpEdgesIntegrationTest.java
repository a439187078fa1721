package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.data.Tokens;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The HTTP API's edges over real HTTP, none of which sends a request: body size, content types, unknown paths and
 * methods, the error path, Tomcat's own refusals, the protected resource metadata and token lifetimes. Every response
 * is a problem document the OpenAPI document describes ({@link OpenApiContract}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HttpEdgesIntegrationTest {

    private static final Tokens TOKENS = Tokens.generate();
    private static final OpenApiContract CONTRACT = OpenApiContract.load();
    private static final String MAILBOX = "/identities/support-bot/mailbox";
    private static final String MAILBOX_BODY = "{\"mailbox_id\": \"00000000-0000-4000-8000-00000000a101\"}";
    /** The default channel-assignment.http.max-body-size, 16KB. */
    private static final int MAX_BODY = 16 * 1024;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        SpringWorkerHarness.ownServices(registry, "http-edges", 1);
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", TOKENS::publicKeyLocation);
        registry.add("channel-assignment.http.token-clock-skew", () -> "0s");
    }

    @Test
    void refusesABodyOverTheLimitWith413ByItsContentLength() throws Exception {
        HttpResponse<String> response = send(request(MAILBOX).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonOfSize(MAX_BODY + 1))));

        assertPlainProblem(response, 413);
    }

    @Test
    void refusesAChunkedBodyThatGrowsPastTheLimitWith413() throws Exception {
        HttpResponse<String> response = send(request(MAILBOX).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(jsonOfSize(MAX_BODY + 1).getBytes(StandardCharsets.UTF_8)))));

        assertPlainProblem(response, 413);
    }

    /** Announced as 10 MB and never sent: the refusal arrives without the worker waiting for, or reading, the rest. */
    @Test
    void refusesATenMegabyteBodyWithoutReadingIt() throws Exception {
        RawResponse response = rawPost(MAILBOX, "Content-Length: " + 10 * 1024 * 1024, "{\"mailbox_id\": \"");

        assertThat(response.status()).as(response.body()).isEqualTo(413);
        assertThat(CONTRACT.violations("POST", MAILBOX, response.status(), response.headers(), response.body()))
                .isEmpty();
    }

    /** Chunks past the limit and no last chunk: the refusal comes after the limit, not at the end of the body. */
    @Test
    void refusesAChunkedBodyPastTheLimitBeforeItEnds() throws Exception {
        String chunk = "x".repeat(4096);
        StringBuilder chunks = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            chunks.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }

        RawResponse response = rawPost(MAILBOX, "Transfer-Encoding: chunked", chunks.toString());

        assertThat(response.status()).as(response.body()).isEqualTo(413);
        assertThat(CONTRACT.violations("POST", MAILBOX, response.status(), response.headers(), response.body()))
                .isEmpty();
    }

    @Test
    void refusesABodyThatIsNotJsonWith415() throws Exception {
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded")) {
            HttpResponse<String> response = send(request(MAILBOX).header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString(MAILBOX_BODY)));

            assertPlainProblem(response, 415);
        }
    }

    @Test
    void refusesACallWhoseAcceptExcludesJsonWith406() throws Exception {
        HttpResponse<String> post = send(request(MAILBOX).header("Content-Type", "application/json")
                .header("Accept", "application/xml").POST(HttpRequest.BodyPublishers.ofString(MAILBOX_BODY)));
        HttpResponse<String> delete = send(request(MAILBOX).header("Accept", "text/html").DELETE());

        assertPlainProblem(post, 406);
        assertPlainProblem(delete, 406);
    }

    @Test
    void answersAnUnknownPathAndAMethodNotServedWithProblems() throws Exception {
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(uri("/no/such/path")).GET());
        HttpResponse<String> wrongMethod = send(request(MAILBOX).PUT(HttpRequest.BodyPublishers.noBody()));

        assertPlainProblem(unknown, 404);
        assertThat(json(unknown)).containsEntry("instance", "/no/such/path");
        assertPlainProblem(wrongMethod, 405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValueSatisfying(
                allow -> assertThat(allow).contains("POST").contains("DELETE"));
    }

    @Test
    void answersTheErrorPathCalledDirectlyWith500NeverWithStatus999() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/error")).header("Accept", "text/html")
                .GET());

        assertPlainProblem(response, 500);
        assertThat(json(response)).doesNotContainKeys("timestamp", "error", "path");
    }

    @Test
    void refusesALongIdempotencyKeyWith422AndHeadersOverTheLimitWithAProblemFromTomcat() throws Exception {
        HttpResponse<String> longKey = send(request(MAILBOX).header("Idempotency-Key", "k".repeat(10_000)).DELETE());
        HttpResponse<String> hugeKey = send(request(MAILBOX).header("Idempotency-Key", "k".repeat(20_000)).DELETE());

        assertThat(longKey.statusCode()).as(longKey.body()).isEqualTo(422);
        assertThat(json(longKey)).containsEntry("code", "INVALID_REQUEST")
                .containsEntry("detail", "Idempotency-Key must be 1 to 128 characters, none of them NUL");
        assertPlainProblem(hugeKey, 400);
    }

    @Test
    void servesTheProtectedResourceMetadataTheChallengeNames() throws Exception {
        HttpResponse<String> unauthenticated = send(HttpRequest.newBuilder(uri(MAILBOX)).DELETE());
        String challenge = unauthenticated.headers().firstValue("WWW-Authenticate").orElseThrow();
        Matcher metadataUrl = Pattern.compile("resource_metadata=\"([^\"]+)\"").matcher(challenge);
        assertThat(metadataUrl.find()).as(challenge).isTrue();

        HttpResponse<String> metadata = send(HttpRequest.newBuilder(URI.create(metadataUrl.group(1))).GET());

        assertThat(metadata.statusCode()).as(metadata.body()).isEqualTo(200);
        assertThat(metadata.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(json(metadata)).containsEntry("resource", "http://localhost:" + port)
                .containsEntry("bearer_methods_supported", List.of("header"));
    }

    @Test
    void refusesATokenExpiredFiveSecondsAgoWithoutClockSkew() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(MAILBOX))
                .header("Authorization", "Bearer " + TOKENS.expiredFor("org-edges", Duration.ofSeconds(5)))
                .DELETE());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(json(response).get("detail")).asString().containsIgnoringCase("expired");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer "
                + TOKENS.forOrganization("org-edges"));
    }

    /** Every response a test reads has first been held to the OpenAPI document. */
    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest built = request.build();
        HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
        CONTRACT.assertDescribes(built, response);
        return response;
    }

    private static void assertPlainProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(response)).containsEntry("type", "about:blank").containsEntry("status", status)
                .containsKeys("title", "detail").doesNotContainKey("code");
    }

    /** A JSON object of exactly this many bytes. */
    private static String jsonOfSize(int bytes) {
        String start = "{\"mailbox_id\": \"";
        String end = "\"}";
        return start + "x".repeat(bytes - start.length() - end.length()) + end;
    }

    private record RawResponse(int status, HttpHeaders headers, String body) {
    }

    /**
     * A POST written on a socket, its body only begun, and the response read as far as its Content-Length: what
     * java.net.http cannot do, send less than it announces.
     */
    private RawResponse rawPost(String path, String framing, String bodyStart) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nAuthorization: Bearer "
                    + TOKENS.forOrganization("org-edges") + "\r\nContent-Type: application/json\r\n" + framing
                    + "\r\n\r\n" + bodyStart).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.computeIfAbsent(header.substring(0, colon).trim(), name -> new ArrayList<>())
                        .add(header.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.entrySet().stream()
                    .filter(header -> header.getKey().toLowerCase(Locale.ROOT).equals("content-length"))
                    .findFirst().orElseThrow().getValue().get(0));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return new RawResponse(Integer.parseInt(statusLine.split(" ")[1]),
                    HttpHeaders.of(headers, (name, value) -> true), body);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int next = in.read(); next != '\n'; next = in.read()) {
            if (next < 0) {
                throw new IOException("the connection closed mid-line: " + line);
            }
            if (next != '\r') {
                line.append((char) next);
            }
        }
        return line.toString();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static Map<String, Object> json(HttpResponse<String> response) {
        return JsonParserFactory.getJsonParser().parseMap(response.body());
    }
}
