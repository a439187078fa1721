package com.channelassignment.worker;

import com.channelassignment.worker.kafka.ChannelAssignmentCli;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Runs the worker against the Kafka cluster and PostgreSQL database that the configuration names, or, when the first
 * argument is {@code send} or {@code tail}, the command-line client.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ChannelAssignmentWorkerApplication {

    public static void main(String[] args) {
        if (ChannelAssignmentCli.handles(args)) {
            // The client needs Kafka only: no Spring context, no database, so it starts in a moment.
            System.exit(ChannelAssignmentCli.runFromCommandLine(args));
        }
        SpringApplication.run(ChannelAssignmentWorkerApplication.class, args);
    }
}
