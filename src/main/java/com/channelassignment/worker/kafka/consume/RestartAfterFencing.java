package com.channelassignment.worker.kafka.consume;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>Under the consumer group protocol (KIP-848) the group also refuses this instance's id while an earlier member
 * still holds it ({@code UNRELEASED_INSTANCE_ID}): an incarnation killed before its session expired, or one frozen
 * while this one started under its identity. The refused consumer never asks again, so {@link #rejoinLater()} restarts
 * the container after a pause, until that member's session has expired and the id is free. The classic protocol gives
 * a static id to the newest member and never refuses it.
 */
public class RestartAfterFencing {

    private static final Logger log = LoggerFactory.getLogger(RestartAfterFencing.class);

    private final KafkaListenerEndpointRegistry registry;
    private final String listenerId;
    // Never on the consumer thread that published the event: stopping waits for that very thread.
    private final TaskExecutor restarts = new SimpleAsyncTaskExecutor("restart-after-fencing-");

    /** Between two tries to join under an id an earlier member holds: a few heartbeats, a join costs the group little. */
    static final Duration REJOIN_PAUSE = Duration.ofSeconds(2);

    private final InstanceIdentityCheck identity;
    private final Runnable identityTaken;
    private final AtomicBoolean rejoinPending = new AtomicBoolean();

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

    /** Restarts the listener after {@link #REJOIN_PAUSE}, once however many of its consumers were refused their id. */
    public void rejoinLater() {
        MessageListenerContainer container = registry.getListenerContainer(listenerId);
        if (container == null || !rejoinPending.compareAndSet(false, true)) {
            return;
        }
        log.warn("listener {}: the group refused this instance's id, which an earlier member holds until its session "
                + "expires; joining again in {}", listenerId, REJOIN_PAUSE);
        restarts.execute(() -> {
            try {
                Thread.sleep(REJOIN_PAUSE.toMillis());
                // Not running: the application is shutting down, or fencing stopped it and decides on its own.
                if (container.isRunning()) {
                    container.stop();
                    container.start();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                rejoinPending.set(false);
            }
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
