package com.channelassignment.worker.contract.registry;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client of the Confluent Schema Registry REST API, the API that Confluent's registry, Apicurio Registry
 * ({@code /apis/ccompat/v7}), Karapace and Redpanda serve: schemas by id, a schema's id under a subject, registration
 * and the compatibility check. Written here on the JDK's HTTP client because the one Confluent-API client, Confluent's
 * own, is not published on Maven Central, and Apicurio's speaks Apicurio's native API only (docs/design.md).
 *
 * <p>A registry that cannot be reached, answers 5xx or refuses the credentials is a dependency away:
 * {@link SchemaRegistryUnavailableException}, which the worker retries. An answer that says the schema or subject does not exist is a value, never an exception.
 */
public final class SchemaRegistryClient {

    /** What registering or checking a schema came to. */
    public record Registered(int id) {
    }

    /** A schema's text as the registry holds it, with the schemas it references, each by subject and version. */
    public record RegisteredSchema(String schema, List<Reference> references) {
    }

    /** A reference of a registered schema to another, by the name it is used under. */
    public record Reference(String name, String subject, int version) {
    }

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final JsonMapper JSON = JsonMapper.shared();

    private final URI baseUrl;
    private final HttpClient http;
    private final Duration timeout;
    private final String authorization;

    /**
     * {@code baseUrl} ends where the API's paths start ({@code .../apis/ccompat/v7} for Apicurio); {@code authorization}
     * is the whole {@code Authorization} header value, or null.
     */
    public SchemaRegistryClient(URI baseUrl, Duration timeout, String authorization, SSLContext tls) {
        String url = baseUrl.toString();
        this.baseUrl = URI.create(url.endsWith("/") ? url : url + "/");
        this.timeout = timeout;
        this.authorization = authorization;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    /** HTTP basic authentication from Confluent's {@code basic.auth.user.info} form, {@code user:password}. */
    public static String basicAuthorization(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    public static String bearerAuthorization(String token) {
        return "Bearer " + token;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** {@code GET /config}: answers when the registry does; fails as a dependency away otherwise. */
    public void ping() {
        send(get("config")).requireOk("the global configuration");
    }

    /** {@code GET /schemas/ids/{id}}: the schema registered under the id, or empty when no schema has it. */
    public Optional<RegisteredSchema> schemaById(int id) {
        Response response = send(get("schemas/ids/" + id));
        if (response.status() == 404) {
            return Optional.empty();
        }
        JsonNode body = response.requireOk("schema " + id);
        return Optional.of(new RegisteredSchema(body.path("schema").asString(), referencesOf(body)));
    }

    /** {@code GET /subjects/{subject}/versions/{version}}: a referenced schema, as its reference names it. */
    public Optional<RegisteredSchema> schemaOf(String subject, int version) {
        Response response = send(get("subjects/" + encoded(subject) + "/versions/" + version));
        if (response.status() == 404) {
            return Optional.empty();
        }
        JsonNode body = response.requireOk("subject " + subject + " version " + version);
        return Optional.of(new RegisteredSchema(body.path("schema").asString(), referencesOf(body)));
    }

    /**
     * {@code POST /subjects/{subject}}: the id of exactly this schema text under the subject, or empty when the subject
     * does not hold it. Registries match the text, so it must be what a serializer sends, Avro's
     * {@code Schema.toString()}.
     */
    public Optional<Registered> lookUp(String subject, String schema) {
        Response response = send(post("subjects/" + encoded(subject), schemaBody(schema)));
        if (response.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(new Registered(response.requireOk("subject " + subject).path("id").asInt()));
    }

    /**
     * {@code POST /subjects/{subject}/versions}: registers the schema (a new version unless the subject holds it
     * already) and returns its id. A schema the subject's compatibility rule refuses is an {@link IllegalStateException}
     * naming the registry's reason.
     */
    public Registered register(String subject, String schema) {
        Response response = send(post("subjects/" + encoded(subject) + "/versions", schemaBody(schema)));
        return new Registered(response.requireOk("registering under " + subject).path("id").asInt());
    }

    /**
     * {@code POST /compatibility/subjects/{subject}/versions/latest}: whether the schema may follow the subject's latest
     * version under the subject's compatibility rule; empty when the subject has no version yet.
     */
    public Optional<Boolean> isCompatibleWithLatest(String subject, String schema) {
        Response response = send(post("compatibility/subjects/" + encoded(subject) + "/versions/latest",
                schemaBody(schema)));
        if (response.status() == 404) {
            return Optional.empty();
        }
        if (response.status() == 409) {
            return Optional.of(false);
        }
        return Optional.of(response.requireOk("compatibility under " + subject).path("is_compatible").asBoolean());
    }

    private static List<Reference> referencesOf(JsonNode body) {
        List<Reference> references = new ArrayList<>();
        for (JsonNode reference : body.path("references")) {
            references.add(new Reference(reference.path("name").asString(), reference.path("subject").asString(),
                    reference.path("version").asInt()));
        }
        return List.copyOf(references);
    }

    private static String schemaBody(String schema) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schemaType", "AVRO");
        body.put("schema", schema);
        return JSON.writeValueAsString(body);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(timeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    private HttpRequest post(String path, String body) {
        return request(path).header("Content-Type", CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 500 || response.statusCode() == 401 || response.statusCode() == 403) {
                // The registry is there but cannot answer, or does not let the worker in: nothing a record can
                // change, so retried like any dependency that is away.
                throw new SchemaRegistryUnavailableException("the schema registry at %s answered %d to %s %s: %s"
                        .formatted(baseUrl, response.statusCode(), request.method(), request.uri().getPath(),
                                abbreviated(response.body())), null);
            }
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException("the schema registry at %s cannot be reached: %s"
                    .formatted(baseUrl, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("interrupted while calling the schema registry", e);
        }
    }

    private static String encoded(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviated(String body) {
        return body == null || body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }

    private record Response(int status, String body) {

        JsonNode requireOk(String what) {
            if (status / 100 != 2) {
                throw new IllegalStateException("the schema registry refused %s: HTTP %d %s".formatted(what, status,
                        abbreviated(body)));
            }
            try {
                return JSON.readTree(body);
            } catch (JacksonException e) {
                throw new IllegalStateException("the schema registry answered %s with no JSON: %s".formatted(what,
                        abbreviated(body)), e);
            }
        }
    }
}
