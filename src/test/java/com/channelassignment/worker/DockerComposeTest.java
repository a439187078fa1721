package com.channelassignment.worker;

import static com.channelassignment.worker.ConfigurationSources.applicationYml;
import static com.channelassignment.worker.ConfigurationSources.bindWorkerProperties;
import static com.channelassignment.worker.ConfigurationSources.readYaml;
import static com.channelassignment.worker.ConfigurationSources.section;
import static com.channelassignment.worker.ConfigurationSources.workerPropertiesPrefix;
import static com.channelassignment.worker.ConfigurationSources.workerPropertyNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.contract.WireFormat;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.w3c.dom.Element;

/**
 * Keeps docker-compose.yml and the Dockerfile consistent with the worker's configuration: no Docker engine runs in CI,
 * so this is what fails when they drift apart.
 */
class DockerComposeTest {

    private static final Path COMPOSE_FILE = Path.of("docker-compose.yml");
    private static final Path DOCKERFILE = Path.of("Dockerfile");

    private final Map<String, Object> services = section(readYaml(COMPOSE_FILE), "services");

    @Test
    void definesKafkaTopicCreationPostgresTheRegistryAndTheWorker() {
        assertThat(services).containsKeys("kafka", "kafka-init", "postgres", "registry", "schemas-register", "worker",
                "directory-load");
    }

