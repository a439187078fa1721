package com.channelassignment.worker.kafka.gateway;

import com.channelassignment.worker.kafka.observe.RecordTracing;
import com.channelassignment.worker.domain.AgentHandles;
import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.contract.WireHeaders;
import com.channelassignment.worker.contract.WireContract;
import com.channelassignment.worker.application.Answer;
import com.channelassignment.worker.application.RequestChannel;
import com.channelassignment.worker.domain.AssignmentRequest;
import com.channelassignment.worker.domain.ChannelIds;
import com.channelassignment.worker.domain.Operation;
import com.channelassignment.worker.domain.OutcomeStatus;
import com.channelassignment.worker.domain.RejectionCode;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.kafka.avro.IdentityDetail;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaOperations;

/**
 * Sends a caller's request to the requests topic and hands back its answer from the outcomes topic.
 *
 * <p>Every instance reads the whole outcomes topic ({@code read_committed}, from its end when the instance starts,
 * without a consumer group) and completes the calls it is waiting for, matched by organization and request_id.
 * Reading everything is what lets any number of instances each get their own answers with no routing; its cost
 * grows with the outcome rate times the number of instances (docs/design.md, "The HTTP API's answer path"). So the
 * reader stops fetching once no call has waited for a while, and the next call places it at the end of every
 * partition again before its request is sent.
 */
