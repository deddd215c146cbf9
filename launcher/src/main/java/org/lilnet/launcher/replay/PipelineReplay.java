package org.lilnet.launcher.replay;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.lilnet.aggregator.AggregatorConfig;
import org.lilnet.aggregator.cases.ArrivedChunk;
import org.lilnet.aggregator.cases.CaseFusion;
import org.lilnet.aggregator.cases.CaseOutputs;
import org.lilnet.aggregator.cases.CaseSettings;
import org.lilnet.aggregator.cases.CaseState;
import org.lilnet.aggregator.cases.ChunkArchive;
import org.lilnet.aggregator.cases.SourceRef;
import org.lilnet.aggregator.lesion.LesionRule;
import org.lilnet.classifier.ClassifierConfig;
import org.lilnet.classifier.ClassifierStage;
import org.lilnet.classifier.CropLogits;
import org.lilnet.classifier.CropUnit;
import org.lilnet.common.topics.Topics;
import org.lilnet.detector.Detection;
import org.lilnet.detector.DetectorConfig;
import org.lilnet.detector.DetectorStage;
import org.lilnet.detector.HuWindow;
import org.lilnet.detector.SliceUnit;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.CropPrediction;
import org.lilnet.events.DetectTask;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.SliceDetections;
import org.lilnet.inference.InferenceRuntime;
import org.lilnet.inference.InferenceSettings;
import org.lilnet.inference.ModelContractException;
import org.lilnet.inference.ModelRole;
import org.lilnet.ingest.cases.CasePlan;
import org.lilnet.ingest.cases.CasePlanner;
import org.lilnet.ingest.cases.CaseSnapshot;
import org.lilnet.ingest.cases.InstanceRecord;
import org.lilnet.ingest.importer.DicomFolder;
import org.lilnet.ingest.intake.Intake;
import org.lilnet.ingest.intake.IntakeMetrics;
import org.lilnet.ingest.intake.Spool;
import org.lilnet.worker.BatchStage;
import org.lilnet.worker.Emit;
import org.lilnet.worker.TaskContext;
import org.lilnet.worker.TaskFailure;
import org.lilnet.worker.TaskTimings;
import org.lilnet.worker.WorkerMetrics;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The services' stage code on a folder of studies, in one process and without Kafka: what the system would diagnose,
 * for evaluating models through the real pre- and post-processing. Per study, as the services do it:
 * <ul>
 *   <li>ingest: every file judged by {@link Intake} (what is processable), the case planned by {@link CasePlanner}
 *       (phase recognition, one arterial and one portal venous series, slices ordered along the normal, chunks of
 *       {@code ingest.chunk-slices});</li>
 *   <li>detector-worker: {@link DetectorStage} on every chunk (window, resize, YOLO decoding, NMS, crops), batches of
 *       {@code batch.max.size} slices;</li>
 *   <li>classifier-worker: {@link ClassifierStage} on every chunk's crops;</li>
 *   <li>aggregator: {@link CaseFusion} (pooling, decision, lesions) with the StudyArrived and every chunk, then the
 *       passing of the single-phase grace period.</li>
 * </ul>
 * Nothing is re-implemented here: this class only carries each stage's output to the next one, as Kafka would.
 */
public final class PipelineReplay implements AutoCloseable {

    /** One crop as the aggregator received it, for analysis ({@code --crops}). */
    public record CropRecord(String caseId, String phase, String seriesInstanceUid, int sliceIndex, float[] box, float score,
                             float[] bm, float[] m, float[] b) {
    }

    /** The settings of the replay; defaults are the services' defaults. */
    public record Settings(Path manifest, int threads, HuWindow window, int chunkSlices, double preferredThicknessMm, int detectorBatch,
                           int classifierBatch, CaseSettings caseSettings) {

        public static Settings defaults(Path manifest) {
            return new Settings(manifest, 0,
                    new HuWindow(DetectorConfig.WINDOW_LEVEL.defaultValue().orElseThrow(), DetectorConfig.WINDOW_WIDTH.defaultValue().orElseThrow()),
                    org.lilnet.ingest.IngestConfig.CHUNK_SLICES.defaultValue().orElseThrow(),
                    org.lilnet.ingest.IngestConfig.PREFERRED_THICKNESS.defaultValue().orElseThrow(),
                    DetectorConfig.WORKER.maxBatch().defaultValue().orElseThrow(),
                    ClassifierConfig.WORKER.maxBatch().defaultValue().orElseThrow(),
                    new CaseSettings(AggregatorConfig.SINGLE_PHASE_GRACE.defaultValue().orElseThrow(),
                            AggregatorConfig.CASE_TIMEOUT.defaultValue().orElseThrow(), AggregatorConfig.CASE_RETENTION.defaultValue().orElseThrow(),
                            new LesionRule(AggregatorConfig.LESION_MIN_OVERLAP.defaultValue().orElseThrow(),
                                    AggregatorConfig.LESION_MAX_SLICE_GAP.defaultValue().orElseThrow())));
        }

        public Settings withThreads(int n) {
            return new Settings(manifest, n, window, chunkSlices, preferredThicknessMm, detectorBatch, classifierBatch, caseSettings);
        }

        public Settings withWindow(HuWindow w) {
            return new Settings(manifest, threads, w, chunkSlices, preferredThicknessMm, detectorBatch, classifierBatch, caseSettings);
        }
    }

