package com.channelassignment.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The worker's configuration as its files state it, read and bound the way Spring Boot does, without a context. */
public final class ConfigurationSources {

    static final Path APPLICATION_YML = Path.of("src/main/resources/application.yml");

    private ConfigurationSources() {
    }

    /** application.yml as property names ({@code spring.kafka.bootstrap-servers}) and their values. */
    public static Map<String, Object> applicationYml() {
        return flatten("", readYaml(APPLICATION_YML));
    }

    static String workerPropertiesPrefix() {
        // Merged, so that prefix and its alias value both count.
        return AnnotatedElementUtils.findMergedAnnotation(WorkerProperties.class, ConfigurationProperties.class)
                .prefix();
    }

    /** Every property of {@link WorkerProperties}, nested records included, by its full kebab-case name. */
    static List<String> workerPropertyNames() {
        return propertiesOf(WorkerProperties.class, workerPropertiesPrefix());
    }

    static WorkerProperties bindWorkerProperties(Binder binder) {
        return binder.bindOrCreate(workerPropertiesPrefix(), Bindable.of(WorkerProperties.class));
    }

    /** The settings these properties give over the defaults, converted as at startup. */
    static WorkerProperties bindWorkerProperties(Map<String, String> properties) {
        return bindWorkerProperties(new Binder(new MapConfigurationPropertySource(properties)));
    }

    static Map<String, Object> readYaml(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Map<String, Object> document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            assertThat(document).as("%s", file).isNotNull();
            return document;
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file.toAbsolutePath(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> section(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("%s is a mapping", key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    static Map<String, Object> flatten(String prefix, Map<String, Object> tree) {
        Map<String, Object> flat = new LinkedHashMap<>();
        tree.forEach((key, value) -> {
            String name = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof Map<?, ?>) {
                flat.putAll(flatten(name, section(tree, key)));
            } else {
                flat.put(name, value);
            }
        });
        return flat;
    }

    private static List<String> propertiesOf(Class<?> type, String prefix) {
        List<String> names = new ArrayList<>();
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + kebabCase(component.getName());
            if (component.getType().isRecord()) {
                names.addAll(propertiesOf(component.getType(), name));
            } else {
                names.add(name);
            }
        }
        return names;
    }

    private static String kebabCase(String camelCase) {
        return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
