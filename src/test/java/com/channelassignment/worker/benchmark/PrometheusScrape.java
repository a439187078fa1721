package com.channelassignment.worker.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** One reading of a worker's {@code /actuator/prometheus}: each metric's samples summed over their labels. */
record PrometheusScrape(Map<String, Double> totals) {

    static PrometheusScrape of(int managementPort) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                    + "/actuator/prometheus")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Double> totals = new HashMap<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int nameEnd = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
                String value = line.substring(line.lastIndexOf(' ') + 1);
                try {
                    totals.merge(line.substring(0, nameEnd), Double.parseDouble(value), Double::sum);
                } catch (NumberFormatException notANumber) {
                    // NaN gauges and the like: not summed.
                }
            }
            return new PrometheusScrape(totals);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How much {@code metric} grew since {@code earlier}; 0 when the worker does not expose it. */
    double since(PrometheusScrape earlier, String metric) {
        return totals.getOrDefault(metric, 0.0) - earlier.totals.getOrDefault(metric, 0.0);
    }
}
