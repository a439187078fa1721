package com.channelassignment.worker.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

/**
 * Mints the bearer tokens the HTTP API accepts, for people and scripts that hold the signing key. The worker ships no
 * key: the caller passes the private key, and the worker is configured with its public half.
 */
final class BearerTokens {

    static final String SUBJECT = "channel-assignment-cli";
    private static final String PKCS8 = "PRIVATE KEY";

    private BearerTokens() {
    }

    /** A compact RS256 JWT naming the organization, valid from {@code now} for the command's ttl. */
    static String mint(CliCommand.Token command, Instant now) {
        RSAPrivateKey key = readPrivateKey(command.privateKey());
        SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder()
                .subject(SUBJECT)
                .jwtID(UUID.randomUUID().toString())
                .claim(command.organizationClaim(), command.organizationId())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(command.ttl())))
                .build());
        try {
            token.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new CliUsageException("--private-key " + command.privateKey() + " cannot sign: " + e.getMessage());
        }
        return token.serialize();
    }

    /** An unencrypted PKCS#8 PEM file, as {@code openssl genpkey} writes it. */
    static RSAPrivateKey readPrivateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file);
        } catch (IOException e) {
            throw new CliUsageException("--private-key " + file + " cannot be read: " + e);
        }
        String begin = "-----BEGIN " + PKCS8 + "-----";
        String end = "-----END " + PKCS8 + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            // Named here because "BEGIN RSA PRIVATE KEY" (PKCS#1) looks right and is what older tools write.
            throw new CliUsageException("--private-key " + file + " is not a PKCS#8 PEM private key (" + begin
                    + "); convert one with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8.pem");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
            return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new CliUsageException("--private-key " + file + " is not an RSA private key: " + e.getMessage());
        }
    }
}
