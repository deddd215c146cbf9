package org.lilnet.aggregator.cases;

import org.lilnet.aggregator.fusion.Classifier;
import org.lilnet.aggregator.fusion.LogitPool;
import org.lilnet.aggregator.lesion.Crop;
import org.lilnet.aggregator.lesion.LesionBox;
import org.lilnet.events.Box;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.ChunkStatus;
import org.lilnet.events.CropPrediction;
import org.lilnet.events.ModelRef;
import org.lilnet.events.Phase;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One chunk's predictions as the aggregator keeps them (a ChunkPredictions event, checked).
 *
 * @param failed        the chunk failed upstream, or its predictions cannot be used ({@code problem})
 * @param failureReason "REASON_CODE: detail" when failed
 * @param problem       why the predictions of an OK chunk are unusable (wrong logit count, not finite, bad box), else null
 * @param predictedAt   timestamp of the record (when the classifier wrote it)
 */
public record ArrivedChunk(String caseId, int revision, String taskId, String seriesInstanceUid, Phase phase, int chunkIndex,
                           int chunkCount, int sliceCount, boolean failed, String failureReason, String problem,
                           WindowInfo window, List<ModelInfo> models, List<Crop> crops, Map<String, Long> timingsMillis,
                           long lastInstanceAt, long predictedAt, SourceRef source) {

    /** A model that produced the chunk (ModelRef of the event). */
    public record ModelInfo(String role, String name, String version, String sha256) {
    }

    /** The HU window the slices were rendered with. */
    public record WindowInfo(double level, double width) {
    }

    public ArrivedChunk {
        models = List.copyOf(models);
        crops = List.copyOf(crops);
        timingsMillis = new TreeMap<>(timingsMillis);
    }

    /** Converts and checks an event; unusable predictions leave a chunk without crops and with a {@code problem}. */
    public static ArrivedChunk from(ChunkPredictions p, SourceRef source, long recordTimestamp) {
        boolean failed = p.getStatus() == ChunkStatus.FAILED;
        List<Crop> crops = new ArrayList<>();
        String problem = null;
        if (!failed) {
            for (int i = 0; i < p.getCrops().size() && problem == null; i++) {
                CropPrediction c = p.getCrops().get(i);
                String where = "crop " + i + " (slice " + c.getSliceIndex() + "): ";
                problem = firstProblem(c);
                if (problem != null) {
                    problem = where + problem;
                } else {
                    Box b = c.getBox();
                    crops.add(new Crop(c.getSopInstanceUid(), c.getSliceIndex(), c.getSlicePositionMm(),
                            new LesionBox(b.getX1(), b.getY1(), b.getX2(), b.getY2()), c.getDetectionScore(),
                            floats(c.getBmLogits()), floats(c.getMLogits()), floats(c.getBLogits())));
                }
            }
        }
        if (problem != null) {
            crops.clear();
        }
        List<ModelInfo> models = new ArrayList<>();
        for (ModelRef m : p.getModels()) {
            models.add(new ModelInfo(m.getRole(), m.getName(), m.getVersion(), m.getSha256()));
        }
        Map<String, Long> timings = new TreeMap<>();
        p.getTimingsMillis().forEach((k, v) -> timings.put(k.toString(), v));
        return new ArrivedChunk(p.getCaseId(), p.getCaseRevision(), p.getTaskId(), p.getSeriesInstanceUid(), p.getPhase(),
                p.getChunkIndex(), p.getChunkCount(), p.getSliceCount(), failed, p.getFailureReason(), problem,
                p.getWindow() == null ? null : new WindowInfo(p.getWindow().getLevel(), p.getWindow().getWidth()),
                models, crops, timings, p.getLastInstanceAt().toEpochMilli(), recordTimestamp, source);
    }

    private static String firstProblem(CropPrediction c) {
        for (Classifier classifier : Classifier.values()) {
            List<Float> logits = switch (classifier) {
                case BM -> c.getBmLogits();
                case M -> c.getMLogits();
                case B -> c.getBLogits();
            };
            String problem = LogitPool.checkLogits(classifier, floats(logits));
            if (problem != null) {
                return problem;
            }
        }
        Box b = c.getBox();
        if (!(Float.isFinite(b.getX1()) && Float.isFinite(b.getY1()) && Float.isFinite(b.getX2()) && Float.isFinite(b.getY2()))
                || b.getX2() < b.getX1() || b.getY2() < b.getY1()) {
            return "box (" + b.getX1() + "," + b.getY1() + ")-(" + b.getX2() + "," + b.getY2() + ") is not a box";
        }
        return null;
    }

    private static float[] floats(List<Float> values) {
        if (values == null) {
            return null;
        }
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            Float v = values.get(i);
            out[i] = v == null ? Float.NaN : v;
        }
        return out;
    }

    /** Key of the chunk within its revision: duplicates are recognised by it. */
    public String chunkKey() {
        return chunkKey(seriesInstanceUid, chunkIndex);
    }

    public static String chunkKey(String seriesInstanceUid, int chunkIndex) {
        return seriesInstanceUid + "/" + chunkIndex;
    }

    /** The chunk counts as failed (upstream, or because its predictions are unusable). */
    public boolean countsAsFailed() {
        return failed || problem != null;
    }

    /** Reason of the failure, "REASON_CODE: detail". */
    public String failure() {
        if (failed) {
            return failureReason == null || failureReason.isBlank() ? "UNKNOWN: the chunk failed without a reason" : failureReason;
        }
        return problem == null ? null : "INVALID_PREDICTIONS: " + problem;
    }
}
