package com.channelassignment.worker.demo;

import com.channelassignment.worker.WorkerProperties;
import com.channelassignment.worker.contract.AvroContract;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Adds the demo run to the worker's own application context. */
@TestConfiguration(proxyBeanMethods = false)
public class DemoConfiguration {

    @Bean
    DemoRun demoRun(AvroContract contract, WorkerProperties properties,
            @Value("${spring.kafka.bootstrap-servers}") String bootstrapServers) {
        return new DemoRun(contract, properties, bootstrapServers, System.out);
    }
}
