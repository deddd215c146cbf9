package org.lilnet.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.launcher.ServiceCatalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each check of {@link ManifestChecks} fails on a deliberately broken manifest: a copy of deploy/ with one edit, the
 * edit asserted to have happened (so a test cannot pass by breaking nothing), and the problem asserted by its words.
 */
class BrokenManifestsTest {

    @TempDir
    static Path copies;

    private static int copyCount;

    @BeforeAll
    static void theUnbrokenTreeIsClean() {
        Path root = copy();
        assertThat(check(root, ManifestChecks::all)).isEmpty();
    }

    // ---- configuration keys ----

    @Test
    void unknownKeyInAPropertiesFile() {
        assertThat(broken("deploy/k8s/base/config/detector-worker.properties", "consumer.group=", "consumer.groups=", ManifestChecks::configurationKeys))
                .anyMatch(p -> p.contains("'consumer.groups' is not a configuration key of detector-worker"));
    }

    @Test
    void unknownEnvironmentVariable() {
        assertThat(broken("deploy/compose/compose.yaml", "LILNET_INGEST_QUIET_PERIOD:", "LILNET_INGEST_QUIET_PERIODE:", ManifestChecks::configurationKeys))
                .anyMatch(p -> p.contains("LILNET_INGEST_QUIET_PERIODE is not a configuration variable of ingest-service"));
    }

    @Test
    void invalidValueOfAKnownKey() {
        assertThat(broken("deploy/k8s/overlays/gpu/gpu-workers.yaml", "value: \"128\"", "value: \"0\"", ManifestChecks::configurationKeys))
                .anyMatch(p -> p.contains("LILNET_BATCH_MAX_SIZE") && p.contains("'batch.max.size' = '0' is invalid"));
    }

    @Test
    void unknownKafkaClientSetting() {
        assertThat(broken("deploy/k8s/base/config/aggregator.properties", "kafka.sasl.mechanism=", "kafka.sasl.mechanisms=", ManifestChecks::configurationKeys))
                .anyMatch(p -> p.contains("'kafka.sasl.mechanisms'") && p.contains("not a Kafka client setting"));
    }

    @Test
    void streamsSettingOnlyForTheStreamsService() {
        assertThat(broken("deploy/k8s/base/config/classifier-worker.properties", "kafka.session.timeout.ms=20000",
                "kafka.num.standby.replicas=1", ManifestChecks::configurationKeys))
                .anyMatch(p -> p.contains("'kafka.num.standby.replicas'") && p.contains("classifier-worker"));
    }

    // ---- topics ----

    @Test
    void topicWithOtherPartitionsThanTheCatalog() {
        assertThat(broken("deploy/k8s/base/kafka/topics.yaml", "topicName: lilnet.detect-tasks.v1\n  partitions: 12",
                "topicName: lilnet.detect-tasks.v1\n  partitions: 8", ManifestChecks::topics))
                .anyMatch(p -> p.contains("lilnet.detect-tasks.v1 has 8 partitions, the catalog says 12"));
    }

    @Test
    void topicNameNotInTheCatalog() {
        assertThat(broken("deploy/k8s/base/autoscaling/keda.yaml", "topic: lilnet.detections.v1", "topic: lilnet.detection.v1", ManifestChecks::topics))
                .anyMatch(p -> p.contains("names topic lilnet.detection.v1, which is not in the topic catalog"));
    }

    // ---- images and Dockerfiles ----

    @Test
    void imageWithoutDockerfile() {
        assertThat(broken("deploy/k8s/base/services/aggregator.yaml", "image: lilnet/aggregator:", "image: lilnet/aggregater:", ManifestChecks::images))
                .anyMatch(p -> p.contains("lilnet/aggregater:0.1.0 has no Dockerfile"));
    }

    @Test
    void thirdPartyImageNotPinned() {
        assertThat(broken("deploy/compose/compose.yaml", "image: postgres:17.6", "image: postgres", ManifestChecks::images))
                .anyMatch(p -> p.contains("image postgres is not pinned"));
    }

    @Test
    void dockerfileRunningAsRoot() {
        assertThat(broken("deploy/docker/ingest-service/Dockerfile", "USER 10001:10001", "USER root", ManifestChecks::dockerfiles))
                .anyMatch(p -> p.contains("ingest-service/Dockerfile: the runtime stage runs as root"));
    }

    @Test
    void dockerfileStartingAClassThatDoesNotExist() {
        assertThat(broken("deploy/docker/aggregator/Dockerfile", "org.lilnet.aggregator.AggregatorMain", "org.lilnet.aggregator.AggregatorMane",
                ManifestChecks::dockerfiles))
                .anyMatch(p -> p.contains("AggregatorMane is not a class with a main method"));
    }

    @Test
    void gpuDockerfileWithoutTheGpuProfile() {
        assertThat(broken("deploy/docker/classifier-worker-gpu/Dockerfile", "mvn -B -q -Pgpu ", "mvn -B -q ", ManifestChecks::dockerfiles))
                .anyMatch(p -> p.contains("a GPU image built without the gpu profile"));
    }

    // ---- metrics ----

    @Test
    void dashboardMetricNobodyExports() {
        assertThat(broken("deploy/monitoring/grafana/dashboards/lilnet-stream.json", "rate(lilnet_worker_batch_size_sum[",
                "rate(lilnet_worker_batch_sizes_sum[", ManifestChecks::metrics))
                .anyMatch(p -> p.contains("lilnet_worker_batch_sizes_sum is not exported by any service"));
    }

