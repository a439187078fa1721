package com.channelassignment.worker.http;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's own error report as a problem document instead of its HTML page: for what Tomcat refuses before any
 * servlet runs, such as a request header over {@code server.max-http-request-header-size} (400). Set as the host's
 * error report valve; Spring's error page answers everything that reaches the application.
 */
public final class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable failure) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        String problem = JsonMapper.shared().writeValueAsString(Problems.document(status, status >= 500
                ? "the server failed to read the request"
                : "the request could not be read: a malformed request line or header, or headers over the size "
                        + "limit", request.getRequestURI()));
        try {
            response.setContentType(Problems.CONTENT_TYPE);
            response.setCharacterEncoding("utf-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(problem);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException unwritable) {
            // The connection is gone or the response was committed meanwhile: there is nobody left to tell.
        }
    }
}
