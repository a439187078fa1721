package com.channelassignment.worker.http;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Spring MVC's own refusals (no such path 404, method not allowed 405 with {@code Allow}, not acceptable 406,
 * unsupported media type 415) as the API's problem documents: {@code application/problem+json} whatever the caller
 * accepts, so a 406 can be read too, with the path called as {@code instance}.
 */
@RestControllerAdvice
class MvcProblems extends ResponseEntityExceptionHandler {

    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode status,
            WebRequest request) {
        if (body instanceof ProblemDetail problem) {
            // Left out by MVC, which takes a missing type to mean about:blank; the API states it.
            problem.setType(URI.create("about:blank"));
            if (problem.getInstance() == null && request instanceof NativeWebRequest nativeRequest
                    && nativeRequest.getNativeRequest() instanceof HttpServletRequest servletRequest) {
                problem.setInstance(URI.create(servletRequest.getRequestURI()));
            }
        }
        HttpHeaders problemHeaders = new HttpHeaders();
        problemHeaders.putAll(headers);
        problemHeaders.setContentType(IdentityChannelsController.PROBLEM);
        return new ResponseEntity<>(body, problemHeaders, status);
    }
}
