package com.channelassignment.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Runs the worker against the Kafka cluster and PostgreSQL database that the configuration names. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ChannelAssignmentWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ChannelAssignmentWorkerApplication.class, args);
    }
}
