package com.channelassignment.worker.kafka.consume;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Restarts the listener container after its producer was fenced.
 *
 * <p>Left alone, spring-kafka assumes a fenced producer means the partitions moved to another instance and simply
 * polls on: the failed batch is neither committed nor sought back, and the next batch's commit would skip it. That is
 * right after a rebalance, but fencing also happens without one (a transaction that outlived
 * {@code transaction.timeout.ms}, two instances sharing a transactional id). So the container stops on fencing and
 * this restarts it: the consumer rejoins and resumes from the last committed offsets, and the database's idempotency
 * records turn the failed batch into replays.
 */
public class RestartAfterFencing {

    private static final Logger log = LoggerFactory.getLogger(RestartAfterFencing.class);

    private final KafkaListenerEndpointRegistry registry;
    private final String listenerId;
    // Never on the consumer thread that published the event: stopping waits for that very thread.
    private final TaskExecutor restarts = new SimpleAsyncTaskExecutor("restart-after-fencing-");

    public RestartAfterFencing(KafkaListenerEndpointRegistry registry, String listenerId) {
        this.registry = registry;
        this.listenerId = listenerId;
    }

    @EventListener
    public void onConsumerStopped(ConsumerStoppedEvent event) {
        if (event.getReason() != ConsumerStoppedEvent.Reason.FENCED) {
            return;
        }
        MessageListenerContainer container = registry.getListenerContainer(listenerId);
        if (container == null) {
            return;
        }
        log.warn("producer of listener {} was fenced; restarting it to resume from the committed offsets",
                listenerId);
        restarts.execute(() -> {
            container.stop();
            container.start();
        });
    }
}
