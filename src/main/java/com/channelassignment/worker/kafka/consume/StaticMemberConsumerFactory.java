package com.channelassignment.worker.kafka.consume;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * Spring's consumer factory, whose group consumers join as static members named after the instance and leave the group
 * when they close.
 *
 * <p>A static member ({@code group.instance.id}) restarted after a crash takes its partitions back at once, without
 * waiting for its dead incarnation's session to expire and without a rebalance. But on close Kafka's classic protocol
 * lets a static member go without a LeaveGroup, so its partitions would wait out the session timeout after every
 * graceful stop: so these consumers close with {@link CloseOptions.GroupMembershipOperation#LEAVE_GROUP}, and a
 * stopped instance's partitions move to the others at once. An empty instance id: dynamic members, as Kafka's default.
 *
 * <p>Under the classic group protocol the client owns the session timeout and the heartbeat, and the factory gives
 * them {@link #CLASSIC_PROTOCOL_TIMEOUTS} unless the configuration sets them. Under the consumer protocol (KIP-848,
 * {@code group.protocol=consumer}) the broker owns both ({@code group.consumer.session.timeout.ms},
 * {@code group.consumer.heartbeat.interval.ms}) and the client refuses them, so the factory adds neither.
 */
public class StaticMemberConsumerFactory extends DefaultKafkaConsumerFactory<Object, Object> {

    /**
     * How soon the group gives a lost instance's partitions to the others under the classic protocol: a restarted
     * instance takes them back at once and a stopped one leaves the group, so this bounds the one that never comes back
     * (docs/reliability.md, "Recovery"). The broker's {@code group.min.session.timeout.ms} (6 s by default) is the
     * floor.
     */
    public static final Map<String, String> CLASSIC_PROTOCOL_TIMEOUTS = Map.of(
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "8000",
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");

    private final String instanceId;
    private final Set<String> issuedInstanceIds = ConcurrentHashMap.newKeySet();
    private volatile Runnable instanceIdRefused = () -> { };

    public StaticMemberConsumerFactory(Map<String, Object> configs, String instanceId) {
        super(withGroupProtocolTimeouts(configs));
        this.instanceId = instanceId;
    }

    /** The configuration with the classic protocol's timeouts added where it does not set them, if it is classic. */
    static Map<String, Object> withGroupProtocolTimeouts(Map<String, Object> configs) {
        Object configured = configs.getOrDefault(ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                ConsumerConfig.DEFAULT_GROUP_PROTOCOL);
        GroupProtocol protocol = GroupProtocol.of(String.valueOf(configured).toUpperCase(Locale.ROOT));
        Map<String, Object> completed = new HashMap<>(configs);
        if (protocol == GroupProtocol.CLASSIC) {
            CLASSIC_PROTOCOL_TIMEOUTS.forEach(completed::putIfAbsent);
        } else if (protocol != GroupProtocol.CONSUMER) {
            throw new IllegalStateException("no group protocol " + protocol);
        }
        return completed;
    }

    /** One member per consumer thread: the container's client id suffix ("-0", "-1", ...) tells them apart. */
    @Override
    public Consumer<Object, Object> createConsumer(String groupId, String clientIdPrefix, String clientIdSuffix,
            Properties properties) {
        if (instanceId.isEmpty()) {
            return super.createConsumer(groupId, clientIdPrefix, clientIdSuffix, properties);
        }
        Properties member = new Properties();
        if (properties != null) {
            member.putAll(properties);
        }
        String memberInstanceId = instanceId + (clientIdSuffix == null ? "" : clientIdSuffix);
        member.setProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, memberInstanceId);
        issuedInstanceIds.add(memberInstanceId);
        return super.createConsumer(groupId, clientIdPrefix, clientIdSuffix, member);
    }

    /**
     * What to do when the group refuses a consumer its static id because an earlier member still holds it
     * ({@code UNRELEASED_INSTANCE_ID}, consumer protocol only): that consumer never asks again, and the listener
     * container only logs what a poll throws, so the listener has to join anew ({@link RestartAfterFencing#rejoinLater}).
     * Seen here rather than in a container error handler: a transactional container that has one hands it the failed
     * batches too, instead of the after-rollback processor.
     */
    public void onInstanceIdRefused(Runnable action) {
        this.instanceIdRefused = action;
    }

    /** The {@code group.instance.id}s this factory gave its consumers; empty for dynamic members. */
    public Set<String> issuedInstanceIds() {
        return Set.copyOf(issuedInstanceIds);
    }

    @Override
    protected Consumer<Object, Object> createRawConsumer(Map<String, Object> configProps) {
        return new LeavingConsumer(configProps);
    }

    /** Leaves the group on close, static member or not, and reports a refused static id. */
    class LeavingConsumer extends ExtendedKafkaConsumer {

        LeavingConsumer(Map<String, Object> configProps) {
            super(configProps);
        }

        @Override
        public ConsumerRecords<Object, Object> poll(Duration timeout) {
            try {
                return super.poll(timeout);
            } catch (UnreleasedInstanceIdException refused) {
                instanceIdRefused.run();
                throw refused;
            }
        }

        @Override
        public void close() {
            close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }
}