    @Test
    void runsKafkaFromTheApacheImageAsBrokerAndControllerOfItsOwnQuorum() {
        Map<String, String> kafka = environment("kafka");
        assertThat((String) service("kafka").get("image")).startsWith("apache/kafka:");
        assertThat(service("kafka-init").get("image")).as("kafka-init runs the broker's tools")
                .isEqualTo(service("kafka").get("image"));
        assertThat(kafka.get("KAFKA_PROCESS_ROLES").split(",")).containsExactlyInAnyOrder("broker", "controller");
        assertThat(kafka).containsKey("CLUSTER_ID");

        Map<String, Listener> listeners = listeners(kafka.get("KAFKA_LISTENERS"));
        String controllerListener = kafka.get("KAFKA_CONTROLLER_LISTENER_NAMES");
        assertThat(listeners).containsKeys(controllerListener, kafka.get("KAFKA_INTER_BROKER_LISTENER_NAME"));
        assertThat(kafka.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).as("the node votes for itself on its controller port")
                .isEqualTo("%s@%s:%d".formatted(kafka.get("KAFKA_NODE_ID"), hostnameOf("kafka"),
                        listeners.get(controllerListener).port()));
        Set<String> mappedNames = Arrays.stream(kafka.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").split(","))
                .map(entry -> entry.substring(0, entry.indexOf(':')))
                .collect(Collectors.toSet());
        assertThat(mappedNames).as("every listener has a security protocol").containsAll(listeners.keySet());

        assertThat(kafka).contains(
                Map.entry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1"),
                Map.entry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1"),
                Map.entry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1"),
                Map.entry("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0"),
                Map.entry("KAFKA_GROUP_COORDINATOR_APPEND_LINGER_MS", "0"));
    }

    @Test
    void givesEveryLongRunningServiceAHealthcheck() {
        services.keySet().stream()
                .filter(name -> !Set.of("kafka-init", "schemas-register", "directory-load").contains(name))
                .forEach(name ->
                assertThat(healthcheckCommand(name)).as("healthcheck of %s", name).isNotBlank());

        String kafkaCheck = healthcheckCommand("kafka");
        assertThat(kafkaCheck).contains("/opt/kafka/bin/kafka-broker-api-versions.sh");
        assertThat(listeners(environment("kafka").get("KAFKA_LISTENERS")).values())
                .as("the kafka healthcheck asks a port the broker listens on")
                .extracting(Listener::port)
                .contains(portAfter("--bootstrap-server localhost:", kafkaCheck));
    }

    @Test
    void startsTheWorkerOnceTheBrokerIsHealthyTheTopicsExistAndPostgresAndTheRegistryAreHealthy() {
        Map<String, Object> dependsOn = section(service("worker"), "depends_on");
        assertThat(dependsOn).containsOnlyKeys("kafka", "kafka-init", "postgres", "registry");
        assertThat(section(dependsOn, "registry")).containsEntry("condition", "service_healthy");
        assertThat(section(dependsOn, "kafka")).containsEntry("condition", "service_healthy");
        assertThat(section(dependsOn, "kafka-init")).containsEntry("condition", "service_completed_successfully");
        assertThat(section(dependsOn, "postgres")).containsEntry("condition", "service_healthy");
        assertThat(section(section(service("kafka-init"), "depends_on"), "kafka"))
                .containsEntry("condition", "service_healthy");
    }

    @Test
    void givesTheWorkerOnlyVariablesThatBindToItsProperties() throws IOException {
        Set<String> knownProperties = new TreeSet<>();
        applicationYml().keySet().stream()
                .filter(name -> !name.startsWith(workerPropertiesPrefix() + "."))
                .forEach(knownProperties::add);
        knownProperties.addAll(workerPropertyNames());
        knownProperties.addAll(springBootProperties());
        Map<String, String> byRelaxedName = knownProperties.stream()
                .collect(Collectors.toMap(name -> name.replace('-', '.'), name -> name));
        Binder environmentOnly = binder(environment("worker"), Map.of());

        environment("worker").forEach((variable, value) -> {
            String property = byRelaxedName.get(variable.toLowerCase().replace('_', '.'));
            assertThat(property).as("%s names no property of application.yml or WorkerProperties", variable)
                    .isNotNull();
            // The lookup above is the rule of thumb; Spring Boot's own binder has the last word.
            assertThat(environmentOnly.bind(property, String.class).orElse(null))
                    .as("Spring Boot binds %s to %s", variable, property).isEqualTo(value);
        });
    }

    @Test
    void createsTheTopicsTheWorkerUsesBeforeTheWorkerStarts() {
        WorkerProperties.Topics topics = workerSettings().topics();
        String script = commandOf("kafka-init");
        List<String> invocations = script.lines().filter(line -> line.contains("kafka-topics.sh")).toList();

        assertThat(invocations).extracting(line -> valueAfter("--topic", line))
                .containsExactlyInAnyOrder(topics.requests(), topics.outcomes(), topics.deadLetter());
        assertThat(invocations).allSatisfy(line -> {
            assertThat(line).contains("--create", "--if-not-exists");
            assertThat(valueAfter("--partitions", line)).isEqualTo(String.valueOf(topics.partitions()));
            assertThat(valueAfter("--replication-factor", line))
                    .isEqualTo(String.valueOf(topics.replicationFactor()));
            assertThat(advertisedListeners()).as("kafka-init reaches the broker on an advertised listener")
                    .contains(valueAfter("--bootstrap-server", line));
        });
        assertThat(script.lines().findFirst()).as("the first failing command fails kafka-init").hasValue("set -e");
        assertThat(topics.create()).as("kafka-init creates the topics, not the worker").isFalse();
    }

    @Test
    void pointsTheWorkerAtAListenerTheBrokerAdvertisesToOtherContainers() {
        String bootstrapServers = environment("worker").get("SPRING_KAFKA_BOOTSTRAP_SERVERS");
        assertThat(bootstrapServers).isNotBlank();
        assertThat(advertisedListeners()).containsAll(List.of(bootstrapServers.split(",")));
        assertThat(bootstrapServers.split(",")).allSatisfy(server ->
                assertThat(server).startsWith(hostnameOf("kafka") + ":"));
    }

    @Test
    void advertisesTheHostListenerOnThePortComposePublishes() {
        Map<String, Listener> listening = listeners(environment("kafka").get("KAFKA_LISTENERS"));
        List<Listener> forHost = listeners(environment("kafka").get("KAFKA_ADVERTISED_LISTENERS")).values().stream()
                .filter(listener -> listener.host().equals("localhost"))
                .toList();
        assertThat(forHost).as("a listener for tools on the host").isNotEmpty();
        forHost.forEach(listener -> assertThat(publishedPorts("kafka"))
                .as("host port %d reaches listener %s", listener.port(), listener.name())
                .containsEntry(listener.port(), listening.get(listener.name()).port()));
    }

    @Test
    void pointsTheWorkerAtThePostgresServiceAndItsDatabase() {
        Map<String, String> worker = environment("worker");
        Map<String, String> postgres = environment("postgres");
        URI url = URI.create(worker.get("SPRING_DATASOURCE_URL").substring("jdbc:".length()));

        assertThat(url.getScheme()).isEqualTo("postgresql");
        assertThat(url.getHost()).isEqualTo(hostnameOf("postgres"));
        assertThat(url.getPort()).as("PostgreSQL's port inside the network").isEqualTo(5432);
        assertThat(publishedPorts("postgres")).containsValue(url.getPort());
        assertThat(url.getPath()).isEqualTo("/" + postgres.get("POSTGRES_DB"));
        assertThat(worker.get("SPRING_DATASOURCE_USERNAME")).isEqualTo(postgres.get("POSTGRES_USER"));
        assertThat(worker.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
        assertThat(healthcheckCommand("postgres")).contains("pg_isready",
                "-U " + postgres.get("POSTGRES_USER"), "-d " + postgres.get("POSTGRES_DB"));
    }

    @Test
    void loadsTheDemoDirectoryThroughTheWorkersTopicOnceTheWorkerIsHealthy() {
        Map<String, Object> load = service("directory-load");
        List<String> command = ((List<?>) load.get("command")).stream().map(String::valueOf).toList();
        assertThat(command.subList(0, 2)).as("the jar's own command").containsExactly("directory", "load");
        String commandLine = String.join(" ", command);
        WorkerProperties.Topics topics = workerSettings().topics();
        assertThat(optionalValueAfter("--topic", commandLine, "channel-assignment.requests"))
                .isEqualTo(topics.requests());
        assertThat(optionalValueAfter("--outcomes-topic", commandLine, "channel-assignment.outcomes"))
                .isEqualTo(topics.outcomes());
        assertThat(advertisedListeners()).as("the load reaches the broker on an advertised listener")
                .contains(valueAfter("--bootstrap-servers", commandLine));
        assertThat(load).containsEntry("build", service("worker").get("build"));
        // It waits for the outcomes of the file's assignments: only a running worker gives them.
        assertThat(section(section(load, "depends_on"), "worker")).containsEntry("condition", "service_healthy");
        String file = valueAfter("--file", commandLine);
        assertThat((List<?>) load.get("volumes")).map(String::valueOf).anySatisfy(volume -> {
            String[] parts = volume.split(":");
            assertThat(parts[1]).isEqualTo(file);
            assertThat(Path.of(parts[0])).isEqualTo(Path.of("./src/test/resources/demo/directory.json"))
                    .isRegularFile();
        });
    }

    @Test
    void writesTheConfluentFormatAgainstTheRegistryServiceRegisteringOnlyBecauseItIsADevelopmentSetup()
            throws IOException {
        WorkerProperties settings = workerSettings();
        assertThat(settings.wireFormat()).isEqualTo(WireFormat.CONFLUENT);
        String url = settings.schemaRegistry().url();
        URI registry = URI.create(url);
        assertThat(registry.getHost()).isEqualTo(hostnameOf("registry"));
        assertThat(registry.getPath()).as("Apicurio's Confluent-compatible API").isEqualTo("/apis/ccompat/v7");
        assertThat(publishedPorts("registry")).as("the registry's port inside the network")
                .containsValue(registry.getPort());
        assertThat(healthcheckCommand("registry")).contains("/dev/tcp/127.0.0.1/" + registry.getPort(),
                "GET /health/ready ");
        // The registry the tests run (tools/schema-registry), so compose behaves as the tests showed.
        assertThat((String) service("registry").get("image"))
                .isEqualTo("apicurio/apicurio-registry-mem:" + testRegistryVersion());

        assertThat(Files.readString(COMPOSE_FILE).lines().limit(5))
                .as("the file says it is a development setup").anyMatch(line -> line.contains("A development setup"));
        assertThat(settings.schemaRegistry().autoRegister()).as("auto-registration, for development").isTrue();

        // The pipeline's step: the jar registers the schemas before the directory load writes with them.
        String register = String.join(" ", ((List<?>) service("schemas-register").get("command")).stream()
                .map(String::valueOf).toList());
        assertThat(register).startsWith("schemas register ");
        assertThat(valueAfter("--registry-url", register)).isEqualTo(url);
        assertThat(section(section(service("schemas-register"), "depends_on"), "registry"))
                .containsEntry("condition", "service_healthy");
        assertThat(service("schemas-register")).containsEntry("build", service("worker").get("build"));
        Map<String, Object> load = service("directory-load");
        String loadCommand = String.join(" ", ((List<?>) load.get("command")).stream().map(String::valueOf).toList());
        assertThat(valueAfter("--wire-format", loadCommand)).isEqualTo(WireFormat.CONFLUENT.settingValue());
        assertThat(valueAfter("--registry-url", loadCommand)).isEqualTo(url);
        assertThat(section(section(load, "depends_on"), "schemas-register"))
                .containsEntry("condition", "service_completed_successfully");
    }

    /** Apicurio's version in tools/schema-registry/pom.xml, such as {@code 2.4.2.Final}. */
    private static String testRegistryVersion() throws IOException {
        Matcher version = Pattern.compile("<apicurio\\.version>([^<]+)</apicurio\\.version>")
                .matcher(Files.readString(Path.of("tools", "schema-registry", "pom.xml")));
        assertThat(version.find()).as("apicurio.version in tools/schema-registry/pom.xml").isTrue();
        return version.group(1);
    }

    @Test
    void mountsThePublicKeyTheApiChecksTokensWith() {
        String location = environment("worker").get("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_PUBLIC_KEY_LOCATION");
        assertThat(location).as("without a key every API call is 401").startsWith("file:");
        Object volumes = service("worker").get("volumes");
        assertThat(volumes).isInstanceOf(List.class);
        assertThat((List<?>) volumes).map(String::valueOf).anySatisfy(volume -> {
            String[] parts = volume.split(":");
            assertThat(parts[1]).isEqualTo(location.substring("file:".length()));
            assertThat(Path.of(parts[0])).isRegularFile().content().startsWith("-----BEGIN PUBLIC KEY-----");
        });
    }

    @Test
    void publishesAndChecksThePortsTheImageExposes() throws IOException {
        List<String> runtimeStage = runtimeStage();
        List<Integer> exposed = runtimeStage.stream()
                .filter(line -> line.startsWith("EXPOSE "))
                .flatMap(line -> Arrays.stream(line.substring("EXPOSE ".length()).trim().split("\\s+")))
                .map(port -> Integer.valueOf(port.replace("/tcp", "")))
                .toList();
        Integer serverPort = Integer.valueOf(String.valueOf(applicationYml().get("server.port")));
        Integer managementPort = Integer.valueOf(String.valueOf(applicationYml().get("management.server.port")));

        assertThat(exposed).containsExactly(serverPort, managementPort);
        assertThat(publishedPorts("worker")).containsValues(serverPort, managementPort);
        // Readiness on the API port: the probe path that port serves (management.endpoint.health.probes).
        assertThat(applicationYml()).containsEntry("management.endpoint.health.probes.add-additional-paths", true);
        assertThat(healthcheckCommand("worker"))
                .contains("/dev/tcp/127.0.0.1/" + serverPort, "GET /readyz ");
    }

    @Test
    void runsTheJarThePomBuildsAsAnUnprivilegedUser() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile()).getDocumentElement();
        String artifactId = directChild(project, "artifactId");
        List<String> runtimeStage = runtimeStage();

        assertThat(runtimeStage).anySatisfy(line ->
                assertThat(line).startsWith("COPY --from=build ").contains("/target/" + artifactId + "-*.jar "));
        assertThat(runtimeStage).filteredOn(line -> line.startsWith("USER ")).singleElement()
                .satisfies(line -> assertThat(line).doesNotContain("root").isNotEqualTo("USER 0")
                        .doesNotStartWith("USER 0:"));
        assertThat(service("worker")).containsEntry("build", ".");
    }

