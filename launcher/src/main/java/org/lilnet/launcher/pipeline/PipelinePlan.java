package org.lilnet.launcher.pipeline;

import org.lilnet.aggregator.AggregatorConfig;
import org.lilnet.classifier.ClassifierConfig;
import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.ConfigException;
import org.lilnet.detector.DetectorConfig;
import org.lilnet.inference.InferenceKeys;
import org.lilnet.ingest.IngestConfig;
import org.lilnet.launcher.ServiceCatalog;
import org.lilnet.launcher.ServiceCatalog.ServiceEntry;
import org.lilnet.stack.FreePorts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of every service instance of a pipeline, written from its keys' definitions and checked by the
 * same validation the service runs at start-up: one blob store under the run's directory, the ingest-service on the
 * given endpoint, each worker instance with its own temp directory, the aggregator with its state directory.
 */
public final class PipelinePlan {

    /** One service instance: its catalog entry, instance name and settings (its configuration file). */
    public record ServiceConfig(ServiceEntry entry, String name, Map<String, String> settings) {
        public ServiceConfig {
            settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }
    }

    private final String bootstrapServers;
    private final String registryUrl;
    private final PipelineOptions options;

    private PipelinePlan(String bootstrapServers, String registryUrl, PipelineOptions options) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.options = options;
    }

    /** Ingest, then the detectors, the classifiers and the aggregator. */
    public static List<ServiceConfig> services(String bootstrapServers, String registryUrl, PipelineOptions options,
                                               LocalPipeline.IngestEndpoint ingest) {
        return new PipelinePlan(bootstrapServers, registryUrl, options).plan(ingest);
    }

    private List<ServiceConfig> plan(LocalPipeline.IngestEndpoint ingest) {
        List<ServiceConfig> plan = new ArrayList<>();
        Path blobs = options.work().resolve("blobs");
        Map<String, String> ingestSettings = new LinkedHashMap<>();
        ingestSettings.put(CommonKeys.BLOB_STORE_DIR.name(), blobs.toString());
        ingestSettings.put(IngestConfig.DICOM_HOST.name(), ingest.host());
        ingestSettings.put(IngestConfig.DICOM_PORT.name(), String.valueOf(ingest.dicomPort()));
        ingestSettings.put(IngestConfig.AE_TITLE.name(), ingest.aeTitle());
        ingestSettings.put(IngestConfig.DICOMWEB_HOST.name(), ingest.host());
        ingestSettings.put(IngestConfig.DICOMWEB_PORT.name(), String.valueOf(ingest.stowPort()));
        ingestSettings.put(IngestConfig.QUIET_PERIOD.name(), IngestConfig.QUIET_PERIOD.format(options.quietPeriod()));
        ingestSettings.put(IngestConfig.CHUNK_SLICES.name(), String.valueOf(options.chunkSlices()));
        ingestSettings.put(IngestConfig.STATE_DIR.name(), options.work().resolve("ingest/state").toString());
        ingestSettings.put(IngestConfig.SPOOL_DIR.name(), options.work().resolve("ingest/spool").toString());
        plan.add(instance(ServiceCatalog.INGEST, ServiceCatalog.INGEST.name(), IngestConfig.DEFAULT_HTTP_PORT, ingestSettings));
        for (int i = 1; i <= options.detectors(); i++) {
            plan.add(worker(ServiceCatalog.DETECTOR, i, options.detectors(), DetectorConfig.DEFAULT_HTTP_PORT,
                    DetectorConfig.WORKER.consumerGroup().name(), blobs));
        }
        for (int i = 1; i <= options.classifiers(); i++) {
            plan.add(worker(ServiceCatalog.CLASSIFIER, i, options.classifiers(), ClassifierConfig.DEFAULT_HTTP_PORT,
                    ClassifierConfig.WORKER.consumerGroup().name(), blobs));
        }
        Map<String, String> aggregator = new LinkedHashMap<>();
        aggregator.put(AggregatorConfig.STATE_DIR.name(), options.work().resolve("aggregator").toString());
        aggregator.put(AggregatorConfig.SINGLE_PHASE_GRACE.name(), AggregatorConfig.SINGLE_PHASE_GRACE.format(options.singlePhaseGrace()));
        if (options.namespace() != null) {
            aggregator.put(AggregatorConfig.APPLICATION_ID.name(), AggregatorConfig.APPLICATION_ID.defaultValue().orElseThrow() + "-" + options.namespace());
        }
        plan.add(instance(ServiceCatalog.AGGREGATOR, ServiceCatalog.AGGREGATOR.name(), AggregatorConfig.DEFAULT_HTTP_PORT, aggregator));
        return plan;
    }

    private ServiceConfig worker(ServiceEntry entry, int index, int count, int defaultPort, String groupKey, Path blobs) {
        String name = count == 1 ? entry.name() : entry.name() + "-" + index;
        Map<String, String> own = new LinkedHashMap<>();
        own.put(CommonKeys.BLOB_STORE_DIR.name(), blobs.toString());
        own.put(InferenceKeys.MODELS_MANIFEST.name(), options.modelsManifest().toAbsolutePath().toString());
        own.put(InferenceKeys.TEMP_DIR.name(), options.work().resolve("tmp").resolve(name).toString());
        if (options.namespace() != null) {
            own.put(groupKey, entry.name() + "-" + options.namespace());
        }
        return instance(entry, name, index == 1 ? defaultPort : 0, own);
    }

    private ServiceConfig instance(ServiceEntry entry, String name, int fixedPort, Map<String, String> own) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(CommonKeys.KAFKA_BOOTSTRAP_SERVERS.name(), bootstrapServers);
        settings.put(CommonKeys.REGISTRY_URL.name(), registryUrl);
        settings.put(CommonKeys.INSTANCE_ID.name(), options.namespace() == null ? name : name + "-" + options.namespace());
        settings.put(CommonKeys.HTTP_HOST.name(), "127.0.0.1");
        settings.put("http.port", String.valueOf(options.fixedPorts() && fixedPort > 0 ? fixedPort : FreePorts.allocate(1)[0]));
        settings.putAll(own);
        settings.putAll(options.extraSettings().getOrDefault(entry.name(), Map.of()));
        try {
            // the same validation the service runs at start-up, before any process is started
            entry.configuration().load(settings, Map.of());
        } catch (ConfigException e) {
            throw new IllegalArgumentException("the configuration generated for " + name + " is refused: " + e.getMessage(), e);
        }
        return new ServiceConfig(entry, name, settings);
    }
}
