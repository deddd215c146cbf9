package org.lilnet.launcher.pipeline;

import org.junit.jupiter.api.Test;
import org.lilnet.launcher.ServiceCatalog;
import org.lilnet.launcher.pipeline.PipelinePlan.ServiceConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelinePlanTest {

    private static final LocalPipeline.IngestEndpoint INGEST = new LocalPipeline.IngestEndpoint("127.0.0.1", 41112, "LILNET", 41190);
    private final PipelineOptions options = PipelineOptions.defaults(Path.of("/tmp/run"), Path.of("/tmp/models/manifest.json"));

    @Test
    void everyServiceGetsAConfigurationItsOwnValidationAcceptsSharingOneBlobStore() {
        List<ServiceConfig> plan = PipelinePlan.services("127.0.0.1:9092", "http://127.0.0.1:8080", options.withWorkers(2, 1), INGEST);

        assertThat(plan).extracting(ServiceConfig::name)
                .containsExactly("ingest-service", "detector-worker-1", "detector-worker-2", "classifier-worker", "aggregator");
        for (ServiceConfig c : plan) {
            // the services' own start-up check, again, from the written settings
            c.entry().configuration().load(c.settings(), Map.of());
            assertThat(c.settings()).containsEntry("kafka.bootstrap.servers", "127.0.0.1:9092")
                    .containsEntry("registry.url", "http://127.0.0.1:8080").containsEntry("http.host", "127.0.0.1");
        }
        assertThat(plan.stream().filter(c -> !c.name().equals("aggregator")).map(c -> c.settings().get("blob.store.dir")).distinct())
                .containsExactly("/tmp/run/blobs");
        assertThat(plan.stream().map(c -> c.settings().get("http.port")).distinct()).hasSize(plan.size());
        assertThat(plan.stream().map(c -> c.settings().get("instance.id")).distinct()).hasSize(plan.size());
        ServiceConfig ingest = plan.get(0);
        assertThat(ingest.settings()).containsEntry("dicom.port", "41112").containsEntry("dicomweb.port", "41190")
                .containsEntry("ingest.quiet-period", "3s").containsEntry("dicom.ae-title", "LILNET");
        assertThat(plan.get(1).settings()).containsEntry("models.manifest", "/tmp/models/manifest.json")
                .containsEntry("temp.dir", "/tmp/run/tmp/detector-worker-1").doesNotContainKey("consumer.group");
        assertThat(plan.get(4).settings()).containsEntry("aggregator.single-phase.grace", "15s").doesNotContainKey("aggregator.application.id");
    }

    @Test
    void fixedPortsAreTheServicesDefaultsAndASecondInstanceGetsAnotherOne() {
        List<ServiceConfig> plan = PipelinePlan.services("k:9092", "http://r:8080", options.withFixedPorts(true).withWorkers(2, 1), INGEST);

        assertThat(plan).extracting(c -> c.settings().get("http.port")).startsWith("28180", "28181").contains("28182", "28183");
        assertThat(plan.get(2).settings().get("http.port")).isNotIn("28180", "28181", "28182", "28183");
    }

    @Test
    void aNamespaceGivesThePipelineConsumerGroupsAndAnApplicationIdOfItsOwn() {
        List<ServiceConfig> plan = PipelinePlan.services("k:9092", "http://r:8080", options.withNamespace("t1"), INGEST);

        assertThat(plan.get(1).settings()).containsEntry("consumer.group", "detector-worker-t1").containsEntry("instance.id", "detector-worker-t1");
        assertThat(plan.get(2).settings()).containsEntry("consumer.group", "classifier-worker-t1");
        assertThat(plan.get(3).settings()).containsEntry("aggregator.application.id", "lilnet-aggregator-t1");
    }

    @Test
    void extraSettingsWinAndABadOneIsRefusedBeforeAnythingStarts() {
        List<ServiceConfig> plan = PipelinePlan.services("k:9092", "http://r:8080", options
                .withSettings(ServiceCatalog.DETECTOR.name(), Map.of("kafka.session.timeout.ms", "6000", "batch.max.size", "2"))
                .withQuietPeriod(Duration.ofMillis(1500)), INGEST);
        assertThat(plan.get(1).settings()).containsEntry("kafka.session.timeout.ms", "6000").containsEntry("batch.max.size", "2");
        assertThat(plan.get(0).settings()).containsEntry("ingest.quiet-period", "1500ms");

        assertThatThrownBy(() -> PipelinePlan.services("k:9092", "http://r:8080",
                options.withSettings(ServiceCatalog.AGGREGATOR.name(), Map.of("aggregator.lesion.max-slice-gap", "99")), INGEST))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aggregator").hasMessageContaining("aggregator.lesion.max-slice-gap");
    }
}
