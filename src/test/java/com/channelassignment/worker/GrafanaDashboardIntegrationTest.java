package com.channelassignment.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.kafka.avro.ChannelAssignmentOutcome;
import com.channelassignment.worker.testing.SpringWorkerHarness;
import com.channelassignment.worker.testing.WireRequests;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every metric a panel of {@code deploy/grafana/channel-assignment-worker.json} queries, with every label it groups or
 * filters by, is in a running worker's {@code /actuator/prometheus} after it answered a request and dead-lettered a
 * record: a renamed metric or tag fails here, not on an operator's empty graph.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GrafanaDashboardIntegrationTest extends SpringWorkerHarness {

    private static final Path DASHBOARD = Path.of("deploy", "grafana", "channel-assignment-worker.json");
    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:channel_assignment|kafka_consumer|jvm|process|hikaricp|http_server)_[a-z0-9_]+)(\\{[^}]*})?");
    private static final Pattern BY = Pattern.compile("\\bby \\(([^)]*)\\)");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)\\s*(?:=~|!~|!=|=)");
    // Set by Prometheus when it scrapes, never by the worker.
    private static final Set<String> SCRAPE_LABELS = Set.of("job", "instance");

    @LocalManagementPort
    private int managementPort;

    @Test
    void everyPanelQueriesMetricsAndLabelsTheWorkerExposes() throws Exception {
        String organization = "org-dashboard-" + UUID.randomUUID();
        kafka().send(requestsTopic, organization, "not avro".getBytes(StandardCharsets.UTF_8));
        String requestId = "dashboard-" + UUID.randomUUID();
        send(WireRequests.anAssignment().withRequestId(requestId).inOrganization(organization).build());
        ChannelAssignmentOutcome answered = onlyOutcomeFor(requestId);
        assertThat(answered.getStatus().name()).isEqualTo("REJECTED");

        Map<String, Set<String>> exposed = labelsByMetric(awaitScrapeWith("channel_assignment_dead_letters_total"));
        List<String> expressions = expressions();

        assertThat(expressions).hasSizeGreaterThanOrEqualTo(8);
        Set<String> queried = new HashSet<>();
        for (String expression : expressions) {
            Matcher metric = METRIC.matcher(expression);
            Set<String> grouped = groupedBy(expression);
            boolean any = false;
            while (metric.find()) {
                any = true;
                String name = metric.group(1);
                queried.add(name);
                assertThat(exposed).as("metric %s of `%s`", name, expression).containsKey(name);
                Set<String> wanted = new HashSet<>(grouped);
                wanted.addAll(matchedLabels(metric.group(2)));
                wanted.removeAll(SCRAPE_LABELS);
                assertThat(exposed.get(name)).as("labels of %s in `%s`", name, expression).containsAll(wanted);
            }
            assertThat(any).as("`%s` names a metric of the worker", expression).isTrue();
        }
        // What the dashboard is for: outcomes, rejections, batch time, lag, dead letters, replays, stuck partitions.
        assertThat(queried).contains("channel_assignment_outcomes_total", "channel_assignment_batch_duration_seconds_bucket",
                "kafka_consumer_fetch_manager_records_lag_max", "channel_assignment_dead_letters_total",
                "channel_assignment_replays_total", "channel_assignment_partition_stalled_seconds");
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

    private static Set<String> groupedBy(String expression) {
        Set<String> labels = new HashSet<>();
        Matcher by = BY.matcher(expression);
        while (by.find()) {
            for (String label : by.group(1).split(",")) {
                if (!label.isBlank() && !label.trim().equals("le")) {
                    labels.add(label.trim());
                }
            }
        }
        return labels;
    }

    private static Set<String> matchedLabels(String braces) {
        Set<String> labels = new HashSet<>();
        if (braces != null) {
            Matcher matcher = MATCHER.matcher(braces);
            while (matcher.find()) {
                labels.add(matcher.group(1));
            }
        }
        return labels;
    }

    /** Metric name to the label names its samples carry, from the Prometheus text format. */
    private static Map<String, Set<String>> labelsByMetric(String scrape) {
        Map<String, Set<String>> labels = new HashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
            Set<String> names = labels.computeIfAbsent(name, ignored -> new HashSet<>());
            if (brace >= 0 && brace < space) {
                Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(
                        line.substring(brace, line.lastIndexOf('}') + 1));
                while (label.find()) {
                    names.add(label.group(1));
                }
            }
        }
        return labels;
    }

    /** The worker's scrape once it shows {@code metric}: counters with tags appear at their first increment. */
    private String awaitScrapeWith(String metric) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + managementPort + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            if (response.body().contains(metric + "{") || System.nanoTime() - deadline >= 0) {
                return response.body();
            }
            Thread.sleep(200);
        }
    }
}
