package com.channelassignment.worker.benchmark;

import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelType;
import com.channelassignment.worker.domain.Decision;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.testing.model.ExpectedAnswers;
import com.channelassignment.worker.testing.model.StreamCheck;
import com.channelassignment.worker.testing.data.Tokens;
import com.channelassignment.worker.testing.data.TraceParent;
import com.channelassignment.worker.testing.data.Workload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls of the worker's HTTP API for the benchmark, over one {@link HttpClient} that keeps its connections: a closed
 * loop of concurrent callers, and an open loop at a fixed rate. Every call is an organization's own request under an
 * {@code Idempotency-Key} of the benchmark's, entered in the {@link StreamCheck} like a produced request, and its
 * answer must carry the status the reference model gives; anything else counts as an error.
 *
 * <p>No organization has two calls in flight, so the order the model applies them in is the order the worker does.
 */
final class HttpLoad implements AutoCloseable {

    /** What a phase of calls measured. Latencies run from the moment a call was due to its answer being read. */
    record Result(int calls, int errors, double seconds, List<Long> latenciesNanos, Map<Integer, Integer> statuses,
            List<String> firstErrors) {

        double callsPerSecond() {
            return calls / seconds;
        }
    }

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final Workload workload;
    private final StreamCheck check;
    private final int organizations;
    private final boolean traced;
    private final Map<Integer, String> tokens = new ConcurrentHashMap<>();
    private final ExecutorService clientThreads = Executors.newFixedThreadPool(4);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(clientThreads).build();

    /** {@code traced}: every call carries the {@code traceparent} of a new sampled trace. */
    HttpLoad(URI base, Workload workload, StreamCheck check, Tokens tokens, int organizations, boolean traced) {
        this.base = base;
        this.traced = traced;
        this.workload = workload;
        this.check = check;
        this.organizations = organizations;
        // Signed before any call: signing is the caller's cost, not the worker's, and would slow the callers down.
        for (int org = 0; org < organizations; org++) {
            this.tokens.put(org, tokens.forOrganization(Workload.organization(org)));
        }
    }

    /**
     * {@code callers} threads, each calling again as soon as it has its answer, for {@code duration}. Caller {@code c}
     * calls for the organizations whose index is {@code c} modulo {@code callers}, in turn, and for no other: two
     * callers of one organization would race, and the worker could apply their calls in another order than the model.
     */
    Result closedLoop(String prefix, int callers, Duration duration) throws InterruptedException {
        if (callers > organizations) {
            throw new IllegalArgumentException(callers + " callers need as many organizations, not " + organizations);
        }
        Tally tally = new Tally();
        AtomicInteger sequence = new AtomicInteger();
        long started = System.nanoTime();
        long deadline = started + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int caller = 0; caller < callers; caller++) {
            int own = caller;
            Thread thread = new Thread(() -> {
                for (int org = own; System.nanoTime() < deadline; org = org + callers < organizations
                        ? org + callers : own) {
                    Call call = prepare(org, prefix + "-" + sequence.incrementAndGet());
                    long due = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(call.http(), HttpResponse.BodyHandlers.ofString());
                        tally.answered(call, response, System.nanoTime() - due);
                    } catch (Exception e) {
                        tally.failed(call, e);
                    }
                }
            }, "http-caller-" + caller);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return tally.result(System.nanoTime() - started);
    }

    /**
     * Calls at {@code perSecond}, each due at its own moment whether or not earlier ones were answered, for
     * {@code duration}; calls go round the organizations in turn, skipping one whose last call is still out (when all
     * have one out, the next call waits for an answer).
     */
    Result openLoop(String prefix, int perSecond, Duration duration) throws InterruptedException {
        Tally tally = new Tally();
        int total = (int) (perSecond * duration.toSeconds());
        CountDownLatch done = new CountDownLatch(total);
        Map<Integer, Boolean> inFlight = new ConcurrentHashMap<>();
        long interval = 1_000_000_000L / perSecond;
        long started = System.nanoTime();
        int org = 0;
        for (int i = 0; i < total; i++) {
            long due = started + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            for (int tried = 1; inFlight.putIfAbsent(org, Boolean.TRUE) != null; tried++) {
                org = (org + 1) % organizations;
                if (tried % organizations == 0) {
                    // Every organization has a call out: wait for an answer instead of spinning on a core the
                    // worker needs. The wait counts in the latencies, which run from each call's due moment.
                    Thread.sleep(1);
                }
            }
            int calling = org;
            org = (org + 1) % organizations;
            Call call = prepare(calling, prefix + "-" + i);
            http.sendAsync(call.http(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                if (failure != null) {
                    tally.failed(call, failure);
                } else {
                    tally.answered(call, response, System.nanoTime() - due);
                }
                inFlight.remove(calling);
                done.countDown();
            });
        }
        if (!done.await(CALL_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(done.getCount() + " calls neither answered nor failed");
        }
        return tally.result(System.nanoTime() - started);
    }

    @Override
    public void close() {
        clientThreads.shutdownNow();
    }

    /** One call: its request as the rules see it, what the model expects, and the HTTP request that makes it. */
    private record Call(AssignmentRequest request, int expectedStatus, HttpRequest http) {
    }

    private Call prepare(int org, String key) {
        AssignmentRequest request = workload.callFor(org, key);
        Optional<Decision> decision = check.sent(request);
        int expected = decision.map(ExpectedAnswers::httpStatusOf).orElseThrow(() -> new IllegalStateException(
                "a fresh key has no decision: " + key));
        String path = "/identities/" + request.agentHandle()
                + (request.channelType() == ChannelType.MAILBOX ? "/mailbox" : "/phone_number");
        HttpRequest.Builder http = HttpRequest.newBuilder(base.resolve(path)).timeout(CALL_TIMEOUT)
                .header("Authorization", "Bearer " + tokens.get(org)).header("Idempotency-Key", key);
        if (traced) {
            http.header(TraceParent.HEADER, TraceParent.random().toString());
        }
        if (request.operation() == Operation.ASSIGN) {
            String field = request.channelType() == ChannelType.MAILBOX ? "mailbox_id" : "phone_number_id";
            http.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                    "{\"%s\": \"%s\"}".formatted(field, request.channelId())));
        } else {
            http.DELETE();
        }
        return new Call(request, expected, http.build());
    }


    /** Answers and failures of one phase, from any thread. */
    private static final class Tally {

        private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        private final List<String> firstErrors = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger calls = new AtomicInteger();
        private final AtomicInteger errors = new AtomicInteger();

        void answered(Call call, HttpResponse<String> response, long nanos) {
            calls.incrementAndGet();
            statuses.merge(response.statusCode(), 1, Integer::sum);
            latencies.add(nanos);
            if (response.statusCode() != call.expectedStatus()) {
                error("%s: %d instead of %d: %s".formatted(call.request().requestId(), response.statusCode(),
                        call.expectedStatus(), response.body()));
            }
        }

        void failed(Call call, Throwable failure) {
            calls.incrementAndGet();
            error(call.request().requestId() + ": " + failure);
        }

        private void error(String description) {
            if (errors.incrementAndGet() <= 5) {
                firstErrors.add(description);
            }
        }

        Result result(long nanos) {
            synchronized (latencies) {
                return new Result(calls.get(), errors.get(), nanos / 1e9, new ArrayList<>(latencies),
                        Map.copyOf(statuses), List.copyOf(firstErrors));
            }
        }
    }
}
