package com.channelassignment.worker.http;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API's problem document (RFC 9457), for the answers written outside Spring MVC: the token entry point, the body
 * limit, the error page and Tomcat's own error reports. MVC's answers build the same shape as a ProblemDetail.
 */
final class Problems {

    static final String CONTENT_TYPE = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    private Problems() {
    }

    /** {@code type}, {@code title}, {@code status}, {@code detail} and {@code instance}; no {@code code}. */
    static Map<String, Object> document(int status, String detail, String instance) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("detail", detail);
        if (instance != null) {
            problem.put("instance", instance);
        }
        return problem;
    }

    static byte[] bytes(int status, String detail, String instance) {
        return JsonMapper.shared().writeValueAsBytes(document(status, detail, instance));
    }

    /** The status's reason phrase, as RFC 9457 suggests for {@code about:blank}. */
    static String title(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known != null ? known.getReasonPhrase() : "Error";
    }
}
