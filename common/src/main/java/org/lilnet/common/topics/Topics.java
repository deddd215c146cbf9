package org.lilnet.common.topics;

import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.DeadLetter;
import org.lilnet.events.DetectTask;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.SliceDetections;
import org.lilnet.events.StudyArrived;

import java.util.List;
import java.util.Optional;

/**
 * The catalog of topics: every service, tool, test and manifest takes topic names from here, so that no topic
 * name is written twice. studies and predictions have the same partition count because the aggregator joins
 * them by case id (co-partitioning).
 */
public final class Topics {

    private Topics() {
    }

    public static final Topic<StudyArrived> STUDIES = new Topic<>("lilnet.studies.v1", "case id", StudyArrived.class, 6,
            "ingest-service", "aggregator, dashboards");

    public static final Topic<DetectTask> DETECT_TASKS = new Topic<>("lilnet.detect-tasks.v1", "series UID/chunk index",
            DetectTask.class, 12, "ingest-service", "detector-worker");

    public static final Topic<SliceDetections> DETECTIONS = new Topic<>("lilnet.detections.v1", "series UID/chunk index",
            SliceDetections.class, 12, "detector-worker", "classifier-worker");

    public static final Topic<ChunkPredictions> PREDICTIONS = new Topic<>("lilnet.predictions.v1", "case id",
            ChunkPredictions.class, 6, "classifier-worker", "aggregator");

    public static final Topic<Diagnosis> DIAGNOSES = new Topic<>("lilnet.diagnoses.v1", "case id", Diagnosis.class, 6,
            "aggregator", "integration engines, dashboards");

    public static final Topic<DeadLetter> DEAD_LETTERS = new Topic<>("lilnet.dead-letters.v1", "key of the original record",
            DeadLetter.class, 3, "every service", "operators");

    public static final List<Topic<?>> ALL = List.of(STUDIES, DETECT_TASKS, DETECTIONS, PREDICTIONS, DIAGNOSES, DEAD_LETTERS);

    public static Optional<Topic<?>> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Markdown table of the catalog, for the docs. */
    public static String markdown() {
        StringBuilder out = new StringBuilder("| topic | key | value | partitions | producers | consumers |\n|---|---|---|---|---|---|\n");
        for (Topic<?> t : ALL) {
            out.append("| `").append(t.name()).append("` | ").append(t.keyMeaning()).append(" | ")
                    .append(t.valueType().getSimpleName()).append(" | ").append(t.defaultPartitions()).append(" | ")
                    .append(t.producers()).append(" | ").append(t.consumers()).append(" |\n");
        }
        return out.toString();
    }
}
