package com.channelassignment.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {

    // The expression Spring Security's StrictHttpFirewall checks header names and values with by default.
    private static final Pattern FIREWALL_DEFAULT = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

    @Test
    void agreesWithTheFirewallsDefaultExpressionOnEveryCodePointAlone() {
        IntStream.rangeClosed(0, Character.MAX_CODE_POINT).forEach(point -> {
            String text = "Bearer x" + Character.toString(point) + "y";
            assertThat(HttpApiConfiguration.assignedAndNotControl(text)).as("U+%04X", point)
                    .isEqualTo(FIREWALL_DEFAULT.matcher(text).matches());
        });
    }

    @Test
    void acceptsWhatCallersSendAndRefusesControlCharacters() {
        assertThat(List.of("Bearer eyJhbGciOiJSUzI1NiJ9.eyJvcmdfaWQiOiJvcmctMSJ9.c2ln", "application/json", ""))
                .allMatch(HttpApiConfiguration::assignedAndNotControl);
        assertThat(List.of("a\u0000b", "line\nbreak", "tab\tbed", "\u007f", "\u0085"))
                .noneMatch(HttpApiConfiguration::assignedAndNotControl);
    }
}
