package com.channelassignment.worker;

import com.channelassignment.worker.cli.ChannelAssignmentCli;
import com.channelassignment.worker.contract.WireLimits;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import sun.misc.Signal;

/**
 * Runs the worker against the Kafka cluster and PostgreSQL database that the configuration names, or, when the first
 * argument is {@code send}, {@code tail}, {@code token} or {@code directory}, the command-line client.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ChannelAssignmentWorkerApplication {

    public static void main(String[] args) {
        WireLimits.limitAvroAllocations();
        if (ChannelAssignmentCli.handles(args)) {
            // The client needs Kafka only: no Spring context, no database, so it starts in a moment.
            System.exit(ChannelAssignmentCli.runFromCommandLine(args));
        }
        exitWithZeroOnSigterm();
        SpringApplication.run(ChannelAssignmentWorkerApplication.class, args);
    }

    /**
     * SIGTERM is how an orchestrator asks the worker to stop: the shutdown hooks finish or abort the current batch,
     * leave the group and close the pools. The JVM would still report status 143 (ended by a signal), which systemd,
     * scripts and CI read as a failure; exiting through System.exit(0) runs the same hooks and reports the stop as the
     * success it is.
     */
    private static void exitWithZeroOnSigterm() {
        try {
            Signal.handle(new Signal("TERM"), signal -> System.exit(0));
        } catch (IllegalArgumentException unavailable) {
            // Signals reserved (-Xrs) or unknown on this platform: the JVM's own handling stays, status 143.
        }
    }
}
