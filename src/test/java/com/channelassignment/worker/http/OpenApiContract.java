package com.channelassignment.worker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The HTTP API's OpenAPI 3.1 document, and the check that a real response is one it describes: a documented status
 * for the operation called, its media type, its required headers, and a body valid under its schema (JSON Schema
 * 2020-12 in the OpenAPI 3.1 dialect, formats asserted). A response the document does not describe is a violation,
 * so the document and the worker cannot drift apart without a test failing.
 */
final class OpenApiContract {

    static final Path DOCUMENT = Path.of("openapi/channel-assignment-api.yaml");

    // The registry resolves $refs against this IRI and finds the document under it, so nothing is ever fetched.
    private static final String DOCUMENT_IRI = "urn:channel-assignment-api";
    /** The document's extension listing the responses to a path or method no operation describes. */
    static final String ANY_OTHER_REQUEST = "x-any-other-request";

    private final JsonNode document;
    private final SchemaRegistry schemas;

    private OpenApiContract(String yaml) {
        try {
            this.document = new YAMLMapper().readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String json = document.toString();
        this.schemas = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), registry -> registry
                .schemas(Map.of(DOCUMENT_IRI, json))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    }

    static OpenApiContract load() {
        return load(DOCUMENT);
    }

    static OpenApiContract load(Path file) {
        try {
            return new OpenApiContract(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OpenApiContract of(String yaml) {
        return new OpenApiContract(yaml);
    }

    /** Throws, listing every violation, unless the document describes this response to this request. */
    void assertDescribes(HttpRequest request, HttpResponse<String> response) {
        List<String> violations = violations(request.method(), request.uri().getRawPath(), response.statusCode(),
                response.headers(), response.body());
        if (!violations.isEmpty()) {
            throw new AssertionError("%s %s answered %d, which %s does not describe:%n  %s%nbody: %s".formatted(
                    request.method(), request.uri().getRawPath(), response.statusCode(), DOCUMENT,
                    String.join("\n  ", violations), response.body()));
        }
    }

    /** What in this response the document does not describe; empty when it describes all of it. */
    List<String> violations(String method, String path, int status, HttpHeaders headers, String body) {
        Optional<Located> operation = operation(method, path);
        // A request no operation describes is held to what the document says the worker answers any other request.
        Located responses = operation.map(described -> described.child("responses"))
                .orElseGet(() -> new Located("/" + ANY_OTHER_REQUEST, document.get(ANY_OTHER_REQUEST))
                        .child("responses"));
        if (responses.node() == null) {
            return List.of("no operation for " + method + " " + path);
        }
        if (responses.node().get(Integer.toString(status)) == null) {
            return List.of("status %d is not documented for %s (documented: %s)".formatted(status,
                    operation.isPresent() ? "this operation" : "a request no operation describes (no operation for "
                            + method + " " + path + ")", fieldNames(responses.node())));
        }
        Located documented = resolve(responses.child(Integer.toString(status)));
        List<String> violations = new ArrayList<>();
        checkHeaders(documented, headers, violations);
        checkContent(documented, headers, body, violations);
        return violations;
    }

    private Optional<Located> operation(String method, String path) {
        Located paths = new Located("/paths", document.get("paths"));
        for (Iterator<String> templates = paths.node().fieldNames(); templates.hasNext(); ) {
            String template = templates.next();
            if (matches(template, path)) {
                Located operation = paths.child(template).child(method.toLowerCase(Locale.ROOT));
                return operation.node() == null ? Optional.empty() : Optional.of(operation);
            }
        }
        return Optional.empty();
    }

    /** A path template such as {@code /identities/{agent_handle}/mailbox}: each parameter is one segment. */
    private static boolean matches(String template, String path) {
        StringBuilder regex = new StringBuilder();
        for (String part : template.split("\\{[^}/]+}", -1)) {
            if (!regex.isEmpty()) {
                regex.append("[^/]+");
            }
            regex.append(Pattern.quote(part));
        }
        return path.matches(regex.toString());
    }

    private void checkHeaders(Located response, HttpHeaders headers, List<String> violations) {
        Located declared = response.child("headers");
        if (declared.node() == null) {
            return;
        }
        for (Iterator<String> names = declared.node().fieldNames(); names.hasNext(); ) {
            String name = names.next();
            Located header = resolve(declared.child(name));
            Optional<String> value = headers.firstValue(name);
            if (value.isEmpty()) {
                if (header.node().path("required").asBoolean(false)) {
                    violations.add("required header " + name + " is missing");
                }
                continue;
            }
            Located schema = header.child("schema");
            // A header is text on the wire; its schema may call it an integer.
            JsonNode instance = schema.node().path("type").asText().equals("integer") && value.get().matches("-?\\d+")
                    ? JsonNodeFactory.instance.numberNode(Long.parseLong(value.get()))
                    : JsonNodeFactory.instance.textNode(value.get());
            validate(schema, instance, "header " + name, violations);
        }
    }

    private void checkContent(Located response, HttpHeaders headers, String body, List<String> violations) {
        Located content = response.child("content");
        if (content.node() == null) {
            if (body != null && !body.isEmpty()) {
                violations.add("a body where the document describes none");
            }
            return;
        }
        Optional<String> contentType = headers.firstValue("Content-Type")
                .map(type -> type.split(";")[0].trim().toLowerCase(Locale.ROOT));
        if (contentType.isEmpty() || content.node().get(contentType.get()) == null) {
            violations.add("Content-Type %s is not one of %s".formatted(contentType.orElse("(none)"),
                    fieldNames(content.node())));
            return;
        }
        JsonNode instance;
        try {
            instance = new JsonMapper().readTree(body == null ? "" : body);
        } catch (IOException e) {
            violations.add("the body is not JSON: " + e.getMessage());
            return;
        }
        if (instance == null || instance.isMissingNode()) {
            violations.add("no body where the document describes one");
            return;
        }
        validate(content.child(contentType.get()).child("schema"), instance, "body", violations);
    }

    private void validate(Located schema, JsonNode instance, String what, List<String> violations) {
        Schema compiled = schemas.getSchema(SchemaLocation.of(DOCUMENT_IRI + "#" + uriFragment(schema.pointer())));
        for (Error error : compiled.validate(instance.toString(), InputFormat.JSON)) {
            violations.add(what + ": " + error.getMessage());
        }
    }

    /** Follows a local {@code $ref} (a response or a header kept in components) to what it names. */
    private Located resolve(Located located) {
        JsonNode ref = located.node().get("$ref");
        if (ref == null) {
            return located;
        }
        String pointer = ref.asText();
        if (!pointer.startsWith("#/")) {
            throw new IllegalStateException("only local references are supported, not " + pointer);
        }
        return resolve(new Located(pointer.substring(1), document.at(pointer.substring(1))));
    }

    /** RFC 6901 section 6: a JSON pointer in a URI fragment is percent-encoded, keeping its slashes. */
    private static String uriFragment(String pointer) {
        return URLEncoder.encode(pointer, StandardCharsets.UTF_8).replace("%2F", "/").replace("+", "%20")
                .replace("%7E", "~");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A node of the document with its JSON pointer, so that schemas under it are compiled in place. */
    private record Located(String pointer, JsonNode node) {

        Located child(String name) {
            return new Located(pointer + "/" + name.replace("~", "~0").replace("/", "~1"),
                    node == null ? null : node.get(name));
        }
    }
}
