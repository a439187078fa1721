package com.channelassignment.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.converter.RsaKeyConverters;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** {@code token}: what it prints is a JWT that Spring's decoder accepts with the public half of the key, and only it. */
class BearerTokensTest {

    private static final Path PRIVATE_KEY = Path.of("src/test/resources/development-keys/private-key.pem");
    private static final Path PUBLIC_KEY = Path.of("src/test/resources/development-keys/public-key.pem");

    @Test
    void printsATokenForTheOrganizationThatValidatesAgainstThePublicKey() throws IOException {
        Output output = run("token", "--organization-id", "org-acme", "--private-key", PRIVATE_KEY.toString(),
                "--ttl", "30m");

        assertThat(output.status).isZero();
        assertThat(output.stderr()).isEmpty();
        Jwt jwt = NimbusJwtDecoder.withPublicKey(publicKey(PUBLIC_KEY)).build().decode(output.stdout().trim());
        assertThat(jwt.getClaimAsString("org_id")).isEqualTo("org-acme");
        assertThat(jwt.getSubject()).isEqualTo(BearerTokens.SUBJECT);
        assertThat(Duration.between(jwt.getIssuedAt(), jwt.getExpiresAt())).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void namesTheOrganizationInTheClaimItIsToldAndLastsAnHourByDefault() throws IOException {
        Output output = run("token", "--organization-id", "org-globex", "--private-key", PRIVATE_KEY.toString(),
                "--organization-claim", "tenant");

        Jwt jwt = NimbusJwtDecoder.withPublicKey(publicKey(PUBLIC_KEY)).build().decode(output.stdout().trim());
        assertThat(jwt.getClaimAsString("tenant")).isEqualTo("org-globex");
        assertThat(jwt.hasClaim("org_id")).isFalse();
        assertThat(Duration.between(jwt.getIssuedAt(), jwt.getExpiresAt())).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aTokenDoesNotValidateAgainstAnotherKey() throws Exception {
        Output output = run("token", "--organization-id", "org-acme", "--private-key", PRIVATE_KEY.toString());
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        RSAPublicKey otherKey = (RSAPublicKey) generator.generateKeyPair().getPublic();

        assertThatThrownBy(() -> NimbusJwtDecoder.withPublicKey(otherKey).build().decode(output.stdout().trim()))
                .isInstanceOf(BadJwtException.class);
    }

    @Test
    void refusesAKeyItCannotUseWithBadUsage(@TempDir Path directory) throws IOException {
        Path pkcs1 = Files.writeString(directory.resolve("pkcs1.pem"),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");

        Output wrongFormat = run("token", "--organization-id", "org-acme", "--private-key", pkcs1.toString());
        Output missing = run("token", "--organization-id", "org-acme", "--private-key",
                directory.resolve("absent.pem").toString());
        Output publicHalf = run("token", "--organization-id", "org-acme", "--private-key", PUBLIC_KEY.toString());

        assertThat(wrongFormat.status).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
        assertThat(wrongFormat.stderr()).contains("is not a PKCS#8 PEM private key", "openssl pkcs8");
        assertThat(missing.status).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
        assertThat(missing.stderr()).contains("cannot be read");
        assertThat(publicHalf.status).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
        assertThat(List.of(wrongFormat, missing, publicHalf)).allSatisfy(output ->
                assertThat(output.stdout()).isEmpty());
    }

    @Test
    void takesNoKafkaFlagsAndNeedsAnOrganizationAndAKey() {
        Output kafkaFlag = run("token", "--organization-id", "org-acme", "--private-key", "k",
                "--bootstrap-servers", "localhost:9092");
        Output missing = run("token", "--ttl", "1h");

        assertThat(kafkaFlag.status).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
        assertThat(kafkaFlag.stderr()).startsWith("error: Unknown options: '--bootstrap-servers', 'localhost:9092'");
        assertThat(missing.status).isEqualTo(ChannelAssignmentCli.BAD_USAGE);
        assertThat(missing.stderr()).startsWith("error: Missing required options: '--organization-id=ID', "
                + "'--private-key=FILE'");
        assertThat(ChannelAssignmentCli.handles(new String[] {"token"})).isTrue();
    }

    private static RSAPublicKey publicKey(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return RsaKeyConverters.x509().convert(in);
        }
    }

    private static Output run(String... args) {
        Output output = new Output();
        output.status = ChannelAssignmentCli.run(args, output.out, output.err);
        return output;
    }

    /** stdout, stderr and the exit status of one run. */
    private static final class Output {
        private final ByteArrayOutputStream stdoutBytes = new ByteArrayOutputStream();
        private final ByteArrayOutputStream stderrBytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(stdoutBytes, true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(stderrBytes, true, StandardCharsets.UTF_8);
        int status;

        String stdout() {
            return stdoutBytes.toString(StandardCharsets.UTF_8);
        }

        String stderr() {
            return stderrBytes.toString(StandardCharsets.UTF_8);
        }
    }
}
