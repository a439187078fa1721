package com.channelassignment.worker.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet container's error page, in place of Spring Boot's: what reaches it (an exception no handler answered, a
 * {@code sendError}, or a call to the error path itself) is answered as a problem document whatever the caller
 * accepts, never with Boot's {@code timestamp}/{@code error} JSON nor its status 999.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        HttpStatus status = errorStatus(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE));
        Object path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, status.is5xxServerError()
                ? "the call failed in the server; it may be retried with the same Idempotency-Key"
                : "the call was refused: " + status.getReasonPhrase());
        problem.setType(URI.create("about:blank"));
        problem.setInstance(URI.create(path instanceof String uri ? uri : request.getRequestURI()));
        String requestId = request.getHeader(IdentityChannelsController.IDEMPOTENCY_KEY);
        if (requestId != null) {
            problem.setProperty("request_id", requestId);
        }
        return ResponseEntity.status(status).contentType(IdentityChannelsController.PROBLEM).body(problem);
    }

    /** The status the error was raised with; 500 when there is none (the error path called directly) or no error. */
    static HttpStatus errorStatus(Object statusCode) {
        HttpStatus status = statusCode instanceof Integer code ? HttpStatus.resolve(code) : null;
        return status != null && status.isError() ? status : HttpStatus.INTERNAL_SERVER_ERROR;
    }
}
