package com.channelassignment.worker;

import static com.channelassignment.worker.ConfigurationSources.applicationYml;
import static com.channelassignment.worker.ConfigurationSources.bindWorkerProperties;
import static com.channelassignment.worker.ConfigurationSources.workerPropertiesPrefix;
import static com.channelassignment.worker.ConfigurationSources.workerPropertyNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.kafka.consume.StaticMemberConsumerFactory;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/**
 * The worker's own settings have their defaults in one place, the {@code @DefaultValue}s of {@link WorkerProperties}.
 * application.yml repeats none of them; the README's configuration table, the placeholders' fallbacks and the
 * conditions that match a missing property state the same values. For Spring's own settings, application.yml is the
 * source the README must agree with.
 */
class ConfigurationDefaultsTest {

    private static final Path README = Path.of("README.md");
    private static final Path MAIN_SOURCES = Path.of("src/main/java");
    /** A default cell the README words for people ("the datasource's"): not compared. */
    private static final String UNSTATED = "\0unstated";

    private final WorkerProperties defaults = bindWorkerProperties(Map.of());

    @Test
    void applicationYmlLeavesTheWorkersOwnSettingsToTheirDefaults() {
        assertThat(applicationYml().keySet()).as("application.yml")
                .noneMatch(name -> name.startsWith(workerPropertiesPrefix() + "."));
    }

    @Test
    void readmeNamesEveryWorkerSettingWithItsDefault() {
        Map<String, String> documented = new LinkedHashMap<>(readmeDefaults());
        documented.keySet().removeIf(name -> !name.startsWith(workerPropertiesPrefix() + "."));

        assertThat(documented.keySet()).as("channel-assignment.* rows of the README's configuration table")
                .containsExactlyInAnyOrderElementsOf(workerPropertyNames());
        documented.forEach((name, stated) -> {
            assertThat(stated).as("the README's default of %s", name).isNotEqualTo(UNSTATED);
            if (stated == null) {
                assertThat(defaultOf(name)).as("the README says %s has no default", name)
                        .satisfiesAnyOf(value -> assertThat(value).isNull(), value -> assertThat(value).isEqualTo(""));
            } else {
                assertThat(bindWorkerProperties(Map.of(name, stated)))
                        .as("%s set to the README's default %s", name, stated).isEqualTo(defaults);
            }
        });
    }

    @Test
    void readmeStatesTheSpringSettingsApplicationYmlGives() {
        Map<String, Object> applicationYml = applicationYml();
        List<String> compared = new ArrayList<>();
        readmeDefaults().forEach((name, stated) -> {
            if (applicationYml.containsKey(name) && !UNSTATED.equals(stated)) {
                Object value = applicationYml.get(name);
                assertThat(stated).as("the README's default of %s", name)
                        .isEqualTo(value == null ? null : String.valueOf(value));
                compared.add(name);
            }
        });
        assertThat(compared).contains("spring.kafka.bootstrap-servers", "spring.kafka.consumer.max-poll-records",
                "spring.kafka.producer.transaction-id-prefix", "server.port");
    }

