package com.channelassignment.worker.kafka.consume;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;
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

    /** The {@code group.instance.id}s this factory gave its consumers; empty for dynamic members. */
    public Set<String> issuedInstanceIds() {
        return Set.copyOf(issuedInstanceIds);
    }

    @Override
    protected Consumer<Object, Object> createRawConsumer(Map<String, Object> configProps) {
        return new LeavingConsumer(configProps);
    }

    /** Leaves the group on close, static member or not. */
    class LeavingConsumer extends ExtendedKafkaConsumer {

        LeavingConsumer(Map<String, Object> configProps) {
            super(configProps);
        }

        @Override
        public void close() {
            close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }
}
