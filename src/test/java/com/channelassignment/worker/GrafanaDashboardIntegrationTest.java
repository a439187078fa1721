package com.channelassignment.worker;

import static com.channelassignment.worker.testing.services.MetricsExposition.labelsByMetric;
import static com.channelassignment.worker.testing.services.MetricsExposition.referencesIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.services.MetricsExposition.Reference;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every metric a panel of {@code deploy/grafana/channel-assignment-worker.json} queries, with every label it groups or
 * filters by, is in a running worker's {@code /actuator/prometheus} after it answered a request and an HTTP call and
 * dead-lettered a record: a renamed metric or tag fails here, not on an operator's empty graph.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrafanaDashboardIntegrationTest extends SpringWorkerHarness {

    private static final Path DASHBOARD = Path.of("deploy", "grafana", "channel-assignment-worker.json");

    @LocalServerPort
    private int apiPort;

    @LocalManagementPort
    private int managementPort;

    @Test
    void everyPanelQueriesMetricsAndLabelsTheWorkerExposes() throws Exception {
        Map<String, Set<String>> exposed = labelsByMetric(scrapeAfterEveryKindOfTraffic(apiPort, managementPort));
        List<String> expressions = expressions();

        assertThat(expressions).hasSizeGreaterThanOrEqualTo(8);
        Set<String> queried = new HashSet<>();
        for (String expression : expressions) {
            List<Reference> references = referencesIn(expression);
            assertThat(references).as("`%s` names a metric of the worker", expression).isNotEmpty();
            for (Reference reference : references) {
                queried.add(reference.metric());
                assertThat(exposed).as("metric %s of `%s`", reference.metric(), expression)
                        .containsKey(reference.metric());
                assertThat(exposed.get(reference.metric())).as("labels of %s in `%s`", reference.metric(), expression)
                        .containsAll(reference.labels());
            }
        }
        // What the dashboard is for: outcomes, rejections, batch time, lag, dead letters, replays, stuck partitions,
        // the HTTP API's calls and latency.
        assertThat(queried).contains("channel_assignment_outcomes_total", "channel_assignment_batch_duration_seconds_bucket",
                "kafka_consumer_fetch_manager_records_lag_max", "channel_assignment_dead_letters_total",
                "channel_assignment_replays_total", "channel_assignment_partition_stalled_seconds",
                "http_server_requests_seconds_count", "http_server_requests_seconds_bucket");
    }

    private static List<String> expressions() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(DASHBOARD.toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.path("title").asString()).isNotBlank();
            assertThat(panel.path("datasource").path("uid").asString()).isEqualTo("${datasource}");
            for (JsonNode target : panel.get("targets")) {
                expressions.add(target.get("expr").asString());
            }
        }
        return expressions;
    }
}