    @Test
    void dashboardGroupingByALabelTheMetricLacks() {
        assertThat(broken("deploy/monitoring/grafana/dashboards/lilnet-stream.json", "sum by (status) (rate(lilnet_aggregator_diagnoses_total",
                "sum by (state) (rate(lilnet_aggregator_diagnoses_total", ManifestChecks::metrics))
                .anyMatch(p -> p.contains("groups by state, a label none of its metrics has"));
    }

    @Test
    void alertOnAMetricNobodyExports() {
        assertThat(broken("deploy/monitoring/prometheus/lilnet-alerts.yml", "sum by (service) (lilnet_worker_queue_lag_records)",
                "sum by (service) (lilnet_worker_queue_lag)", ManifestChecks::metrics))
                .anyMatch(p -> p.contains("rule LilnetWorkerBacklog: lilnet_worker_queue_lag is not exported by any service"));
    }

    @Test
    void alertsDriftingApart() {
        assertThat(broken("deploy/monitoring/prometheus/lilnet-alerts.yml", "> 200", "> 300", ManifestChecks::alertsInSync))
                .anyMatch(p -> p.contains("its groups differ"));
    }

    // ---- autoscaling, Kafka access, workloads ----

    @Test
    void scalingOnAnotherGroup() {
        assertThat(broken("deploy/k8s/base/autoscaling/keda.yaml", "consumerGroup: classifier-worker", "consumerGroup: classifier-workers",
                ManifestChecks::autoscalingAndAccess))
                .anyMatch(p -> p.contains("consumerGroup classifier-workers is not the group of classifier-worker"));
    }

    @Test
    void scalingBeyondThePartitions() {
        assertThat(broken("deploy/k8s/overlays/gpu/gpu-scaling.yaml", "maxReplicaCount: 4", "maxReplicaCount: 16", ManifestChecks::autoscalingAndAccess))
                .anyMatch(p -> p.contains("maxReplicaCount 16 is above the partitions of lilnet.detect-tasks.v1"));
    }

    @Test
    void userThatMayNotReadWhatItConsumes() {
        assertThat(broken("deploy/k8s/base/kafka/users.yaml", "{type: topic, name: lilnet.predictions.v1, patternType: literal}\n        operations: [Read, Describe]",
                "{type: topic, name: lilnet.predictions.v1, patternType: literal}\n        operations: [Describe]", ManifestChecks::autoscalingAndAccess))
                .anyMatch(p -> p.contains("aggregator consumes lilnet.predictions.v1 but may not read it"));
    }

    @Test
    void probeOnTheWrongPath() {
        assertThat(broken("deploy/k8s/base/services/classifier-worker.yaml", "path: /health/live, port: http}\n            periodSeconds: 20",
                "path: /healthz, port: http}\n            periodSeconds: 20", ManifestChecks::workloads))
                .anyMatch(p -> p.contains("livenessProbe asks /healthz, expected /health/live"));
    }

    @Test
    void gpuWorkerWithoutTheCudaProvider() {
        assertThat(broken("deploy/k8s/overlays/gpu/gpu-workers.yaml", "value: cuda\n            - name: LILNET_BATCH_MAX_SIZE\n              value: \"32\"",
                "value: cpu\n            - name: LILNET_BATCH_MAX_SIZE\n              value: \"32\"", ManifestChecks::workloads))
                .anyMatch(p -> p.contains("detector-worker: asks for a GPU but does not set LILNET_INFERENCE_EXECUTION_PROVIDER=cuda"));
    }

    @Test
    void missingDisruptionBudget() {
        assertThat(broken("deploy/k8s/base/services/disruption-budgets.yaml", "app.kubernetes.io/name: aggregator", "app.kubernetes.io/name: aggregator-old",
                ManifestChecks::workloads))
                .anyMatch(p -> p.contains("no PodDisruptionBudget selects its pods"));
        assertThat(ServiceCatalog.AGGREGATOR.name()).isEqualTo("aggregator");
    }

    @Test
    void kustomizationNamingAMissingFile() {
        assertThat(broken("deploy/k8s/base/kustomization.yaml", "files: [config/aggregator.properties]", "files: [config/aggregator.props]",
                ManifestChecks::kustomizations))
                .anyMatch(p -> p.contains("config/aggregator.props does not exist"));
    }

    // ---- helpers ----

    /** Copies the tree, replaces {@code from} by {@code to} in one file (asserting it was there), runs one check. */
    private static List<String> broken(String file, String from, String to, Function<ManifestChecks, List<String>> check) {
        Path root = copy();
        Path target = root.resolve(file);
        try {
            String text = Files.readString(target, StandardCharsets.UTF_8);
            assertThat(text).as("the text to break in " + file).contains(from);
            Files.writeString(target, text.replace(from, to), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> problems = check(root, check);
        assertThat(problems).as("problems of the broken " + file).isNotEmpty();
        return problems;
    }

    private static List<String> check(Path root, Function<ManifestChecks, List<String>> check) {
        return check.apply(new ManifestChecks(DeployTree.load(root), ExportedMetrics.read(root)));
    }

    /** deploy/ (manifests and the recorded metrics) and the service modules' poms, into a fresh directory. */
    private static synchronized Path copy() {
        Path source = DeployTree.repositoryRoot();
        Path root = copies.resolve("copy-" + (copyCount++));
        try {
            copyTree(source.resolve("deploy"), root.resolve("deploy"));
            for (String module : Stream.concat(ServiceCatalog.ALL.stream().map(ServiceCatalog.ServiceEntry::name),
                    Stream.of(ServiceFacts.LAUNCHER_MODULE)).toList()) {
                Files.createDirectories(root.resolve(module));
                Files.copy(source.resolve(module).resolve("pom.xml"), root.resolve(module).resolve("pom.xml"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.filter(p -> !from.relativize(p).startsWith("target") && !from.relativize(p).startsWith("src")).toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }
}
