package com.channelassignment.worker.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Option;

/**
 * The one Kafka client configuration of every command, and the producers and consumers made from it. Later wins:
 * the worker's security settings from the environment ({@link WorkerEnvironment#kafkaProperties()}), then the
 * {@code --client-config} file, then the brokers ({@code --bootstrap-servers}, else the worker's
 * {@code SPRING_KAFKA_BOOTSTRAP_SERVERS}, else the file's {@code bootstrap.servers}, else {@code localhost:9092}).
 */
record KafkaClients(String bootstrapServers, Properties config) {

    /** The flags every command that talks to Kafka takes; a picocli mixin. */
    static final class Options {

        private final WorkerEnvironment environment;

        @Option(names = "--bootstrap-servers", paramLabel = "HOSTS",
                description = "brokers (default: $SPRING_KAFKA_BOOTSTRAP_SERVERS, else localhost:9092)")
        String bootstrapServers;

        @Option(names = {"--client-config", "--command-config"}, paramLabel = "FILE",
                description = "Kafka client properties for every client, e.g. security.protocol, sasl.*, ssl.*")
        Path clientConfig;

        Options(CliContext context) {
            this.environment = context.environment();
        }

        KafkaClients clients() {
            return KafkaClients.of(bootstrapServers, clientConfig, environment);
        }
    }

    /** A command's work against Kafka, returning the exit status. */
    interface Work {

        int run() throws InterruptedException;
    }

    static KafkaClients of(String bootstrapServers, Path clientConfig, WorkerEnvironment environment) {
        Properties config = environment.kafkaProperties();
        if (clientConfig != null) {
            try (InputStream in = Files.newInputStream(clientConfig)) {
                config.load(in);
            } catch (IOException e) {
                throw new CliUsageException("--client-config " + clientConfig + " cannot be read: " + e);
            }
        }
        String brokers = firstOf(bootstrapServers, environment.bootstrapServers(),
                config.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG), WorkerEnvironment.BOOTSTRAP_SERVERS);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "channel-assignment-cli");
        return new KafkaClients(brokers, config);
    }

    /** A producer of raw bytes that waits for every in-sync replica, with the command's own settings on top. */
    KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings) {
        Properties producer = new Properties();
        producer.putAll(config);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.putAll(settings);
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(producer);
    }

    /**
     * A consumer outside any group that commits nothing and reads only committed records. It never creates a topic:
     * the worker creates its topics with the partitions it was configured for.
     */
    KafkaConsumer<byte[], byte[]> readCommittedConsumer() {
        Properties consumer = new Properties();
        consumer.putAll(config);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(consumer);
    }

    /**
     * Runs {@code work}, turning the ways Kafka fails it into the client's exit statuses: a timeout (naming the
     * bootstrap servers), any other Kafka error, and an interrupt. Every command that talks to Kafka goes through it.
     */
    int run(PrintStream err, Work work) {
        try {
            return work.run();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            err.printf("timed out talking to Kafka at %s: %s%n", bootstrapServers, e.getMessage());
            return ChannelAssignmentCli.TIMED_OUT;
        } catch (KafkaException e) {
            err.println("Kafka error: " + e.getMessage());
            return ChannelAssignmentCli.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return ChannelAssignmentCli.FAILED;
        }
    }

    private static String firstOf(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        throw new IllegalStateException("the last value is a constant");
    }
}
