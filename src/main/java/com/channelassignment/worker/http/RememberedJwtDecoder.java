package com.channelassignment.worker.http;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Remembers the tokens its delegate accepted, until each one's {@code exp}, so a caller that sends the same bearer
 * token on every call pays for parsing and the signature check once. A remembered token is decided again by the
 * delegate once it has expired; a token the delegate refused, or one without an {@code exp}, is never remembered.
 *
 * <p>What this gives up: a token signed by a key that has since been withdrawn from the JWK set keeps being accepted
 * until it expires, as it would by a gateway in front of the API that checks tokens once per connection.
 */
final class RememberedJwtDecoder implements JwtDecoder {

    private final JwtDecoder delegate;
    private final Clock clock;
    private final int capacity;
    private final Map<String, Jwt> accepted = new ConcurrentHashMap<>();

    RememberedJwtDecoder(JwtDecoder delegate, Clock clock, int capacity) {
        this.delegate = delegate;
        this.clock = clock;
        this.capacity = capacity;
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        Jwt remembered = accepted.get(token);
        if (remembered != null && isCurrent(remembered, clock.instant())) {
            return remembered;
        }
        Jwt decided = delegate.decode(token);
        if (isCurrent(decided, clock.instant())) {
            // Bounded the simplest way: a full memory starts again empty, and the tokens in use come back at once.
            if (accepted.size() >= capacity) {
                accepted.clear();
            }
            accepted.put(token, decided);
        } else {
            accepted.remove(token);
        }
        return decided;
    }

    private static boolean isCurrent(Jwt jwt, Instant now) {
        return jwt.getExpiresAt() != null && now.isBefore(jwt.getExpiresAt())
                && (jwt.getNotBefore() == null || !now.isBefore(jwt.getNotBefore()));
    }
}
