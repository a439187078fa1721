package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.channelassignment.worker.domain.Channel;
import com.channelassignment.worker.domain.Identity;
import com.channelassignment.worker.kafka.consume.AssignmentRequestListener;
import com.channelassignment.worker.testing.data.DirectoryFixture;
import com.channelassignment.worker.testing.services.RunningWorker;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import com.channelassignment.worker.testing.data.Tokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.test.utils.ContainerTestUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every spelling of a call that the rules accept gets its answer, and a retry under the same key in another spelling
 * reads the same one: channel ids in any mix of upper and lower case, the handle with or without its {@code @}, handles
 * and keys with inner spaces and non-ASCII letters. Generated calls over real HTTP, through the real broker and
 * PostgreSQL; a call whose outcome the answer reader fails to match is a 504 after the answer timeout.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CallSpellingsIntegrationTest {

    private static final Tokens TOKENS = Tokens.generate();
    private static final int PARTITIONS = 2;
    private static final List<String> HANDLES = List.of("support-bot", "night shift", "élan-agent");
    private static final List<String> KEY_STYLES = List.of("none", "plain", "inner spaces", "non-ascii");

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    Environment environment;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        SpringWorkerHarness.ownServices(registry, "spellings", PARTITIONS);
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", TOKENS::publicKeyLocation);
        registry.add("channel-assignment.http.answer-timeout", () -> "5s");
    }

    /** One identity per handle, each with a mailbox and a phone number of its own. */
    private record Agent(String handle, Channel mailbox, Channel phoneNumber) {
    }

    /** A call as one caller spells it. */
    private record Spelling(int agent, boolean mailbox, boolean assign, boolean at, long idCase, int keyStyle) {
    }

    @Test
    void answersEveryAcceptedSpellingOfACallAndItsRetryInAnotherSpelling() throws Exception {
        ContainerTestUtils.waitForAssignment(
                listeners.getListenerContainer(AssignmentRequestListener.DEFAULT_LISTENER_ID), PARTITIONS);
        DirectoryFixture fixture = new DirectoryFixture();
        List<Agent> agents = HANDLES.stream().map(handle -> {
            Identity identity = fixture.identity(handle);
            Channel mailbox = fixture.mailbox();
            Channel phoneNumber = fixture.phoneNumber();
            return new Agent(identity.agentHandle(), mailbox, phoneNumber);
        }).toList();
        fixture.publishTo(RunningWorker.of(environment));
        String token = TOKENS.forOrganization(fixture.organizationId());
        awaitFirstAnswer(token, agents.get(0));

        Gen<Spelling> spellings = integers().between(0, agents.size() - 1)
                .zip(booleans().all(), booleans().all(), (agent, mailbox, assign) -> new int[] {
                    agent, mailbox ? 1 : 0, assign ? 1 : 0})
                .zip(booleans().all(), longs().all(), integers().between(0, KEY_STYLES.size() - 1),
                        (picked, at, idCase, keyStyle) -> new Spelling(picked[0], picked[1] == 1, picked[2] == 1, at,
                                idCase, keyStyle));

        qt().withExamples(40).withShrinkCycles(20).forAll(spellings, longs().all()).checkAssert((call, retryCase) -> {
            Agent agent = agents.get(call.agent());
            Channel channel = call.mailbox() ? agent.mailbox() : agent.phoneNumber();
            String key = keyOf(call.keyStyle());

            HttpResponse<String> answered = send(token, call, agent, channel, call.idCase(), call.at(), key);
            assertAnswered(call, channel, answered);

            if (key != null) {
                Spelling retried = new Spelling(call.agent(), call.mailbox(), call.assign(), !call.at(), retryCase,
                        call.keyStyle());
                HttpResponse<String> retry = send(token, retried, agent, channel, retryCase, !call.at(), key);
                assertThat(retry.statusCode()).as("a retry in another spelling: %s", retry.body())
                        .isEqualTo(answered.statusCode());
                assertThat(retry.body()).as("a retry reads the stored answer").isEqualTo(answered.body());
            }
        });
    }

    private static void assertAnswered(Spelling call, Channel channel, HttpResponse<String> response) {
        if (!call.assign()) {
            assertThat(response.statusCode()).as("%s: %s", call, response.body()).isEqualTo(204);
            return;
        }
        assertThat(response.statusCode()).as("%s: %s", call, response.body()).isEqualTo(200);
        Map<String, Object> identity = JsonParserFactory.getJsonParser().parseMap(response.body());
        Object held = identity.get(call.mailbox() ? "mailbox" : "phone_number");
        assertThat(held).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("id", channel.id().toString());
    }

    private HttpResponse<String> send(String token, Spelling call, Agent agent, Channel channel, long idCase,
            boolean at, String key) {
        String path = "/identities/" + encoded((at ? "@" : "") + agent.handle()) + "/"
                + (call.mailbox() ? "mailbox" : "phone_number");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        if (call.assign()) {
            String field = call.mailbox() ? "mailbox_id" : "phone_number_id";
            request.POST(HttpRequest.BodyPublishers.ofString(
                    "{\"" + field + "\": \"" + spelled(channel.id(), idCase) + "\"}"));
        } else {
            request.DELETE();
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The id with each hex letter in upper case where the mask's bit for its position is set. */
    static String spelled(UUID id, long caseMask) {
        char[] chars = id.toString().toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if ((caseMask >>> (i % 64) & 1) == 1) {
                chars[i] = Character.toUpperCase(chars[i]);
            }
        }
        return new String(chars);
    }

    private static String keyOf(int style) {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        return switch (KEY_STYLES.get(style)) {
            case "none" -> null;
            case "plain" -> "order-" + unique;
            case "inner spaces" -> "order " + unique + " retry";
            case "non-ascii" -> "bestellung-ü-" + unique;
            default -> throw new IllegalArgumentException("no key style " + style);
        };
    }

    private static String encoded(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The first call also starts the producers' transactions: retried under its key until it is answered. */
    private void awaitFirstAnswer(String token, Agent agent) {
        Spelling unassign = new Spelling(0, true, false, false, 0, 1);
        String key = "warm-up-" + UUID.randomUUID();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        int status;
        do {
            status = send(token, unassign, agent, agent.mailbox(), 0, false, key).statusCode();
        } while (status == 504 && System.nanoTime() < deadline);
        assertThat(status).as("the pipeline answers a call").isEqualTo(204);
    }
}
