package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checker HttpApiIntegrationTest holds real responses to: it must accept what the document describes and name
 * every kind of drift, or a green integration test would prove nothing.
 */
class OpenApiContractTest {

    private static final OpenApiContract CONTRACT = OpenApiContract.load();
    private static final String MAILBOX = "/identities/sales-agent/mailbox";
    private static final String PHONE_NUMBER = "/identities/@sales-agent/phone_number";
    private static final String IDENTITY = """
            {"id": "00000000-0000-4000-8000-000000000101", "organization_id": "org-acme",
             "agent_handle": "sales-agent", "status": "active",
             "created_at": "2026-11-27T02:29:57.556Z", "updated_at": "2026-11-27T02:30:15.138Z",
             "mailbox": {"id": "00000000-0000-4000-8000-00000000a101", "email_address": "sales@acme.example",
                         "display_name": null, "created_at": "2026-11-27T02:29:57.556Z",
                         "updated_at": "2026-11-27T02:29:57.556Z"},
             "phone_number": null}""";
    private static final String NOT_FOUND = """
            {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no identity 'nobody'",
             "instance": "/identities/nobody/mailbox", "code": "IDENTITY_NOT_FOUND", "request_id": "r-1"}""";

    @Test
    void acceptsEachDocumentedKindOfResponse() {
        assertThat(CONTRACT.violations("POST", MAILBOX, 200, headers("Content-Type", "application/json",
                "Idempotency-Key", "r-1"), IDENTITY)).isEmpty();
        assertThat(CONTRACT.violations("DELETE", PHONE_NUMBER, 204, headers("Idempotency-Key", "r-1"), ""))
                .isEmpty();
        assertThat(CONTRACT.violations("POST", MAILBOX, 404, problemHeaders(), NOT_FOUND)).isEmpty();
        assertThat(CONTRACT.violations("DELETE", MAILBOX, 503, headers("Content-Type", "application/problem+json",
                "Retry-After", "1"), """
                {"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": "busy",
                 "request_id": "r-1"}""")).isEmpty();
    }

    @Test
    void namesAStatusTheOperationDoesNotDocument() {
        assertThat(CONTRACT.violations("DELETE", MAILBOX, 409, problemHeaders(), NOT_FOUND.replace("404", "409")))
                .singleElement().asString().contains("status 409 is not documented");
        assertThat(CONTRACT.violations("PUT", MAILBOX, 200, headers(), IDENTITY)).singleElement().asString()
                .contains("status 200 is not documented").contains("no operation for PUT");
        assertThat(CONTRACT.violations("GET", "/nowhere", 404, problemHeaders(), """
                {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "no such path",
                 "instance": "/nowhere"}""")).isEmpty();
        assertThat(CONTRACT.violations("GET", "/nowhere", 404, problemHeaders(), NOT_FOUND))
                .as("a refusal by the HTTP layer has no rejection code").isNotEmpty();
        assertThat(CONTRACT.violations("PUT", MAILBOX, 405, problemHeaders(), """
                {"type": "about:blank", "title": "Method Not Allowed", "status": 405, "detail": "no PUT"}"""))
                .singleElement().asString().contains("Allow");
    }

    @Test
    void namesAMissingOrUndocumentedFieldOfTheIdentityDetail() {
        assertThat(CONTRACT.violations("POST", MAILBOX, 200, headers("Content-Type", "application/json",
                "Idempotency-Key", "r-1"), IDENTITY.replace("\"status\": \"active\",", ""))).isNotEmpty();
        assertThat(CONTRACT.violations("POST", MAILBOX, 200, headers("Content-Type", "application/json",
                "Idempotency-Key", "r-1"), IDENTITY.replace("\"agent_handle\"", "\"agentHandle\""))).isNotEmpty();
        assertThat(CONTRACT.violations("POST", MAILBOX, 200, headers("Content-Type", "application/json",
                "Idempotency-Key", "r-1"), IDENTITY.replace("\"status\": \"active\"", "\"status\": \"deleted\"")))
                .isNotEmpty();
        assertThat(CONTRACT.violations("POST", MAILBOX, 200, headers("Content-Type", "application/json",
                "Idempotency-Key", "r-1"), IDENTITY.replace("2026-11-27T02:30:15.138Z", "yesterday")))
                .as("formats are asserted").isNotEmpty();
    }

    @Test
    void namesARefusalThatIsNotAProblemDocumentOfItsStatus() {
        assertThat(CONTRACT.violations("POST", MAILBOX, 404, headers("Content-Type", "application/json"),
                NOT_FOUND)).singleElement().asString().contains("Content-Type application/json");
        assertThat(CONTRACT.violations("POST", MAILBOX, 404, problemHeaders(),
                NOT_FOUND.replace("\"status\": 404", "\"status\": 409"))).isNotEmpty();
        assertThat(CONTRACT.violations("POST", MAILBOX, 404, problemHeaders(),
                NOT_FOUND.replace("IDENTITY_NOT_FOUND", "CHANNEL_ALREADY_ASSIGNED"))).isNotEmpty();
        assertThat(CONTRACT.violations("POST", MAILBOX, 404, problemHeaders(),
                NOT_FOUND.replace(", \"request_id\": \"r-1\"", ""))).isNotEmpty();
    }

    @Test
    void namesAMissingRequiredHeaderAndABodyWhereNoneIsDocumented() {
        assertThat(CONTRACT.violations("POST", MAILBOX, 503, problemHeaders(), """
                {"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": "busy",
                 "request_id": "r-1"}""")).singleElement().asString().contains("Retry-After");
        assertThat(CONTRACT.violations("DELETE", MAILBOX, 204, headers("Idempotency-Key", "r-1"), "{}"))
                .singleElement().asString().contains("a body where the document describes none");
    }

    private static HttpHeaders problemHeaders() {
        return headers("Content-Type", "application/problem+json");
    }

    private static HttpHeaders headers(String... namesAndValues) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], List.of(namesAndValues[i + 1]));
        }
        return HttpHeaders.of(headers, (name, value) -> true);
    }
}
