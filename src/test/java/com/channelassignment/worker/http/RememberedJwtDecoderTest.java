package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

class RememberedJwtDecoderTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    private final List<String> decided = new ArrayList<>();
    private Instant now = NOW;
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    /** Accepts "valid-*" tokens expiring in ten minutes, "eternal-*" tokens without exp; refuses everything else. */
    private final JwtDecoder delegate = token -> {
        decided.add(token);
        if (token.startsWith("valid-")) {
            return jwt(token, NOW.plus(Duration.ofMinutes(10)));
        }
        if (token.startsWith("eternal-")) {
            return jwt(token, null);
        }
        throw new BadJwtException("refused " + token);
    };

    @Test
    void checksAnAcceptedTokenOnceUntilItExpires() {
        RememberedJwtDecoder decoder = new RememberedJwtDecoder(delegate, clock, 10);

        Jwt first = decoder.decode("valid-a");
        Jwt second = decoder.decode("valid-a");

        assertThat(second).isSameAs(first);
        assertThat(decided).containsExactly("valid-a");
    }

    @Test
    void asksTheDelegateAgainOnceTheTokenHasExpired() {
        RememberedJwtDecoder decoder = new RememberedJwtDecoder(delegate, clock, 10);
        decoder.decode("valid-a");

        now = NOW.plus(Duration.ofMinutes(10));
        decoder.decode("valid-a");

        assertThat(decided).containsExactly("valid-a", "valid-a");
    }

    @Test
    void neverRemembersARefusedToken() {
        RememberedJwtDecoder decoder = new RememberedJwtDecoder(delegate, clock, 10);

        assertThatThrownBy(() -> decoder.decode("forged")).isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> decoder.decode("forged")).isInstanceOf(BadJwtException.class);

        assertThat(decided).containsExactly("forged", "forged");
    }

    @Test
    void neverRemembersATokenWithoutExpiry() {
        RememberedJwtDecoder decoder = new RememberedJwtDecoder(delegate, clock, 10);

        decoder.decode("eternal-a");
        decoder.decode("eternal-a");

        assertThat(decided).containsExactly("eternal-a", "eternal-a");
    }

    @Test
    void startsAgainEmptyWhenFull() {
        RememberedJwtDecoder decoder = new RememberedJwtDecoder(delegate, clock, 2);
        decoder.decode("valid-a");
        decoder.decode("valid-b");

        decoder.decode("valid-c");
        decoder.decode("valid-c");
        decoder.decode("valid-a");

        assertThat(decided).containsExactly("valid-a", "valid-b", "valid-c", "valid-a");
    }

    private static Jwt jwt(String token, Instant expiresAt) {
        Jwt.Builder builder = Jwt.withTokenValue(token).header("alg", "RS256").claim("org_id", "org-1")
                .issuedAt(NOW.minusSeconds(1));
        if (expiresAt != null) {
            builder.expiresAt(expiresAt);
        }
        return builder.build();
    }
}
