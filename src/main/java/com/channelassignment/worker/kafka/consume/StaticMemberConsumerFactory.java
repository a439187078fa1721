package com.channelassignment.worker.kafka.consume;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
 */
public class StaticMemberConsumerFactory extends DefaultKafkaConsumerFactory<Object, Object> {

    private final String instanceId;
    private final Set<String> issuedInstanceIds = ConcurrentHashMap.newKeySet();

    public StaticMemberConsumerFactory(Map<String, Object> configs, String instanceId) {
        super(configs);
        this.instanceId = instanceId;
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
