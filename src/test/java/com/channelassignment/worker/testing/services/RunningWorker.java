package com.channelassignment.worker.testing.services;

import org.springframework.core.env.Environment;

/**
 * Where a running worker reads and answers, as a test that seeds its directory through the requests topic needs it:
 * the broker, the requests and outcomes topics, and the consumer group whose committed offsets say what it applied.
 */
public record RunningWorker(String bootstrapServers, String requestsTopic, String outcomesTopic,
        String consumerGroup) {

    /** The worker a Spring context runs, as its configuration names it. */
    public static RunningWorker of(Environment environment) {
        return new RunningWorker(environment.getRequiredProperty("spring.kafka.bootstrap-servers"),
                environment.getRequiredProperty("channel-assignment.topics.requests"),
                environment.getRequiredProperty("channel-assignment.topics.outcomes"),
                environment.getRequiredProperty("spring.kafka.consumer.group-id"));
    }
}