    private final Settings settings;
    private final InferenceRuntime models;
    private final ReplayBlobStore blobs = new ReplayBlobStore();
    private final DetectorStage detector;
    private final ClassifierStage classifier;
    private final Intake intake;
    private final CasePlanner planner;

    public PipelineReplay(Settings settings) throws ModelContractException {
        this.settings = settings;
        this.models = InferenceRuntime.open(InferenceSettings.cpu(settings.manifest(), settings.threads()), EnumSet.allOf(ModelRole.class));
        this.detector = new DetectorStage(blobs, settings.window(), models.session(ModelRole.DETECTOR), "replay",
                new WorkerMetrics(new SimpleMeterRegistry(), "slices").unitCounter("crops"));
        this.classifier = new ClassifierStage(blobs, models.session(ModelRole.BM), models.session(ModelRole.M), models.session(ModelRole.B),
                "replay");
        // only Intake.recordOfStored is used: it judges an instance and records nothing, so no case registry is needed
        this.intake = new Intake(blobs, null, (key, letter) -> { }, new IntakeMetrics(new SimpleMeterRegistry()),
                new Intake.Policy(true, false), Clock.systemUTC(), "replay");
        this.planner = new CasePlanner(settings.chunkSlices(), settings.preferredThicknessMm());
    }

    /** The models the replay runs, as the manifest names them. */
    public String describeModels() {
        StringBuilder out = new StringBuilder();
        for (ModelRole role : ModelRole.values()) {
            out.append(out.isEmpty() ? "" : ", ").append(models.session(role).entry());
        }
        return out.toString();
    }

    /**
     * Diagnoses every study found under {@code root} (files grouped by StudyInstanceUID, in the folder's order).
     *
     * @param progress one line per study
     * @param crops    every crop the aggregator received (may be null)
     */
    public List<Diagnosis> run(Path root, Consumer<String> progress, Consumer<CropRecord> crops) throws IOException {
        DicomFolder.Contents contents = DicomFolder.scan(root);
        Map<String, List<InstanceRecord>> studies = new LinkedHashMap<>();
        long clock = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        for (Path file : contents.files()) {
            InstanceRecord record;
            try (Spool.SpooledInstance instance = Spool.SpooledInstance.view(file)) {
                record = intake.recordOfStored(instance, null, clock);
            }
            if (record == null) {
                progress.accept("  refused (not a usable instance): " + file);
                continue;
            }
            String key = "dicom/" + record.studyUid() + "/" + record.seriesUid() + "/" + record.sopUid() + ".dcm";
            blobs.link(key, file);
            studies.computeIfAbsent(record.studyUid(), k -> new ArrayList<>()).add(withBlobKey(record, key, clock++));
        }
        List<Diagnosis> out = new ArrayList<>();
        int n = 0;
        for (var e : studies.entrySet()) {
            long start = System.nanoTime();
            List<Diagnosis> d = diagnose(e.getKey(), e.getValue(), crops);
            out.addAll(d);
            n++;
            Diagnosis last = d.isEmpty() ? null : d.get(d.size() - 1);
            progress.accept(String.format(java.util.Locale.ROOT, "  %d/%d %s: %s%s, %d lesion(s), %.1f s", n, studies.size(), e.getKey(),
                    last == null ? "no diagnosis" : last.getStatus(),
                    last == null || last.getSubtype() == null ? "" : " " + last.getMalignancy() + " " + last.getSubtype(),
                    last == null ? 0 : last.getLesions().size(), (System.nanoTime() - start) / 1e9));
            blobs.clearWritten();
        }
        return out;
    }

    private static InstanceRecord withBlobKey(InstanceRecord r, String key, long receivedAt) {
        return new InstanceRecord(r.studyUid(), r.seriesUid(), r.sopUid(), r.sopClassUid(), r.outcome(), r.reasonCode(), r.detail(), key,
                receivedAt, r.seriesNumber(), r.seriesDescription(), r.imageType(), r.contrastAgent(), r.contrastStart(), r.acquisitionTime(),
                r.contentTime(), r.seriesTime(), r.sliceThicknessMm(), r.manufacturer(), r.instanceNumber(), r.rows(), r.columns(),
                r.pixelSpacing(), r.position(), r.orientation(), r.patientId(), r.accessionNumber(), r.studyDate(), r.expectedStudyInstances());
    }

