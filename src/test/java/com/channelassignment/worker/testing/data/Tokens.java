package com.channelassignment.worker.testing.data;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * A signing key made for one test run, and bearer tokens signed with it: the worker is given only the public key, as
 * {@code spring.security.oauth2.resourceserver.jwt.public-key-location}.
 */
public final class Tokens {

    private final KeyPair keys;
    private final Path publicKey;

    private Tokens(KeyPair keys, Path publicKey) {
        this.keys = keys;
        this.publicKey = publicKey;
    }

    public static Tokens generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair keys = generator.generateKeyPair();
            Path publicKey = Files.createTempFile("channel-assignment-test-key", ".pem");
            publicKey.toFile().deleteOnExit();
            Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
            return new Tokens(keys, publicKey);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform ships RSA", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** For {@code spring.security.oauth2.resourceserver.jwt.public-key-location}. */
    public String publicKeyLocation() {
        return "file:" + publicKey.toAbsolutePath();
    }

    /** A token for the organization, valid for ten minutes. */
    public String forOrganization(String organizationId) {
        return sign(new JWTClaimsSet.Builder().subject("test-caller").claim("org_id", organizationId));
    }

    /** A valid token whose organization claim is this value, as it is: a number or a list stays one. */
    public String withOrganizationClaim(Object value) {
        return sign(new JWTClaimsSet.Builder().subject("test-caller").claim("org_id", value));
    }

    /** A token for the organization that expired this long ago (and was valid for ten minutes before). */
    public String expiredFor(String organizationId, Duration ago) {
        Instant expiry = Instant.now().minus(ago);
        return sign(new JWTClaimsSet.Builder().subject("test-caller").claim("org_id", organizationId)
                .issueTime(Date.from(expiry.minus(Duration.ofMinutes(10)))).expirationTime(Date.from(expiry)));
    }

    /** A valid token carrying these OAuth2 scopes (the {@code scope} claim, space-separated) and no organization. */
    public String withScopes(String... scopes) {
        return sign(new JWTClaimsSet.Builder().subject("test-operator").claim("scope", String.join(" ", scopes)));
    }

    /** A valid token that names no organization. */
    public String withoutOrganization() {
        return sign(new JWTClaimsSet.Builder().subject("test-caller"));
    }

    /** A token for the organization signed with a key the worker does not know. */
    public static String forgedForOrganization(String organizationId) {
        return generate().forOrganization(organizationId);
    }

    private String sign(JWTClaimsSet.Builder claims) {
        Instant now = Instant.now();
        JWTClaimsSet set = claims.build();
        if (set.getExpirationTime() == null) {
            set = new JWTClaimsSet.Builder(set).issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(Duration.ofMinutes(10)))).build();
        }
        SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), set);
        try {
            token.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return token.serialize();
    }
}