    /**
     * The consumer's session timeout and heartbeat are not in application.yml, since Kafka refuses them under the
     * consumer group protocol: the consumer factory adds them under the classic one, which is Kafka's default.
     */
    @Test
    void readmeStatesTheGroupProtocolAndTheClassicTimeoutsTheConsumerFactoryGives() {
        Map<String, String> readme = readmeDefaults();
        String consumerProperties = "spring.kafka.consumer.properties.";
        assertThat(applicationYml()).as("application.yml").doesNotContainKeys(
                consumerProperties + ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                consumerProperties + ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                consumerProperties + ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
        assertThat(readme.get(consumerProperties + ConsumerConfig.GROUP_PROTOCOL_CONFIG))
                .as("the README's default group protocol").isEqualTo(ConsumerConfig.DEFAULT_GROUP_PROTOCOL);
        StaticMemberConsumerFactory.CLASSIC_PROTOCOL_TIMEOUTS.forEach((name, value) ->
                assertThat(readme.get(consumerProperties + name)).as("the README's default of %s", name)
                        .isEqualTo(value));
    }

    /** {@code @Value("${channel-assignment.http.organization-claim:org_id}")} and the like. */
    @Test
    void placeholderFallbacksInTheCodeAreTheDefaults() throws IOException {
        List<String> checked = eachDefaultTheCodeAssumes(Pattern.compile("\\$\\{("
                + Pattern.quote(workerPropertiesPrefix()) + "\\.[a-z0-9.-]+):([^}\"]*)}"));
        assertThat(checked).contains(workerPropertiesPrefix() + ".http.organization-claim");
    }

    /** {@code @ConditionalOnProperty(name = ..., havingValue = "true", matchIfMissing = true)} assumes the default. */
    @Test
    void conditionsThatMatchAMissingPropertyMatchItsDefault() throws IOException {
        List<String> checked = eachDefaultTheCodeAssumes(Pattern.compile("@ConditionalOnProperty\\(name = \"("
                + Pattern.quote(workerPropertiesPrefix()) + "\\.[a-z0-9.-]+)\", havingValue = \"([^\"]*)\", "
                + "matchIfMissing = true\\)"));
        assertThat(checked).contains(workerPropertiesPrefix() + ".topics.create");
    }

    /** Each property and value the pattern finds in the main sources must bind to the defaults; returns the names. */
    private List<String> eachDefaultTheCodeAssumes(Pattern propertyAndValue) throws IOException {
        List<String> checked = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                Matcher matcher = propertyAndValue.matcher(Files.readString(file));
                while (matcher.find()) {
                    assertThat(bindWorkerProperties(Map.of(matcher.group(1), matcher.group(2))))
                            .as("%s=%s assumed in %s", matcher.group(1), matcher.group(2), file.getFileName())
                            .isEqualTo(defaults);
                    checked.add(matcher.group(1));
                }
            }
        }
        return checked;
    }

    /**
     * The README's configuration table as property names and the default each row states: null for "none",
     * {@link #UNSTATED} for words. A row naming several properties ({@code a.b.c} / {@code d}) states one default for
     * each, in order; a short name ({@code d}) is a sibling of the full name before it.
     */
    private static Map<String, String> readmeDefaults() {
        List<String> lines;
        try {
            lines = Files.readAllLines(README);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + README.toAbsolutePath(), e);
        }
        int heading = lines.indexOf("## Configuration");
        assertThat(heading).as("the README's Configuration heading").isNotNegative();
        List<String> rows = lines.subList(heading, lines.size()).stream()
                .dropWhile(line -> !line.startsWith("|"))
                .takeWhile(line -> line.startsWith("|"))
                .skip(2)
                .toList();
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String row : rows) {
            String[] cells = row.split("(?<!\\\\)\\|");
            List<String> names = names(cells[1]);
            List<String> stated = List.of(cells[2].trim().split(" / "));
            for (int i = 0; i < names.size(); i++) {
                defaults.put(names.get(i), names.size() == stated.size() ? statedValue(stated.get(i)) : UNSTATED);
            }
        }
        assertThat(defaults).as("the README's configuration table").containsKey("spring.kafka.bootstrap-servers");
        return defaults;
    }

    private static List<String> names(String cell) {
        List<String> names = new ArrayList<>();
        String parent = "";
        for (String token : cell.trim().split(" / |, ")) {
            String name = token.replace("`", "");
            if (name.contains(".")) {
                parent = name.substring(0, name.lastIndexOf('.') + 1);
                names.add(name);
            } else {
                names.add(parent + name);
            }
        }
        return names;
    }

    private static String statedValue(String cell) {
        String text = cell.trim();
        if (text.equals("none")) {
            return null;
        }
        return text.matches("`[^`]*`") ? text.substring(1, text.length() - 1) : UNSTATED;
    }

    /** The value {@link #defaults} holds for a name such as {@code channel-assignment.database.runtime-role}. */
    private Object defaultOf(String name) {
        Object value = defaults;
        for (String part : name.substring(workerPropertiesPrefix().length() + 1).split("\\.")) {
            value = component(value, part);
        }
        return value;
    }

    private static Object component(Object record, String kebabName) {
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            if (component.getName().equals(camelCase(kebabName))) {
                try {
                    return component.getAccessor().invoke(record);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        }
        throw new AssertionError(record.getClass().getSimpleName() + " has no " + kebabName);
    }

    private static String camelCase(String kebabCase) {
        return Pattern.compile("-([a-z])").matcher(kebabCase).replaceAll(match -> match.group(1).toUpperCase());
    }
}