public class KafkaRequestChannel implements RequestChannel, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KafkaRequestChannel.class);
    private static final Duration PARTITION_CHECK = Duration.ofSeconds(5);
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(1);
    private static final Duration PLACEMENT_TIMEOUT = Duration.ofSeconds(30);
    // A call's wait for a paused reader to be placed comes before its answer timeout, so it is kept short.
    private static final Duration CALL_PLACEMENT_WAIT = Duration.ofSeconds(5);

    /** How long the reader goes on fetching after the last call was answered, unless the constructor says otherwise. */
    public static final Duration IDLE_BEFORE_PAUSE = Duration.ofSeconds(10);

    /**
     * What a request asks for, in the fields its content fingerprint covers, as an outcome echoes them. Two calls
     * under one key but with different content (a reused key) get different outcomes: the stored one and an
     * IDEMPOTENCY_KEY_REUSED refusal. Each must read its own, not whichever comes first.
     */
    record Asked(String handle, String operation, String channelType, String channelId) {

        static Asked of(AssignmentRequest request) {
            AssignmentRequest echoed = request.echoed();
            return of(echoed.agentHandle(), echoed.operation().name(), echoed.channelType().name(),
                    echoed.channelId());
        }

        static Asked of(ChannelAssignmentOutcome outcome) {
            return of(outcome.getAgentHandle(), outcome.getOperation().name(), outcome.getChannelType().name(),
                    outcome.getChannelId());
        }

        private static Asked of(String handle, String operation, String channelType, String channelId) {
            // As in AssignmentRequest.contentFingerprint: the handle without its '@', the channel id of an
            // assignment only (an unassignment's outcome names the channel it released), canonical on both sides: an
            // outcome stored before requests were made canonical echoes the id as it was sent.
            return new Asked(AgentHandles.stored(handle), operation, channelType,
                    Operation.valueOf(operation).channelIdOf(ChannelIds.canonical(channelId)));
        }
    }

    /** One call waiting for its answer: whose (the organization as the outcome echoes it) and what it asked. */
    record Waiter(String organizationId, Asked asked, CompletableFuture<Answer> answer) {

        static Waiter of(AssignmentRequest request, CompletableFuture<Answer> answer) {
            return new Waiter(organizationOf(request), Asked.of(request), answer);
        }

        boolean answeredBy(ChannelAssignmentOutcome outcome, Asked outcomeAsked) {
            return organizationId.equals(Objects.toString(outcome.getOrganizationId(), ""))
                    && asked.equals(outcomeAsked);
        }
    }

    private final KafkaOperations<byte[], byte[]> kafka;
    private final WireContract contract;
    private final String requestsTopic;
    private final String outcomesTopic;
    private final Map<String, Object> consumerProperties;
    // By request_id as the outcome echoes it, which every outcome also carries as a header: the reader can pass over
    // the outcomes of other calls without decoding them. Each list is immutable and replaced inside the map's atomic
    // compute methods, so a waiter is never added to a list the reader has already taken out, nor left behind by a
    // concurrent forget().
    private final Map<String, List<Waiter>> waiting = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> firstPlacement = new CompletableFuture<>();
    private volatile boolean reading;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Thread reader;
    private volatile boolean running;
    private final int phase;
    private final RecordTracing tracing;
    private final Duration idleBeforePause;
    // A paused reader fetches nothing. A call that finds it paused asks for it to be placed again (resumeRequest) and
    // sends its request only once it is: the reader seeks to the end of every partition, and the call's outcome,
    // written after its request, lies beyond. Both fields are guarded by 'placement'.
    private final Object placement = new Object();
    private boolean paused;
    private CompletableFuture<Void> resumeRequest;
    // When a call last waited or was answered; read and written by the reader's thread only.
    private long lastCallSeen;

    /** Without tracing: requests carry no trace context. */
    public KafkaRequestChannel(KafkaOperations<byte[], byte[]> kafka, WireContract contract, String requestsTopic,
            String outcomesTopic, Map<String, Object> consumerProperties, int phase) {
        this(kafka, contract, requestsTopic, outcomesTopic, consumerProperties, phase, RecordTracing.off(),
                IDLE_BEFORE_PAUSE);
    }

    /**
     * {@code phase} is the lifecycle phase of the reader: it must start before the HTTP server accepts calls and stop
     * after the server's graceful shutdown has let the calls in flight read their answers. Each request carries the
     * context of the span current when it is sent (the HTTP call's), so the worker that applies it continues the trace.
     * The reader stops fetching {@code idleBeforePause} after the last waiting call was answered.
     */
    public KafkaRequestChannel(KafkaOperations<byte[], byte[]> kafka, WireContract contract, String requestsTopic,
            String outcomesTopic, Map<String, Object> consumerProperties, int phase, RecordTracing tracing,
            Duration idleBeforePause) {
        this.kafka = kafka;
        this.idleBeforePause = idleBeforePause;
        this.tracing = tracing;
        this.phase = phase;
        this.contract = contract;
        this.requestsTopic = requestsTopic;
        this.outcomesTopic = outcomesTopic;
        Map<String, Object> properties = new HashMap<>(consumerProperties);
        // No group: every instance reads every partition, and nothing is committed.
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "channel-assignment-answers");
        // The broker answers a fetch as soon as a committed outcome is there (fetch.min.bytes 1), so the longest wait
        // adds no latency; it only sets how often an idle reader asks again, which every instance pays.
        properties.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        // New partitions of the outcomes topic are found through the metadata: within seconds, not the default 5 min.
        properties.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) PARTITION_CHECK.toMillis());
        this.consumerProperties = properties;
    }

    @Override
    public CompletableFuture<Answer> send(AssignmentRequest request) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        Waiter waiter = Waiter.of(request, answer);
        // Waiting before sending: the outcome can be committed before send() returns.
        waiting.compute(requestIdOf(request), (key, waiters) -> with(waiters, waiter));
        // Read after registering: a reader that stops clears 'reading' before it fails the waiters, so a call either
        // sees it gone here or is among the waiters it fails. None waits for a reader that is not there.
        if (!reading) {
            forget(request, answer);
            answer.completeExceptionally(new IllegalStateException("the answer reader on " + outcomesTopic
                    + " is not placed"));
            return answer;
        }
        try {
            awaitPlacement();
        } catch (RuntimeException notPlaced) {
            forget(request, answer);
            answer.completeExceptionally(notPlaced);
            return answer;
        }
        byte[] key = request.organizationId() == null ? null
                : request.organizationId().getBytes(StandardCharsets.UTF_8);
        try {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(requestsTopic, key,
                    contract.encodeRequest(request));
            tracing.injectCurrent(record.headers());
            kafka.send(record)
                    .whenComplete((sent, failure) -> {
                        if (failure != null) {
                            answer.completeExceptionally(failure);
                        }
                    });
        } catch (RuntimeException notSent) {
            // The producer can refuse at once (a closed producer, an interrupted caller, a request it cannot
            // serialize). The caller never gets this future to forget, so the waiter goes here.
            forget(request, answer);
            answer.completeExceptionally(notSent);
        }
        return answer;
    }

    /**
     * Returns once the reader is placed for a call registered before: at once while it reads, else when a paused
     * reader has sought to the end of every partition. The waiter is registered first, so a reader that checks for
     * waiters before it pauses either sees this call's or pauses before the check below.
     */
    private void awaitPlacement() {
        CompletableFuture<Void> placed;
        synchronized (placement) {
            if (!paused) {
                return;
            }
            if (resumeRequest == null) {
                resumeRequest = new CompletableFuture<>();
                placement.notifyAll();
            }
            placed = resumeRequest;
        }
        try {
            placed.get(CALL_PLACEMENT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the answer reader on " + outcomesTopic + " could not be placed",
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the answer reader on " + outcomesTopic + " was not placed in "
                    + CALL_PLACEMENT_WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the answer reader was placed", e);
        }
    }

    /** Whether the reader has stopped fetching for want of calls. */
    boolean isPaused() {
        synchronized (placement) {
            return paused;
        }
    }

    @Override
    public void forget(AssignmentRequest request, CompletableFuture<Answer> answer) {
        waiting.computeIfPresent(requestIdOf(request),
                (key, waiters) -> without(waiters, waiter -> waiter.answer() == answer));
    }

    private static String requestIdOf(AssignmentRequest request) {
        return request.echoed().requestId();
    }

    private static String organizationOf(AssignmentRequest request) {
        return Objects.toString(request.echoed().organizationId(), "");
    }

    @Override
    public void start() {
        running = true;
        reader = new Thread(this::readOutcomes, "answers-" + outcomesTopic);
        reader.setDaemon(true);
        reader.start();
        try {
            // Calls are accepted only once the reader is placed at the end of every partition: an outcome committed
            // after a call was sent is then always read.
            firstPlacement.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not place the answer reader on " + outcomesTopic, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not place the answer reader on " + outcomesTopic + " in 60 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while placing the answer reader", e);
        }
    }

    @Override
    public void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        synchronized (placement) {
            placement.notifyAll();
        }
        try {
            if (reader != null) {
                reader.join(Duration.ofSeconds(10).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int getPhase() {
        return phase;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Reads until stopped. A reader that fails (the broker refused it, a position lost) fails the calls waiting, and
     * a new one is placed at the end again: outcomes committed in between are not read, so no call may wait across
     * the gap. Calls sent while no reader is placed are refused at once ({@link #send}).
     */
    private void readOutcomes() {
        while (running) {
            try (KafkaConsumer<byte[], byte[]> outcomes = new KafkaConsumer<>(consumerProperties)) {
                consumer = outcomes;
                readUntilStopped(outcomes);
            } catch (WakeupException stopping) {
                // stop() woke the reader.
            } catch (RuntimeException e) {
                log.error("the answer reader on {} failed; the calls waiting fail and a new reader is placed: {}",
                        outcomesTopic, e.toString());
                if (firstPlacement.completeExceptionally(e)) {
                    // Never placed: start() fails, and so does the application's startup.
                    return;
                }
                pause(RESTART_PAUSE);
            } finally {
                reading = false;
                IllegalStateException stopped = new IllegalStateException("the answer reader on " + outcomesTopic
                        + " stopped");
                synchronized (placement) {
                    paused = false;
                    if (resumeRequest != null) {
                        resumeRequest.completeExceptionally(stopped);
                        resumeRequest = null;
                    }
                }
                failWaiting(stopped);
            }
        }
    }

    private void readUntilStopped(KafkaConsumer<byte[], byte[]> outcomes) {
        List<TopicPartition> assigned = placeAtTheEnd(outcomes);
        reading = true;
        firstPlacement.complete(null);
        long nextPartitionCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
        lastCallSeen = System.nanoTime();
        while (running) {
            if (!waiting.isEmpty()) {
                lastCallSeen = System.nanoTime();
            } else if (System.nanoTime() - lastCallSeen > idleBeforePause.toNanos() && pauseWhileNoCallWaits()) {
                CompletableFuture<Void> resume = awaitCall();
                if (resume == null) {
                    return;
                }
                try {
                    // Outcomes committed while paused answer no call: none waited for them.
                    assigned = placeAtTheEnd(outcomes);
                } catch (RuntimeException notPlaced) {
                    resume.completeExceptionally(notPlaced);
                    throw notPlaced;
                }
                synchronized (placement) {
                    paused = false;
                    resumeRequest = null;
                }
                resume.complete(null);
                log.debug("the answer reader on {} reads again", outcomesTopic);
                lastCallSeen = System.nanoTime();
                nextPartitionCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
            }
            for (ConsumerRecord<byte[], byte[]> record : outcomes.poll(Duration.ofMillis(200))) {
                answer(record);
            }
            if (System.nanoTime() - nextPartitionCheck > 0) {
                assigned = readNewPartitions(outcomes, assigned);
                nextPartitionCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
            }
        }
    }

    /**
     * Reads from the end of every partition the topic has: the last stable offset under {@code read_committed}, at or
     * below the offset of any outcome committed after this returns. The partitions come from the broker, not the
     * consumer's metadata, which a paused reader has not refreshed since it paused.
     */
    private List<TopicPartition> placeAtTheEnd(KafkaConsumer<byte[], byte[]> outcomes) {
        List<TopicPartition> partitions = partitionsOf(outcomes.listTopics(PLACEMENT_TIMEOUT).get(outcomesTopic));
        outcomes.assign(partitions);
        outcomes.seekToEnd(partitions);
        partitions.forEach(partition -> outcomes.position(partition, PLACEMENT_TIMEOUT));
        return partitions;
    }

    /** Pauses unless a call waits; checked under the lock a call takes after registering (awaitPlacement). */
    private boolean pauseWhileNoCallWaits() {
        synchronized (placement) {
            if (!waiting.isEmpty()) {
                return false;
            }
            paused = true;
        }
        log.debug("no call waits on {}; the answer reader stops fetching until one does", outcomesTopic);
        return true;
    }

    /** Waits, fetching nothing, until a call asks for the reader: its request, or null when stopping. */
    private CompletableFuture<Void> awaitCall() {
        synchronized (placement) {
            while (running && resumeRequest == null) {
                try {
                    placement.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return running ? resumeRequest : null;
        }
    }

    /**
     * Partitions added to the outcomes topic since the reader was placed are read from their beginning: every outcome
     * in them was committed after the reader started, and outcomes keyed to them are lost to the callers otherwise.
     * The consumer's metadata, refreshed every {@code metadata.max.age.ms}, is what finds them.
     */
    private List<TopicPartition> readNewPartitions(KafkaConsumer<byte[], byte[]> outcomes,
            List<TopicPartition> assigned) {
        List<TopicPartition> current = partitionsOf(outcomes);
        List<TopicPartition> added = current.stream().filter(partition -> !assigned.contains(partition)).toList();
        if (added.isEmpty()) {
            return assigned;
        }
        // assign() keeps the positions of the partitions that stay assigned.
        outcomes.assign(current);
        outcomes.seekToBeginning(added);
        log.info("the answer reader reads the new partitions {} from their beginning", added);
        return current;
    }

    private List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> outcomes) {
        return partitionsOf(outcomes.partitionsFor(outcomesTopic, PLACEMENT_TIMEOUT));
    }

    private List<TopicPartition> partitionsOf(List<PartitionInfo> partitions) {
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("the outcomes topic " + outcomesTopic + " has no partitions");
        }
        return partitions.stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
    }

    private void failWaiting(RuntimeException failure) {
        for (String key : waiting.keySet()) {
            List<Waiter> waiters = waiting.remove(key);
            if (waiters != null) {
                waiters.forEach(waiter -> waiter.answer().completeExceptionally(failure));
            }
        }
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void answer(ConsumerRecord<byte[], byte[]> record) {
        if (waiting.isEmpty() || !mayAnswerAWaitingCall(record)) {
            return;
        }
        ChannelAssignmentOutcome outcome;
        try {
            outcome = contract.decodeOutcome(record.value());
        } catch (RuntimeException notAnOutcome) {
            return;
        }
        Asked asked = Asked.of(outcome);
        List<Waiter> answered = new ArrayList<>();
        waiting.computeIfPresent(outcome.getRequestId(), (key, waiters) -> {
            answered.clear();
            waiters.stream().filter(waiter -> waiter.answeredBy(outcome, asked)).forEach(answered::add);
            return without(waiters, waiter -> waiter.answeredBy(outcome, asked));
        });
        if (answered.isEmpty()) {
            return;
        }
        lastCallSeen = System.nanoTime();
        // Completed outside the map's lock: a future's dependents run on this thread.
        Answer answer;
        try {
            answer = answerOf(outcome);
        } catch (RuntimeException unreadable) {
            // Its callers fail; the reader goes on answering everyone else's.
            answered.forEach(waiter -> waiter.answer().completeExceptionally(unreadable));
            return;
        }
        answered.forEach(waiter -> waiter.answer().complete(answer));
    }

    /**
     * False only for an outcome whose {@code request_id} header names no waiting call: most outcomes, when other
     * instances and the requests topic's other producers are busy, are then passed over for the cost of a map lookup
     * instead of an Avro decode. Without the header (a record the worker did not write) the outcome is decoded.
     */
    private boolean mayAnswerAWaitingCall(ConsumerRecord<byte[], byte[]> record) {
        Header requestId = record.headers().lastHeader(WireHeaders.REQUEST_ID);
        return requestId == null || requestId.value() == null
                || waiting.containsKey(new String(requestId.value(), StandardCharsets.UTF_8));
    }

    private static List<Waiter> with(List<Waiter> waiters, Waiter waiter) {
        List<Waiter> more = new ArrayList<>(waiters == null ? List.of() : waiters);
        more.add(waiter);
        return List.copyOf(more);
    }

    /** The waiters that do not match, or null (the key's entry goes) when none is left. */
    private static List<Waiter> without(List<Waiter> waiters, Predicate<Waiter> leaving) {
        List<Waiter> staying = waiters.stream().filter(leaving.negate()).toList();
        return staying.isEmpty() ? null : staying;
    }

    static Answer answerOf(ChannelAssignmentOutcome outcome) {
        var rejection = outcome.getRejection();
        return new Answer(outcome.getRequestId(), OutcomeStatus.valueOf(outcome.getStatus().name()),
                rejection == null ? null : RejectionCode.valueOf(rejection.getCode().name()),
                rejection == null ? null : rejection.getMessage(),
                outcome.getIdentity() == null ? null : identityOf(outcome.getIdentity()));
    }

    private static Answer.IdentityDetail identityOf(IdentityDetail detail) {
        return new Answer.IdentityDetail(detail.getId(), detail.getOrganizationId(), detail.getAgentHandle(),
                detail.getStatus().name(), detail.getCreatedAt(), detail.getUpdatedAt(),
                AvroContract.channelDetails(detail));
    }
}
