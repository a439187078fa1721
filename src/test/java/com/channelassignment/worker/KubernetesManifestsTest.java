package com.channelassignment.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kustomize base in {@code deploy/kubernetes/base}, rendered by {@code kubectl kustomize} and read into the
 * Kubernetes API's object model (fabric8): a field the API does not have, or a value of the wrong type, fails here
 * rather than at {@code kubectl apply}. Then what the worker needs of it: probes on the health groups, memory for a
 * 512 MB heap, credentials from a Secret, Prometheus annotations, selectors that find the pods.
 */
class KubernetesManifestsTest {

    private static final String BASE = "deploy/kubernetes/base";
    // Each kind the base renders, and the API type it must be.
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Deployment", Deployment.class, "Service", Service.class, "ConfigMap", ConfigMap.class,
            "PodDisruptionBudget", PodDisruptionBudget.class);
    private static final ObjectMapper MODEL = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private static List<HasMetadata> objects;

    @BeforeAll
    static void render() {
        objects = new ArrayList<>();
        for (JsonNode document : documents(kustomize(BASE))) {
            String kind = document.path("kind").asText();
            assertThat(KINDS).as("kinds the base may render").containsKey(kind);
            HasMetadata object = MODEL.convertValue(document, KINDS.get(kind));
            assertThat(unknownFields(object, kind)).as("fields the Kubernetes API does not have").isEmpty();
            objects.add(object);
        }
    }

    @Test
    void rendersADeploymentAServiceAConfigMapAndADisruptionBudget() {
        assertThat(objects).extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder("Deployment", "Service", "ConfigMap", "PodDisruptionBudget");
    }

    @Test
    void probesTheHealthGroupsOnTheApiPort() {
        Container worker = worker();
        // /livez and /readyz: the liveness and readiness groups, on the API port (add-additional-paths).
        assertThat(path(worker.getStartupProbe())).isEqualTo("/livez");
        assertThat(path(worker.getLivenessProbe())).isEqualTo("/livez");
        assertThat(path(worker.getReadinessProbe())).isEqualTo("/readyz");
        for (Probe probe : List.of(worker.getStartupProbe(), worker.getLivenessProbe(), worker.getReadinessProbe())) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        }
        assertThat(containerPort("http")).isEqualTo(applicationYmlPort("server.port"));
        assertThat(containerPort("management")).isEqualTo(applicationYmlPort("management.server.port"));
    }

    @Test
    void givesTheHeapOfTheBenchmarkRoomToBreathe() {
        Container worker = worker();
        assertThat(configMap().getData().get("JAVA_TOOL_OPTIONS")).contains("-Xmx512m");
        Quantity limit = worker.getResources().getLimits().get("memory");
        Quantity request = worker.getResources().getRequests().get("memory");
        // The benchmark's worker, with a 512 MB heap, peaked at 623 MB resident (docs/performance.md).
        assertThat(request.getNumericalAmount()).isGreaterThanOrEqualTo(Quantity.parse("700Mi").getNumericalAmount());
        assertThat(limit.getNumericalAmount()).isGreaterThanOrEqualTo(request.getNumericalAmount());
        assertThat(worker.getResources().getRequests()).containsKey("cpu");
    }

    @Test
    void takesCredentialsFromASecretAndNothingSecretFromTheConfigMap() {
        assertThat(worker().getEnv()).filteredOn(env -> env.getName().contains("PASSWORD")
                || env.getName().contains("JAAS")).isNotEmpty()
                .allSatisfy(env -> assertThat(env.getValueFrom().getSecretKeyRef().getName())
                        .isEqualTo("channel-assignment-worker-credentials"));
        assertThat(configMap().getData().keySet()).noneMatch(name -> name.contains("PASSWORD")
                || name.contains("JAAS") || name.contains("USERNAME"));
        assertThat(worker().getEnvFrom().get(0).getConfigMapRef().getName())
                .isEqualTo(configMap().getMetadata().getName());
    }

    @Test
    void logsJsonAndIsScrapedByPrometheus() {
        assertThat(configMap().getData()).containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
        Map<String, String> annotations = deployment().getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/path", "/actuator/prometheus")
                .containsEntry("prometheus.io/port", Integer.toString(containerPort("management")));
    }

    @Test
    void theServiceAndTheBudgetSelectTheWorkersPods() {
        Map<String, String> podLabels = deployment().getSpec().getTemplate().getMetadata().getLabels();
        Service service = only(Service.class);
        PodDisruptionBudget budget = only(PodDisruptionBudget.class);
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector())
                .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels())
                .containsAllEntriesOf(deployment().getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getSelector()).isNotEmpty();
        // The API only: the actuator's port is for Prometheus inside the pod network, not for the Service's callers.
        assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(port -> assertThat(port.getTargetPort().getStrVal()).isEqualTo("http"));
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isLessThan(deployment().getSpec().getReplicas());
    }

    @Test
    void stopsWithinTheGracePeriodItGets() {
        // spring.lifecycle.timeout-per-shutdown-phase is 30 s: the batch in hand finishes before SIGKILL.
        assertThat(deployment().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .isGreaterThan(30);
    }

    private static Deployment deployment() {
        return only(Deployment.class);
    }

    private static ConfigMap configMap() {
        return only(ConfigMap.class);
    }

    private static Container worker() {
        List<Container> containers = deployment().getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static int applicationYmlPort(String property) {
        return Integer.parseInt(String.valueOf(ConfigurationSources.applicationYml().get(property)));
    }

    private static int containerPort(String name) {
        return worker().getPorts().stream().filter(port -> name.equals(port.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name)).getContainerPort();
    }

    private static String path(Probe probe) {
        return probe.getHttpGet().getPath();
    }

    private static <T extends HasMetadata> T only(Class<T> type) {
        List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(matching).as(type.getSimpleName()).hasSize(1);
        return matching.get(0);
    }

    /**
     * The fabric8 model keeps a field it does not know in each object's {@code additionalProperties} instead of
     * failing; every one found, with where it was.
     */
    private static List<String> unknownFields(Object object, String path) {
        List<String> unknown = new ArrayList<>();
        if (object instanceof Collection<?> collection) {
            int i = 0;
            for (Object element : collection) {
                unknown.addAll(unknownFields(element, path + "[" + i++ + "]"));
            }
            return unknown;
        }
        if (object instanceof Map<?, ?> map) {
            map.forEach((key, value) -> unknown.addAll(unknownFields(value, path + "." + key)));
            return unknown;
        }
        if (object == null || !object.getClass().getPackageName().startsWith("io.fabric8")) {
            return unknown;
        }
        for (Method getter : object.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = invoke(getter, object);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                unknown.addAll(unknownFields(value, path + "." + getter.getName().substring(3)));
            }
        }
        return unknown;
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + getter, e);
        }
    }

    /** {@code kubectl kustomize DIR}; kubectl must be installed (Debian's package), as on every CI machine. */
    private static String kustomize(String directory) {
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", directory).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to render " + directory + " and was not found: install it "
                    + "(apt-get install kubectl, or any kubectl 1.27+)", e);
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
            assertThat(process.exitValue()).as("kubectl kustomize %s: %s", directory, errors).isZero();
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<JsonNode> documents(String yaml) {
        try {
            YAMLMapper mapper = new YAMLMapper();
            List<JsonNode> documents = new ArrayList<>();
            try (var parser = new YAMLFactory().createParser(yaml)) {
                mapper.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
            }
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
