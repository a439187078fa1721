package com.channelassignment.worker.testing.services;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A worker's Prometheus scrape, and the worker metrics a PromQL expression names with the labels it groups or filters
 * them by: what the Grafana dashboard and the alerting rules are held to.
 */
public final class MetricsExposition {

    private static final Pattern METRIC = Pattern.compile(
            "\\b((?:channel_assignment|kafka_consumer|jvm|process|hikaricp|http_server)_[a-z0-9_]+)(\\{[^}]*})?");
    private static final Pattern BY = Pattern.compile("\\bby \\(([^)]*)\\)");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)\\s*(?:=~|!~|!=|=)");
    private static final Pattern SAMPLE_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    // Set by Prometheus when it scrapes, never by the worker; le is a histogram's bucket bound.
    private static final Set<String> SCRAPE_LABELS = Set.of("job", "instance", "le");

    private MetricsExposition() {
    }

    /** A worker metric an expression names, with every label the expression groups or filters it by. */
    public record Reference(String metric, Set<String> labels) {
    }

    /** The worker metrics {@code expression} names; empty when it names none. */
    public static List<Reference> referencesIn(String expression) {
        Set<String> grouped = new HashSet<>();
        Matcher by = BY.matcher(expression);
        while (by.find()) {
            Arrays.stream(by.group(1).split(",")).map(String::trim).filter(label -> !label.isEmpty())
                    .forEach(grouped::add);
        }
        List<Reference> references = new ArrayList<>();
        Matcher metric = METRIC.matcher(expression);
        while (metric.find()) {
            Set<String> labels = new HashSet<>(grouped);
            if (metric.group(2) != null) {
                Matcher matcher = MATCHER.matcher(metric.group(2));
                while (matcher.find()) {
                    labels.add(matcher.group(1));
                }
            }
            labels.removeAll(SCRAPE_LABELS);
            references.add(new Reference(metric.group(1), labels));
        }
        return references;
    }

    /** Metric name to the label names its samples carry, from the Prometheus text format. */
    public static Map<String, Set<String>> labelsByMetric(String scrape) {
        Map<String, Set<String>> labels = new HashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            boolean labelled = brace >= 0 && brace < space;
            Set<String> names = labels.computeIfAbsent(line.substring(0, labelled ? brace : space),
                    ignored -> new HashSet<>());
            if (labelled) {
                Matcher label = SAMPLE_LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (label.find()) {
                    names.add(label.group(1));
                }
            }
        }
        return labels;
    }

    /**
     * The scrape of the worker whose actuator listens on {@code managementPort}, once it shows every one of
     * {@code metrics} with labels (counters with tags appear at their first increment), or after 30 s as it is.
     */
    public static String awaitScrapeWith(int managementPort, String... metrics) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> response;
            try {
                response = http.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + managementPort + "/actuator/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new AssertionError("no scrape from port " + managementPort, e);
            }
            if (response.statusCode() != 200) {
                throw new AssertionError("/actuator/prometheus answered " + response.statusCode());
            }
            String scrape = response.body();
            if (Arrays.stream(metrics).allMatch(metric -> scrape.contains(metric + "{"))
                    || System.nanoTime() - deadline >= 0) {
                return scrape;
            }
            Thread.sleep(200);
        }
    }
}