    /** What the worker in compose binds: its environment over application.yml over the @DefaultValue annotations. */
    private WorkerProperties workerSettings() {
        return bindWorkerProperties(binder(environment("worker"), applicationYml()));
    }

    private static Binder binder(Map<String, String> environment, Map<String, Object> applicationYml) {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addLast(new SystemEnvironmentPropertySource("systemEnvironment", Map.copyOf(environment)));
        sources.addLast(new MapPropertySource("application.yml", applicationYml));
        return new Binder(ConfigurationPropertySources.from(sources));
    }


    /**
     * The properties Spring Boot's own jars declare in their configuration metadata, such as
     * {@code spring.security.oauth2.resourceserver.jwt.public-key-location}, which has no default to put in
     * application.yml: any value there turns token checking on.
     */
    private static Set<String> springBootProperties() throws IOException {
        Set<String> names = new TreeSet<>();
        var resources = DockerComposeTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json");
        while (resources.hasMoreElements()) {
            try (var in = resources.nextElement().openStream()) {
                Object properties = JsonParserFactory.getJsonParser()
                        .parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8)).get("properties");
                if (properties instanceof List<?> list) {
                    list.forEach(property -> names.add(String.valueOf(((Map<?, ?>) property).get("name"))));
                }
            }
        }
        assertThat(names).as("Spring Boot's configuration metadata").contains("spring.kafka.bootstrap-servers");
        return names;
    }




    private Map<String, Object> service(String name) {
        return section(services, name);
    }

    private String hostnameOf(String serviceName) {
        return (String) service(serviceName).getOrDefault("hostname", serviceName);
    }

    /** A service's environment, whether written as a map or as a list of NAME=value. */
    private Map<String, String> environment(String serviceName) {
        Object environment = service(serviceName).get("environment");
        Map<String, String> variables = new LinkedHashMap<>();
        if (environment instanceof List<?> list) {
            list.forEach(entry -> {
                String text = String.valueOf(entry);
                variables.put(text.substring(0, text.indexOf('=')), text.substring(text.indexOf('=') + 1));
            });
        } else {
            section(service(serviceName), "environment").forEach((name, value) -> {
                // Compose refuses a bare true/false: it must be quoted.
                assertThat(value).as("%s of %s", name, serviceName).isNotInstanceOf(Boolean.class);
                variables.put(name, String.valueOf(value));
            });
        }
        return variables;
    }

    private String healthcheckCommand(String serviceName) {
        Object test = section(service(serviceName), "healthcheck").get("test");
        assertThat(test).as("healthcheck test of %s", serviceName).isNotNull();
        return test instanceof List<?> list ? list.stream().map(String::valueOf).collect(Collectors.joining(" "))
                : String.valueOf(test);
    }

    private String commandOf(String serviceName) {
        Object command = service(serviceName).get("command");
        return command instanceof List<?> list ? list.stream().map(String::valueOf).collect(Collectors.joining("\n"))
                : String.valueOf(command);
    }

    /** Host port to container port, from the short syntax "HOST:CONTAINER" (quoted, as YAML 1.1 needs). */
    private Map<Integer, Integer> publishedPorts(String serviceName) {
        Object ports = service(serviceName).get("ports");
        assertThat(ports).as("ports of %s", serviceName).isInstanceOf(List.class);
        Map<Integer, Integer> published = new LinkedHashMap<>();
        for (Object port : (List<?>) ports) {
            assertThat(port).as("port mapping of %s", serviceName).isInstanceOf(String.class);
            String[] parts = ((String) port).split(":");
            published.put(Integer.valueOf(parts[parts.length - 2]), Integer.valueOf(parts[parts.length - 1]));
        }
        return published;
    }

    private List<String> advertisedListeners() {
        return listeners(environment("kafka").get("KAFKA_ADVERTISED_LISTENERS")).values().stream()
                .map(listener -> listener.host() + ":" + listener.port())
                .toList();
    }

    /** A listener list such as {@code PLAINTEXT://kafka:9092,EXTERNAL://:9094}, by listener name. */
    private static Map<String, Listener> listeners(String list) {
        assertThat(list).isNotBlank();
        Map<String, Listener> listeners = new LinkedHashMap<>();
        Pattern listener = Pattern.compile("([A-Za-z_]+)://([^:,]*):(\\d+)");
        for (String entry : list.split(",")) {
            Matcher matcher = listener.matcher(entry.trim());
            assertThat(matcher.matches()).as("listener %s", entry).isTrue();
            listeners.put(matcher.group(1),
                    new Listener(matcher.group(1), matcher.group(2), Integer.parseInt(matcher.group(3))));
        }
        return listeners;
    }

    private record Listener(String name, String host, int port) {
    }

    private static String valueAfter(String option, String commandLine) {
        Matcher matcher = Pattern.compile("(?:^|\\s)" + Pattern.quote(option) + "[\\s=]+(\\S+)").matcher(commandLine);
        assertThat(matcher.find()).as("%s in: %s", option, commandLine).isTrue();
        return matcher.group(1);
    }

    private static String optionalValueAfter(String option, String commandLine, String fallback) {
        return commandLine.contains(option + " ") || commandLine.contains(option + "=")
                ? valueAfter(option, commandLine) : fallback;
    }

    private static int portAfter(String prefix, String text) {
        Matcher matcher = Pattern.compile(Pattern.quote(prefix) + "(\\d+)").matcher(text);
        assertThat(matcher.find()).as("%s in: %s", prefix, text).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    /** The Dockerfile's lines from its last FROM on, continuation lines joined. */
    private static List<String> runtimeStage() throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            String trimmed = line.trim();
            if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                instructions.add(current.append(trimmed).toString());
                current.setLength(0);
            }
        }
        int lastFrom = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        assertThat(instructions.get(lastFrom)).startsWith("FROM ");
        return instructions.subList(lastFrom, instructions.size());
    }

    private static String directChild(Element parent, String tagName) {
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(tagName)) {
                return element.getTextContent().trim();
            }
        }
        throw new AssertionError("no <%s> in <%s>".formatted(tagName, parent.getTagName()));
    }


}
