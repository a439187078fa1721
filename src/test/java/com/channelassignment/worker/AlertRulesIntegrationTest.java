package com.channelassignment.worker;

import static com.channelassignment.worker.ConfigurationSources.readYaml;
import static com.channelassignment.worker.testing.services.MetricsExposition.labelsByMetric;
import static com.channelassignment.worker.testing.services.MetricsExposition.referencesIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.testing.services.MetricsExposition.Reference;
import com.channelassignment.worker.testing.services.SpringWorkerHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The alerting rules in {@code deploy/prometheus}: Prometheus's own {@code promtool} accepts them and passes their unit
 * tests, and every metric and label they name is in a running worker's scrape, so no alert waits on a series that
 * never comes. promtool is Debian's {@code prometheus} package ({@code .ci/run} installs it); without it this test
 * fails, never skips.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AlertRulesIntegrationTest extends SpringWorkerHarness {

    private static final Path RULES = Path.of("deploy", "prometheus", "channel-assignment-worker-rules.yml");
    private static final Path RULE_TESTS = Path.of("deploy", "prometheus", "channel-assignment-worker-rules-test.yml");
    // Prometheus's own series for a failed scrape: never in the worker's exposition.
    private static final Pattern UP = Pattern.compile("^up\\{[^}]*} == 0$");

    @LocalServerPort
    private int apiPort;

    @LocalManagementPort
    private int managementPort;

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        assertThat(promtool("check", "rules", RULES.toString())).contains("SUCCESS");
    }

    @Test
    void promtoolUnitTestsOfTheRulesPass() throws Exception {
        assertThat(promtool("test", "rules", RULE_TESTS.toString())).contains("SUCCESS");
    }

    @Test
    void alertsOnStallsDeadLettersLagServerErrorsTimeoutsAndAWorkerDown() {
        assertThat(alerts().keySet()).containsExactlyInAnyOrder("ChannelAssignmentWorkerDown",
                "ChannelAssignmentPartitionStalled", "ChannelAssignmentDeadLetters", "ChannelAssignmentConsumerLag",
                "ChannelAssignmentHttpServerErrors", "ChannelAssignmentHttpAnswerTimeouts");
    }

    @Test
    void everyMetricAndLabelTheRulesNameIsInTheWorkersScrape() throws Exception {
        Map<String, Set<String>> exposed = labelsByMetric(scrapeAfterEveryKindOfTraffic(apiPort, managementPort));

        Set<String> named = new HashSet<>();
        alerts().forEach((alert, expression) -> {
            List<Reference> references = referencesIn(expression);
            if (references.isEmpty()) {
                assertThat(expression.trim()).as("%s names no metric of the worker", alert).matches(UP);
            }
            for (Reference reference : references) {
                named.add(reference.metric());
                assertThat(exposed).as("metric %s of %s", reference.metric(), alert).containsKey(reference.metric());
                assertThat(exposed.get(reference.metric())).as("labels of %s in %s", reference.metric(), alert)
                        .containsAll(reference.labels());
            }
        });
        assertThat(named).contains("channel_assignment_partition_stalled_seconds",
                "channel_assignment_dead_letters_total", "kafka_consumer_fetch_manager_records_lag_max",
                "http_server_requests_seconds_count");
    }

    /** Alert name to its expression, from every group of the rules file. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> alerts() {
        Map<String, String> alerts = new LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) readYaml(RULES).get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                assertThat(rule).as("rule %s", rule).containsKeys("alert", "expr");
                alerts.put((String) rule.get("alert"), String.valueOf(rule.get("expr")));
            }
        }
        return alerts;
    }

    /** Runs promtool and returns its output; fails when it is missing or exits with anything but 0. */
    private static String promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("promtool is missing: apt-get install prometheus (.ci/run does)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as("%s exited with:%n%s", command, output).isZero();
        return output;
    }
}
