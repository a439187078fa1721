package com.channelassignment.worker.kafka.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** The consumer factory's group settings under each of Kafka's group protocols; no broker involved. */
class StaticMemberConsumerFactoryTest {

    private static final Map<String, Object> CONFIGURED = Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
            ConsumerConfig.GROUP_ID_CONFIG, "group",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);

    @Test
    void givesTheClassicProtocolTheWorkersSessionTimeoutAndHeartbeat() {
        assertThat(StaticMemberConsumerFactory.withGroupProtocolTimeouts(CONFIGURED))
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "8000")
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
        assertThat(StaticMemberConsumerFactory.withGroupProtocolTimeouts(
                with(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic")))
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "8000");
    }

    @Test
    void keepsASessionTimeoutTheConfigurationSets() {
        assertThat(StaticMemberConsumerFactory.withGroupProtocolTimeouts(
                with(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "12000")))
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "12000")
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
    }

    @Test
    void leavesTheTimeoutsToTheBrokerUnderTheConsumerProtocol() {
        assertThat(StaticMemberConsumerFactory.withGroupProtocolTimeouts(
                with(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer")))
                .doesNotContainKeys(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
    }

    /** Kafka's client refuses a session timeout or heartbeat under the consumer protocol: the factory must add none. */
    @Test
    void createsAStaticMemberUnderEitherProtocol() {
        for (GroupProtocol protocol : GroupProtocol.values()) {
            StaticMemberConsumerFactory factory = new StaticMemberConsumerFactory(
                    with(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol.name().toLowerCase()), "worker-a");
            Consumer<Object, Object> consumer = factory.createConsumer("group", null, "-0", null);
            try {
                assertThat(consumer.groupMetadata().groupInstanceId()).as("%s", protocol).contains("worker-a-0");
            } finally {
                // No broker listens: nothing to wait for on the way out.
                consumer.close(CloseOptions.timeout(Duration.ZERO));
            }
            assertThat(factory.issuedInstanceIds()).containsExactly("worker-a-0");
        }
    }

    @Test
    void refusesAGroupProtocolKafkaDoesNotKnow() {
        assertThatThrownBy(() -> StaticMemberConsumerFactory.withGroupProtocolTimeouts(
                with(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "share")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, Object> with(String name, Object value) {
        java.util.HashMap<String, Object> configs = new java.util.HashMap<>(CONFIGURED);
        configs.put(name, value);
        return configs;
    }
}
