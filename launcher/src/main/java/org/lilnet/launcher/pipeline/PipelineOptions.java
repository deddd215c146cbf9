package org.lilnet.launcher.pipeline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link LocalPipeline} runs the four services.
 *
 * @param work             directory of the run: configuration files, logs, blob store, service state
 * @param modelsManifest   the model manifest both workers load ({@code models/manifest.json})
 * @param quietPeriod      ingest: a study is complete when nothing of it arrived for this long
 * @param chunkSlices      ingest: slices per detect task
 * @param singlePhaseGrace aggregator: how long a case with one phase waits for the other
 * @param detectors        detector-worker instances (one consumer group)
 * @param classifiers      classifier-worker instances (one consumer group)
 * @param fixedPorts       true: the services' default ports (DICOM 11112, STOW-RS 28190, operations 28180-28183, a second
 *                         instance of a worker on the next free port); false: free ports
 * @param namespace        null: the production consumer groups and aggregator application id (a pipeline on an existing
 *                         cluster joins them); otherwise a suffix that gives this pipeline groups of its own (tests)
 * @param extraSettings    more settings by service name ({@code ingest-service}, {@code detector-worker}, ...), e.g. Kafka
 *                         timeouts for failure tests; they win over the generated ones
 */
public record PipelineOptions(Path work, Path modelsManifest, Duration quietPeriod, int chunkSlices, Duration singlePhaseGrace,
                              int detectors, int classifiers, boolean fixedPorts, String namespace,
                              Map<String, Map<String, String>> extraSettings) {

    /** Ingest's quiet period for a local run: studies are sent one after another, so a few seconds tell them apart. */
    public static final Duration LOCAL_QUIET_PERIOD = Duration.ofSeconds(3);

    public PipelineOptions {
        if (detectors < 1 || classifiers < 1) {
            throw new IllegalArgumentException("at least one detector and one classifier: " + detectors + ", " + classifiers);
        }
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        extraSettings.forEach((service, settings) -> copy.put(service, Map.copyOf(settings)));
        extraSettings = Map.copyOf(copy);
    }

    public static PipelineOptions defaults(Path work, Path modelsManifest) {
        return new PipelineOptions(work, modelsManifest, LOCAL_QUIET_PERIOD, 32, Duration.ofSeconds(15), 1, 1, false, null, Map.of());
    }

    public PipelineOptions withQuietPeriod(Duration d) {
        return new PipelineOptions(work, modelsManifest, d, chunkSlices, singlePhaseGrace, detectors, classifiers, fixedPorts, namespace, extraSettings);
    }

    public PipelineOptions withChunkSlices(int n) {
        return new PipelineOptions(work, modelsManifest, quietPeriod, n, singlePhaseGrace, detectors, classifiers, fixedPorts, namespace, extraSettings);
    }

    public PipelineOptions withSinglePhaseGrace(Duration d) {
        return new PipelineOptions(work, modelsManifest, quietPeriod, chunkSlices, d, detectors, classifiers, fixedPorts, namespace, extraSettings);
    }

    public PipelineOptions withWorkers(int detectorCount, int classifierCount) {
        return new PipelineOptions(work, modelsManifest, quietPeriod, chunkSlices, singlePhaseGrace, detectorCount, classifierCount, fixedPorts,
                namespace, extraSettings);
    }

    public PipelineOptions withFixedPorts(boolean fixed) {
        return new PipelineOptions(work, modelsManifest, quietPeriod, chunkSlices, singlePhaseGrace, detectors, classifiers, fixed, namespace,
                extraSettings);
    }

    public PipelineOptions withNamespace(String suffix) {
        return new PipelineOptions(work, modelsManifest, quietPeriod, chunkSlices, singlePhaseGrace, detectors, classifiers, fixedPorts, suffix,
                extraSettings);
    }

    /** Adds settings for one service (by its catalog name), e.g. {@code "detector-worker", Map.of("kafka.session.timeout.ms", "6000")}. */
    public PipelineOptions withSettings(String service, Map<String, String> settings) {
        Map<String, Map<String, String>> more = new LinkedHashMap<>(extraSettings);
        Map<String, String> merged = new LinkedHashMap<>(more.getOrDefault(service, Map.of()));
        merged.putAll(settings);
        more.put(service, merged);
        return new PipelineOptions(work, modelsManifest, quietPeriod, chunkSlices, singlePhaseGrace, detectors, classifiers, fixedPorts, namespace,
                more);
    }
}
