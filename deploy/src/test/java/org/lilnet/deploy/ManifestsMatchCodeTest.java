package org.lilnet.deploy;

import org.junit.jupiter.api.Test;
import org.lilnet.common.topics.Topics;
import org.lilnet.launcher.ServiceCatalog;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Done-when 1 of the deploy issue: every manifest under deploy/ (Dockerfiles, Compose, Kubernetes, kustomizations,
 * properties, Prometheus rules, the Grafana dashboard) agrees with the code: configuration keys with the services'
 * definitions, topics with the catalog, images with the Dockerfiles, metrics with what the services export. Each check
 * also says how much it looked at, so that an empty tree cannot pass. BrokenManifestsTest shows each check failing.
 */
class ManifestsMatchCodeTest {

    private static final DeployTree TREE = DeployTree.load(DeployTree.repositoryRoot());
    private static final ManifestChecks CHECKS = new ManifestChecks(TREE, ExportedMetrics.read(DeployTree.repositoryRoot()));

    @Test
    void everyManifestParses() {
        assertThat(TREE.parseErrors()).isEmpty();
        assertThat(TREE.dockerfiles()).hasSizeGreaterThanOrEqualTo(ServiceCatalog.ALL.size());
        assertThat(TREE.composeDocs()).isNotEmpty();
        assertThat(TREE.kubernetesDocs()).hasSizeGreaterThan(20);
        assertThat(TREE.dashboards()).isNotEmpty();
    }

    @Test
    void configurationKeysAreTheServicesOwn() {
        assertThat(CHECKS.configurationKeys()).isEmpty();
        assertThat(CHECKS.counts().get("configuration keys")).isGreaterThan(40);
        assertThat(CHECKS.counts().get("configuration variables")).isGreaterThan(15);
    }

    @Test
    void topicsAreTheCatalogsWithItsPartitions() {
        assertThat(CHECKS.topics()).isEmpty();
        assertThat(CHECKS.counts().get("KafkaTopic resources")).isEqualTo(Topics.ALL.size());
        assertThat(CHECKS.counts().get("topic names")).isGreaterThan(Topics.ALL.size());
    }

    @Test
    void imagesAreBuiltByDockerfilesOfTheRepository() {
        assertThat(CHECKS.images()).isEmpty();
        assertThat(CHECKS.counts().get("images")).isGreaterThan(10);
    }

    @Test
    void dockerfilesStartTheServicesOfTheCatalog() {
        assertThat(CHECKS.dockerfiles()).isEmpty();
        assertThat(CHECKS.counts().get("Dockerfiles")).isEqualTo(TREE.dockerfiles().size());
    }

    @Test
    void metricsAreOnesTheServicesExport() {
        assertThat(CHECKS.metrics()).isEmpty();
        assertThat(CHECKS.counts().get("PromQL expressions")).isGreaterThan(20);
        assertThat(CHECKS.counts().get("metrics referenced")).isGreaterThan(30);
    }

    @Test
    void autoscalingAndKafkaAccessFollowTheCatalog() {
        assertThat(CHECKS.autoscalingAndAccess()).isEmpty();
        assertThat(CHECKS.counts().get("ScaledObjects")).isEqualTo(2);
        assertThat(CHECKS.counts().get("KafkaUsers")).isEqualTo(ServiceCatalog.ALL.size() + 1);
    }

    @Test
    void workloadsHaveProbesResourcesBudgetsAndGpus() {
        assertThat(CHECKS.workloads()).isEmpty();
        assertThat(CHECKS.counts().get("workloads")).isEqualTo(ServiceCatalog.ALL.size());
    }

    @Test
    void alertsAreOneSetAndReferencesResolve() {
        assertThat(CHECKS.alertsInSync()).isEmpty();
        assertThat(CHECKS.counts().get("PrometheusRules")).isEqualTo(1);
        assertThat(CHECKS.kustomizations()).isEmpty();
        assertThat(CHECKS.counts().get("kustomize references")).isGreaterThan(15);
    }
}