    /** One study through ingest's planning, both workers and the aggregator. */
    List<Diagnosis> diagnose(String studyUid, List<InstanceRecord> records, Consumer<CropRecord> crops) throws IOException {
        long first = records.stream().mapToLong(InstanceRecord::receivedAt).min().orElse(0);
        long last = records.stream().mapToLong(InstanceRecord::receivedAt).max().orElse(0);
        long now = last + 30_000;
        CasePlan plan = planner.plan(new CaseSnapshot(studyUid, 1, 1, records, first, last), now);
        Memory memory = new Memory();
        CaseFusion fusion = new CaseFusion(settings.caseSettings(), memory, memory);
        CaseState state = new CaseState(studyUid);
        fusion.onStudy(state, plan.study(), now);
        long offset = 0;
        for (CasePlan.KeyedTask keyed : plan.tasks()) {
            DetectTask task = keyed.task();
            TaskContext detectContext = new TaskContext(Topics.DETECT_TASKS.name(), 0, offset, keyed.key(), Instant.ofEpochMilli(now),
                    Instant.ofEpochMilli(now));
            SliceDetections detections = single(run(detector, task, detectContext, settings.detectorBatch()), SliceDetections.class);
            TaskContext classifyContext = new TaskContext(Topics.DETECTIONS.name(), 0, offset, keyed.key(), Instant.ofEpochMilli(now),
                    Instant.ofEpochMilli(now));
            ChunkPredictions predictions = single(run(classifier, detections, classifyContext, settings.classifierBatch()), ChunkPredictions.class);
            if (crops != null) {
                for (CropPrediction c : predictions.getCrops()) {
                    crops.accept(new CropRecord(studyUid, predictions.getPhase().name(), predictions.getSeriesInstanceUid(), c.getSliceIndex(),
                            new float[] {c.getBox().getX1(), c.getBox().getY1(), c.getBox().getX2(), c.getBox().getY2()},
                            c.getDetectionScore(), floats(c.getBmLogits()), floats(c.getMLogits()), floats(c.getBLogits())));
                }
            }
            fusion.onChunk(state, ArrivedChunk.from(predictions, new SourceRef(Topics.PREDICTIONS.name(), 0, offset), now), now);
            offset++;
        }
        // a one-phase study is diagnosed when the grace period for the other phase has passed
        Duration grace = settings.caseSettings().singlePhaseGrace();
        fusion.onTime(state, now + grace.toMillis() + 1);
        return memory.diagnoses;
    }

    /** A stage on one task as the worker loop runs it: prepare, inference in batches, complete (or failed). */
    private static <T, U, R> List<Emit<?>> run(BatchStage<T, U, R> stage, T task, TaskContext context, int batch) {
        try {
            List<U> units = stage.prepare(task, context);
            List<R> results = new ArrayList<>(units.size());
            for (int from = 0; from < units.size(); from += batch) {
                results.addAll(stage.infer(units.subList(from, Math.min(units.size(), from + batch))));
            }
            return stage.complete(task, context, units, results, new TaskTimings(0, 0, 0));
        } catch (TaskFailure failure) {
            return stage.failed(task, context, failure, new TaskTimings(0, 0, 0));
        } catch (Exception e) {
            throw new IllegalStateException(stage.stageName() + " failed on " + context.key() + ": " + e, e);
        }
    }

    private static <V> V single(List<Emit<?>> emits, Class<V> type) {
        for (Emit<?> e : emits) {
            if (type.isInstance(e.value())) {
                return type.cast(e.value());
            }
        }
        throw new IllegalStateException("the stage emitted no " + type.getSimpleName());
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    @Override
    public void close() {
        models.close();
    }

    /** The aggregator's chunk store and outputs for one case, in memory. */
    private static final class Memory implements ChunkArchive, CaseOutputs {
        private final Map<String, ArrivedChunk> chunks = new LinkedHashMap<>();
        final List<Diagnosis> diagnoses = new ArrayList<>();

        private static String key(ArrivedChunk c) {
            return c.caseId() + "/" + c.revision() + "/" + c.chunkKey();
        }

        @Override
        public boolean putIfAbsent(ArrivedChunk chunk) {
            return chunks.putIfAbsent(key(chunk), chunk) == null;
        }

        @Override
        public void put(ArrivedChunk chunk) {
            chunks.put(key(chunk), chunk);
        }

        @Override
        public List<ArrivedChunk> revision(String caseId, int revision) {
            return chunks.values().stream().filter(c -> c.caseId().equals(caseId) && c.revision() == revision).toList();
        }

        @Override
        public void delete(ArrivedChunk chunk) {
            chunks.remove(key(chunk));
        }

        @Override
        public void deleteRevision(String caseId, int revision) {
            chunks.values().removeIf(c -> c.caseId().equals(caseId) && c.revision() == revision);
        }

        @Override
        public void diagnosis(Diagnosis diagnosis) {
            diagnoses.add(diagnosis);
        }

        @Override
        public void deadLetter(String caseId, SourceRef source, String reasonCode, String detail) {
            throw new IllegalStateException("case " + caseId + ": the aggregator dead-lettered a chunk (" + reasonCode + ": " + detail + ")");
        }

        @Override
        public void input(InputOutcome outcome) {
        }
    }
}
