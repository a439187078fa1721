package com.channelassignment.worker.testing.services;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics from the beginning the way a downstream listener would ({@code read_committed}), on a thread of its
 * own, and hands every record to a callback until closed. Keeps reading through broker restarts.
 */
public final class OutcomeWatcher implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Consumer<ConsumerRecord<byte[], byte[]>> onRecord;
    private final Thread thread;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Void>> catchUp = new AtomicReference<>();
    private volatile boolean watching = true;
    private volatile boolean pausing;

    private OutcomeWatcher(String bootstrapServers, List<String> topics,
            Consumer<ConsumerRecord<byte[], byte[]>> onRecord, Map<String, Object> consumerSettings) {
        this.onRecord = onRecord;
        Map<String, Object> settings = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "outcome-watcher-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        settings.putAll(consumerSettings);
        this.consumer = new KafkaConsumer<>(settings);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::watch, "outcome-watcher");
        this.thread.setDaemon(true);
    }

    /** Starts reading every partition of {@code topics}, which must exist. */
    public static OutcomeWatcher start(String bootstrapServers, List<String> topics,
            Consumer<ConsumerRecord<byte[], byte[]>> onRecord) {
        return start(bootstrapServers, topics, onRecord, Map.of());
    }

    /** {@link #start(String, List, Consumer)} with consumer settings added or replaced, e.g. the fetch wait. */
    public static OutcomeWatcher start(String bootstrapServers, List<String> topics,
            Consumer<ConsumerRecord<byte[], byte[]>> onRecord, Map<String, Object> consumerSettings) {
        OutcomeWatcher watcher = new OutcomeWatcher(bootstrapServers, topics, onRecord, consumerSettings);
        watcher.thread.start();
        return watcher;
    }

    /**
     * Waits until everything readable now has been handed to the callback: the position of every partition has reached
     * its end offset as of this call, which for {@code read_committed} is the last stable offset. Open transactions
     * hold that offset back, so wait for them to end first when the count must be final.
     */
    public void awaitCaughtUp(Duration timeout) {
        CompletableFuture<Void> caughtUp = new CompletableFuture<>();
        catchUp.set(caughtUp);
        try {
            caughtUp.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the watcher did not catch up with the committed records within " + timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the watcher stopped reading", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stops fetching until {@link #resume()}, so that a phase that measures latency by other means (the HTTP callers)
     * does not also pay for this reader's fetches on the same cores. Nothing is skipped: reading goes on from where it
     * stopped.
     */
    public void pause() {
        pausing = true;
    }

    public void resume() {
        pausing = false;
    }

    private void watch() {
        Map<TopicPartition, Long> catchUpTo = null;
        boolean paused = false;
        try {
            while (watching) {
                // The consumer is used by this thread only: pause() and resume() take effect here.
                if (pausing != paused) {
                    paused = pausing;
                    if (paused) {
                        consumer.pause(consumer.assignment());
                    } else {
                        consumer.resume(consumer.assignment());
                    }
                }
                consumer.poll(Duration.ofMillis(50)).forEach(onRecord);
                CompletableFuture<Void> caughtUp = catchUp.get();
                if (caughtUp != null) {
                    if (catchUpTo == null) {
                        catchUpTo = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
                    }
                    if (catchUpTo.entrySet().stream()
                            .allMatch(end -> consumer.position(end.getKey()) >= end.getValue())) {
                        catchUp.set(null);
                        catchUpTo = null;
                        caughtUp.complete(null);
                    }
                }
            }
        } catch (RuntimeException e) {
            failure.set(e);
            CompletableFuture<Void> caughtUp = catchUp.get();
            if (caughtUp != null) {
                caughtUp.completeExceptionally(e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Stops reading; fails if reading failed, since the counts would then be incomplete. */
    @Override
    public void close() {
        watching = false;
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the watcher stopped reading", failure.get());
        }
    }
}
