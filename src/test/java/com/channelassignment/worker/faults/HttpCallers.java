package com.channelassignment.worker.faults;

import com.channelassignment.worker.testing.data.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Synchronous callers of the HTTP API while a scenario's faults land, as an orchestrator with a deadline calls it:
 * each call is retried under its own Idempotency-Key on a {@code 503} (after its {@code Retry-After}), a {@code 504}
 * or a connection refused or cut, at the next running instance, until it gets the rules' answer or gives up after
 * {@link #GIVE_UP_AFTER}. The calls ask to unassign the mailbox of an identity in an organization of their own that
 * has none, so the rules answer each with 404 IDENTITY_NOT_FOUND and the directory of the scenario is untouched.
 */
final class HttpCallers {

    /** The request_id (Idempotency-Key) of every call starts so: their outcomes are not the stream's. */
    static final String KEY_PREFIX = "http-caller-";
    static final Duration GIVE_UP_AFTER = Duration.ofSeconds(90);
    private static final String ORGANIZATION = "org-http-callers";
    private static final String DEFINITIVE_CODE = "IDENTITY_NOT_FOUND";

    private final Tokens tokens = Tokens.generate();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Supplier<List<Integer>> ports;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger unanswered = new AtomicInteger();
    private final Map<String, AtomicInteger> retries = new ConcurrentHashMap<>();
    private final List<String> unexpected = new CopyOnWriteArrayList<>();
    private volatile boolean running;

    /** {@code ports}: the HTTP ports of the instances running at the moment of each attempt. */
    HttpCallers(Supplier<List<Integer>> ports) {
        this.ports = ports;
    }

    /** The worker argument that makes the instances accept these callers' tokens. */
    String workerArgument() {
        return "--spring.security.oauth2.resourceserver.jwt.public-key-location=" + tokens.publicKeyLocation();
    }

    /** Starts {@code callers} callers, each making one call after another, {@code pause} apart. */
    void start(int callers, Duration pause) {
        running = true;
        for (int i = 0; i < callers; i++) {
            int caller = i;
            Thread thread = new Thread(() -> callUntilStopped(caller, pause), "http-caller-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
    }

    /** Lets every call in progress finish (answered, or given up), then returns. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join(GIVE_UP_AFTER.plusSeconds(30).toMillis());
        }
    }

    /** The figures: calls made, answered, left without an answer, retries by reason, other answers. */
    Map<String, Object> figures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("http_calls", calls.get());
        figures.put("http_calls_answered", answered.get());
        figures.put("http_calls_without_a_definitive_answer", unanswered.get());
        retries.forEach((reason, count) -> figures.put("http_retries_after_" + reason, count.get()));
        figures.put("http_unexpected_answers", unexpected.size());
        return figures;
    }

    int withoutADefinitiveAnswer() {
        return unanswered.get();
    }

    List<String> unexpectedAnswers() {
        return List.copyOf(unexpected);
    }

    private void callUntilStopped(int caller, Duration pause) {
        int next = caller;
        for (int call = 0; running; call++) {
            calls.incrementAndGet();
            String key = KEY_PREFIX + caller + "-" + call;
            next = callUntilAnswered(key, next);
            FaultRun.sleep(pause);
        }
    }

    /** Returns the index of the instance to try next. */
    private int callUntilAnswered(String key, int instance) {
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        while (System.nanoTime() < deadline) {
            List<Integer> running = ports.get();
            if (running.isEmpty()) {
                retry("no_instance", Duration.ofMillis(200));
                continue;
            }
            int port = running.get(Math.floorMod(instance++, running.size()));
            try {
                HttpResponse<String> response = client.send(request(port, key), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 404 && response.body().contains(DEFINITIVE_CODE)) {
                    answered.incrementAndGet();
                    return instance;
                }
                if (response.statusCode() == 503) {
                    retry("503", Duration.ofSeconds(response.headers().firstValueAsLong("Retry-After").orElse(1)));
                } else if (response.statusCode() == 504) {
                    retry("504", Duration.ZERO);
                } else {
                    unexpected.add(key + ": " + response.statusCode() + " " + response.body());
                    return instance;
                }
            } catch (IOException refusedOrCut) {
                retry("connection_failure", Duration.ofMillis(200));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return instance;
            }
        }
        unanswered.incrementAndGet();
        return instance;
    }

    private HttpRequest request(int port, String key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/identities/nobody/mailbox"))
                // Past the worker's 10 s answer timeout: a late answer shows as its 504, not as a client timeout.
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tokens.forOrganization(ORGANIZATION))
                .header("Idempotency-Key", key)
                .DELETE().build();
    }

    private void retry(String reason, Duration wait) {
        retries.computeIfAbsent(reason, any -> new AtomicInteger()).incrementAndGet();
        FaultRun.sleep(wait);
    }

}
