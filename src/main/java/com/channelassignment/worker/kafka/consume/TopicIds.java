package com.channelassignment.worker.kafka.consume;

import com.channelassignment.worker.application.DependencyUnavailableException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.springframework.beans.factory.DisposableBean;

/**
 * The Kafka ids of the topics the worker reads, so the database's per-partition progress can tell a topic from a
 * deleted one of the same name. Looked up when first needed after each assignment, then cached.
 */
public class TopicIds implements DisposableBean {

    private final Admin admin;
    private final Duration timeout;
    private final Map<String, String> known = new ConcurrentHashMap<>();

    public TopicIds(Map<String, Object> adminProperties, Duration timeout) {
        this.admin = Admin.create(adminProperties);
        this.timeout = timeout;
    }

    Map<String, String> of(Collection<String> topics) {
        List<String> missing = topics.stream().distinct().filter(topic -> !known.containsKey(topic)).toList();
        if (!missing.isEmpty()) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(missing,
                                new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis()))
                        .allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                described.forEach((name, description) -> known.put(name, description.topicId().toString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DependencyUnavailableException("interrupted while looking up topic ids", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new DependencyUnavailableException("cannot look up the ids of topics " + missing, e);
            }
        }
        Map<String, String> ids = new HashMap<>();
        topics.forEach(topic -> ids.put(topic, known.get(topic)));
        return ids;
    }

    /** After a rebalance a topic may have been deleted and created again: look its id up afresh. */
    void forget(Collection<String> topics) {
        topics.forEach(known::remove);
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(1));
    }
}
