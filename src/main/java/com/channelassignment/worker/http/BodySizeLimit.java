package com.channelassignment.worker.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request body larger than {@code channel-assignment.http.max-body-size} with 413, before anything reads
 * it: at once when its Content-Length says so, and after at most the limit plus one byte when it comes in chunks of
 * unknown length. Nothing past that byte is read into memory.
 */
final class BodySizeLimit extends OncePerRequestFilter {

    private final int maxBytes;

    BodySizeLimit(DataSize maxBodySize) {
        this.maxBytes = (int) Math.min(Integer.MAX_VALUE - 1, maxBodySize.toBytes());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            refuse(request, response);
            return;
        }
        if (declared < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
            byte[] body = request.getInputStream().readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                refuse(request, response);
                return;
            }
            chain.doFilter(new ReadBody(request, body), response);
            return;
        }
        chain.doFilter(request, response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] problem = Problems.bytes(HttpStatus.CONTENT_TOO_LARGE.value(),
                "the request body is larger than %d bytes".formatted(maxBytes), request.getRequestURI());
        response.setStatus(HttpStatus.CONTENT_TOO_LARGE.value());
        // The rest of the body is never read: the connection cannot carry another request after it.
        response.setHeader(HttpHeaders.CONNECTION, "close");
        response.setContentType(Problems.CONTENT_TYPE);
        response.setContentLength(problem.length);
        response.getOutputStream().write(problem);
        // Sent now, so the caller reads the refusal even while it is still sending a body nobody will read.
        response.flushBuffer();
    }

    /** The request with its body already read, within the limit. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream bytes = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return bytes.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return bytes.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return bytes.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body has been read already");
                }
            };
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
