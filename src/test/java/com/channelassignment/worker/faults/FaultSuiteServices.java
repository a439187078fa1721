package com.channelassignment.worker.faults;

import com.channelassignment.worker.testing.services.BrokerProcess;
import com.channelassignment.worker.testing.services.TestServices;
import com.channelassignment.worker.testing.services.WorkerProcess;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * What every fault-suite class owns so its scenarios can break it: a standalone broker in its own process and an
 * embedded PostgreSQL server that keeps its port and data across stop and start. Started once per class.
 */
@Tag("faults")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
abstract class FaultSuiteServices {

    static final FaultSuiteSize SIZE = FaultSuiteSize.current();

    static BrokerProcess broker;
    static TestServices.StoppablePostgres postgres;

    @BeforeAll
    static void startBrokerAndDatabase() {
        // Fails loudly, before anything starts, when the worker was not packaged: a skipped suite proves nothing.
        WorkerProcess.packagedJar();
        broker = BrokerProcess.start(Path.of("target", "faults", "broker"));
        postgres = TestServices.stoppablePostgres();
    }

    @AfterAll
    static void stopBrokerAndDatabase() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }
}
