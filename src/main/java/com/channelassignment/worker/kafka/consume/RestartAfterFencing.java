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
 *
 * <p>Unless another process has taken this instance's identity: a successor started under the same instance id while
 * this one was frozen fences both its producers and its group membership. Rejoining would take the identity back and
 * fence the successor, which would do the same in turn; so this instance stays out and reports itself gone
 * ({@code identityTaken}), and the successor keeps the partitions.
 */
public class RestartAfterFencing {

    private static final Logger log = LoggerFactory.getLogger(RestartAfterFencing.class);

    private final KafkaListenerEndpointRegistry registry;
    private final String listenerId;
    // Never on the consumer thread that published the event: stopping waits for that very thread.
    private final TaskExecutor restarts = new SimpleAsyncTaskExecutor("restart-after-fencing-");

    private final InstanceIdentityCheck identity;
    private final Runnable identityTaken;

    public RestartAfterFencing(KafkaListenerEndpointRegistry registry, String listenerId,
            InstanceIdentityCheck identity, Runnable identityTaken) {
        this.registry = registry;
        this.listenerId = listenerId;
        this.identity = identity;
        this.identityTaken = identityTaken;
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
        log.warn("listener {} was fenced; restarting it to resume from the committed offsets, unless another "
                + "process took this instance's identity", listenerId);
        restarts.execute(() -> {
            // Stopped first: the consumers leave the group, so a member under this instance's ids is another process.
            container.stop();
            if (takenByAnother()) {
                log.error("another process joined the group under this instance's id "
                        + "(channel-assignment.instance-id): it owns the partitions now, and this instance stops");
                identityTaken.run();
                return;
            }
            container.start();
        });
    }

    private boolean takenByAnother() {
        try {
            return identity.takenByAnother();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException unknown) {
            // Restarting is what a fenced instance did before it could ask: correct either way, since the fencing
            // keeps two holders of one identity from committing twice.
            log.warn("could not tell whether another process holds this instance's identity: {}", unknown.toString());
            return false;
        }
    }
}
