package com.channelassignment.worker.kafka.consume;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Aborts the Kafka transactions a crashed incarnation of this instance left open, before the instance reads its first
 * batch.
 *
 * <p>An instance with a stable identity has stable transactional ids. Initializing a producer under such an id bumps
 * its epoch: the broker aborts the dead incarnation's open transaction there and then, and fences that incarnation for
 * good. Left to the first batch, that would come too late: an open transaction holding offsets of the partitions makes
 * the new consumer's committed-offset fetch wait, and no batch comes until the broker's transaction timeout aborts it.
 * So the producers a batch will use (one per consumer thread) are initialized when the partitions arrive, before the
 * offsets are fetched, and handed back to the factory's cache, from which the batches take them.
 */
public class PreviousIncarnationFencing {

    private static final Logger log = LoggerFactory.getLogger(PreviousIncarnationFencing.class);

    private final ProducerFactory<?, ?> producers;
    private final int consumerThreads;
    private boolean done;

    public PreviousIncarnationFencing(ProducerFactory<?, ?> producers, int consumerThreads) {
        this.producers = producers;
        this.consumerThreads = consumerThreads;
    }

    /** Once per process; a failure (broker away) is logged and tried again at the next assignment. */
    synchronized void fenceOnce() {
        if (done) {
            return;
        }
        List<Producer<?, ?>> initialized = new ArrayList<>();
        try {
            for (int i = 0; i < consumerThreads; i++) {
                initialized.add(producers.createProducer());
            }
            done = true;
            log.info("{} transactional producer(s) initialized: any transaction a previous incarnation left open "
                    + "under their ids is aborted", initialized.size());
        } catch (RuntimeException e) {
            log.warn("could not initialize the transactional producers before the first batch; a previous "
                    + "incarnation's open transaction, if any, ends with the broker's transaction timeout: {}",
                    e.toString());
        } finally {
            initialized.forEach(Producer::close);
        }
    }
}
