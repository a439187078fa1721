package com.channelassignment.worker.http;

import com.channelassignment.worker.application.Answer;
import com.channelassignment.worker.application.DependencyUnavailableException;
import com.channelassignment.worker.application.ServeAssignmentCalls;
import com.channelassignment.worker.application.ServeAssignmentCalls.Answered;
import com.channelassignment.worker.application.ServeAssignmentCalls.Busy;
import com.channelassignment.worker.application.ServeAssignmentCalls.CallResult;
import com.channelassignment.worker.application.ServeAssignmentCalls.Stopping;
import com.channelassignment.worker.application.ServeAssignmentCalls.TimedOut;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.AssignmentRules;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.http.RequestBodies.BodyField;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The channel assignment HTTP API, served through the pipeline: every call becomes a request on the requests topic,
 * and its answer is that request's outcome. The rules, the idempotency record and the outcome stream are the ones
 * every other request goes through; this class only translates.
 */
@RestController
class IdentityChannelsController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final MediaType PROBLEM = MediaType.APPLICATION_PROBLEM_JSON;
    // A body may be JSON under its own name or a structured suffix; anything else is 415. Calls answer the identity
    // detail (or nothing) and problem documents; an Accept that excludes both is 406. Both before the call is sent.
    private static final String JSON = MediaType.APPLICATION_JSON_VALUE;
    private static final String SUFFIXED_JSON = "application/*+json";
    private static final String PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    private final ServeAssignmentCalls calls;
    private final Clock clock;
    private final String organizationClaim;
    private final String correlationHeader;

    IdentityChannelsController(ServeAssignmentCalls calls, Clock clock, String organizationClaim,
            String correlationHeader) {
        this.calls = calls;
        this.clock = clock;
        this.organizationClaim = organizationClaim;
        this.correlationHeader = correlationHeader;
    }

    @PostMapping(path = "/identities/{agentHandle}/mailbox", consumes = {JSON, SUFFIXED_JSON},
            produces = {JSON, PROBLEM_JSON})
    ResponseEntity<?> assignMailbox(@PathVariable String agentHandle, @RequestBody(required = false) byte[] body,
            @RequestHeader HttpHeaders headers, @AuthenticationPrincipal Jwt token) throws InterruptedException {
        return call(token, headers, agentHandle, Operation.ASSIGN, ChannelType.MAILBOX,
                RequestBodies.channelId(body, "mailbox_id"));
    }

    @DeleteMapping(path = "/identities/{agentHandle}/mailbox", produces = {JSON, PROBLEM_JSON})
    ResponseEntity<?> unassignMailbox(@PathVariable String agentHandle, @RequestHeader HttpHeaders headers,
            @AuthenticationPrincipal Jwt token) throws InterruptedException {
        return call(token, headers, agentHandle, Operation.UNASSIGN, ChannelType.MAILBOX, null);
    }

    @PostMapping(path = "/identities/{agentHandle}/phone_number", consumes = {JSON, SUFFIXED_JSON},
            produces = {JSON, PROBLEM_JSON})
    ResponseEntity<?> assignPhoneNumber(@PathVariable String agentHandle,
            @RequestBody(required = false) byte[] body, @RequestHeader HttpHeaders headers,
            @AuthenticationPrincipal Jwt token) throws InterruptedException {
        return call(token, headers, agentHandle, Operation.ASSIGN, ChannelType.PHONE_NUMBER,
                RequestBodies.channelId(body, "phone_number_id"));
    }

    @DeleteMapping(path = "/identities/{agentHandle}/phone_number", produces = {JSON, PROBLEM_JSON})
    ResponseEntity<?> unassignPhoneNumber(@PathVariable String agentHandle, @RequestHeader HttpHeaders headers,
            @AuthenticationPrincipal Jwt token) throws InterruptedException {
        return call(token, headers, agentHandle, Operation.UNASSIGN, ChannelType.PHONE_NUMBER, null);
    }

    private ResponseEntity<?> call(Jwt token, HttpHeaders headers, String agentHandle, Operation operation,
            ChannelType type, BodyField channelId) throws InterruptedException {
        String requestId = headers.getFirst(IDEMPOTENCY_KEY);
        if (requestId == null) {
            requestId = UUID.randomUUID().toString();
        } else if (!AssignmentRules.isValidRequestId(requestId)) {
            // Refused here only because an answer must be matched to its call by this very key.
            return problem(HttpStatus.valueOf(422), RejectionCode.INVALID_REQUEST.name(),
                    "%s must be 1 to %d characters, none of them NUL".formatted(IDEMPOTENCY_KEY,
                            AssignmentRules.MAX_REQUEST_ID_LENGTH), requestId);
        }
        AssignmentRequest request = new AssignmentRequest(requestId, organizationOf(token), agentHandle, operation,
                type, channelId == null ? null : channelId.value(), clock.instant(),
                headers.getFirst(correlationHeader));
        CallResult result = calls.serve(request);
        if (result instanceof Answered answered) {
            return responseOf(answered.answer(), channelId);
        }
        if (result instanceof Busy busy) {
            return retryLater("too many calls are waiting for their answers; retry later", busy.retryAfter(),
                    requestId, false);
        }
        if (result instanceof Stopping stopping) {
            // Connection: close, so the caller's retry opens a connection its load balancer gives another instance.
            return retryLater("this instance is stopping; retry with the same Idempotency-Key", stopping.retryAfter(),
                    requestId, true);
        }
        if (result instanceof TimedOut timedOut) {
            return problem(HttpStatus.GATEWAY_TIMEOUT, null, "the request was sent and its outcome did not arrive in "
                    + "time; retry with the same Idempotency-Key to read it", timedOut.requestId());
        }
        throw new IllegalStateException("unknown call result " + result);
    }

    /**
     * The request could not be sent, or the answer reader failed while the call waited: the request may or may not
     * have been applied, and a retry under the same Idempotency-Key reads its outcome either way.
     */
    @ExceptionHandler(DependencyUnavailableException.class)
    ResponseEntity<ProblemDetail> dependencyUnavailable(DependencyUnavailableException failure,
            @RequestHeader HttpHeaders headers) {
        return retryLater("the request could not be sent or its answer could not be read; retry with the same "
                + "Idempotency-Key", Duration.ofSeconds(1), headers.getFirst(IDEMPOTENCY_KEY), false);
    }

    /** A 503 with Retry-After, at least a second. */
    private static ResponseEntity<ProblemDetail> retryLater(String detail, Duration retryAfter, String requestId,
            boolean closeConnection) {
        ResponseEntity<ProblemDetail> problem = problem(HttpStatus.SERVICE_UNAVAILABLE, null, detail, requestId);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.getStatusCode())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())))
                .contentType(PROBLEM);
        if (closeConnection) {
            response.header(HttpHeaders.CONNECTION, "close");
        }
        return response.body(problem.getBody());
    }

    /**
     * The organization claim, only when it is a non-empty string: a number or a list is not stringified into an
     * organization the issuer never named, and the rules refuse the call as ORGANIZATION_MISSING.
     */
    private String organizationOf(Jwt token) {
        return token.getClaims().get(organizationClaim) instanceof String organization && !organization.isEmpty()
                ? organization : null;
    }

    private static ResponseEntity<?> responseOf(Answer answer, BodyField channelId) {
        if (answer.status() == OutcomeStatus.REJECTED) {
            return problem(statusOf(answer.rejectionCode()), answer.rejectionCode().name(),
                    detailOf(answer, channelId), answer.requestId());
        }
        if (answer.status() == OutcomeStatus.UNASSIGNED) {
            return ResponseEntity.noContent().header(IDEMPOTENCY_KEY, answer.requestId()).build();
        }
        if (answer.status() == OutcomeStatus.ASSIGNED) {
            return ResponseEntity.ok().header(IDEMPOTENCY_KEY, answer.requestId())
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(IdentityJson.of(answer.identity()));
        }
        throw new IllegalStateException("unknown outcome status " + answer.status());
    }

    /** The status a refusal is answered with: the one its code names for the HTTP API. */
    static HttpStatus statusOf(RejectionCode code) {
        return HttpStatus.valueOf(code.httpStatus());
    }

    /**
     * The refusal's message in the call's terms: the rules speak of the request's {@code channel_id}, the caller sent
     * a body with {@code mailbox_id} or {@code phone_number_id}, and only the door knows what was wrong with it. The
     * outcome event keeps the rules' message.
     */
    static String detailOf(Answer answer, BodyField channelId) {
        if (channelId == null || answer.rejectionCode() != RejectionCode.INVALID_REQUEST) {
            return answer.message();
        }
        if (AssignmentRules.CHANNEL_ID_REQUIRED.equals(answer.message())) {
            return channelId.fault() != null ? channelId.fault() : channelId.name() + " is required";
        }
        if (AssignmentRules.CHANNEL_ID_NOT_A_UUID.equals(answer.message())) {
            return channelId.name() + " must be a UUID";
        }
        return answer.message();
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String detail, String requestId) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("about:blank"));
        Map<String, Object> properties = new LinkedHashMap<>();
        if (code != null) {
            properties.put("code", code);
        }
        properties.put("request_id", requestId);
        problem.setProperties(properties);
        return ResponseEntity.status(status).contentType(PROBLEM).body(problem);
    }
}
