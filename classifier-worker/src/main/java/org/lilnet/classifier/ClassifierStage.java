package org.lilnet.classifier;

import org.lilnet.common.blob.BlobStore;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.ChunkStatus;
import org.lilnet.events.CropPrediction;
import org.lilnet.events.Detection;
import org.lilnet.events.ModelRef;
import org.lilnet.events.SliceDetections;
import org.lilnet.events.SliceResult;
import org.lilnet.inference.ModelRole;
import org.lilnet.inference.ModelSession;
import org.lilnet.worker.BatchStage;
import org.lilnet.worker.Emit;
import org.lilnet.worker.TaskContext;
import org.lilnet.worker.TaskFailure;
import org.lilnet.worker.TaskTimings;
import org.lilnet.worker.TransactionalWorker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three LiLNet classifiers on every crop of a chunk (crops of several chunks share a batch; the three models
 * read the same input tensor). The result is keyed by case id so that a case's chunks meet in one aggregator
 * partition. A chunk the detector failed is forwarded as FAILED (the detector wrote its dead letter); a chunk whose
 * crops cannot be read or classified fails here, with a dead letter.
 */
public final class ClassifierStage implements BatchStage<SliceDetections, CropUnit, CropLogits> {

    private final BlobStore blobs;
    private final Map<ModelRole, ModelSession> classifiers = new EnumMap<>(ModelRole.class);
    private final List<ModelRef> classifierRefs = new ArrayList<>();
    private final String instanceId;

    public ClassifierStage(BlobStore blobs, ModelSession bm, ModelSession m, ModelSession b, String instanceId) {
        this.blobs = blobs;
        classifiers.put(ModelRole.BM, bm);
        classifiers.put(ModelRole.M, m);
        classifiers.put(ModelRole.B, b);
        for (ModelRole role : ModelRole.CLASSIFIERS) {
            ModelSession session = classifiers.get(role);
            if (session.entry().role() != role) {
                throw new IllegalArgumentException("the " + role + " session holds a " + session.entry().role() + " model");
            }
            classifierRefs.add(session.entry().ref());
        }
        this.instanceId = instanceId;
    }

    @Override
    public String stageName() {
        return "classifier";
    }

    @Override
    public String unitName() {
        return "crops";
    }

    @Override
    public List<Topic<?>> outputTopics() {
        return List.of(Topics.PREDICTIONS, Topics.DEAD_LETTERS);
    }

    /** The chunk's crops (a failed chunk has none to classify). */
    @Override
    public int expectedUnits(SliceDetections task) {
        if (task.getStatus() != ChunkStatus.OK) {
            return 0;
        }
        int crops = 0;
        for (SliceResult slice : task.getSlices()) {
            crops += slice.getDetections().size();
        }
        return crops;
    }

    @Override
    public List<CropUnit> prepare(SliceDetections task, TaskContext context) throws TaskFailure {
        if (task.getStatus() != ChunkStatus.OK) {
            return List.of();
        }
        List<CropUnit> units = new ArrayList<>();
        for (SliceResult slice : task.getSlices()) {
            for (Detection detection : slice.getDetections()) {
                units.add(new CropUnit(slice, detection, crop(slice, detection)));
            }
        }
        return units;
    }

    private byte[] crop(SliceResult slice, Detection detection) throws TaskFailure {
        byte[] pixels;
        if (detection.getCropPixels() != null) {
            pixels = bytesOf(detection.getCropPixels());
        } else if (detection.getCropBlobKey() != null) {
            try {
                pixels = blobs.read(detection.getCropBlobKey());
            } catch (NoSuchFileException e) {
                throw new TaskFailure("CROP_MISSING", "the crop of slice " + slice.getSliceIndex() + " (" + detection.getCropBlobKey()
                        + ") is not in the blob store");
            } catch (IOException | RuntimeException e) {
                throw new TaskFailure("CROP_UNREADABLE", "the crop of slice " + slice.getSliceIndex() + " could not be read: " + e, e);
            }
        } else {
            throw new TaskFailure("CROP_MISSING", "a detection on slice " + slice.getSliceIndex() + " has neither crop pixels nor a crop key");
        }
        if (pixels.length != ClassifierInput.CROP_BYTES) {
            throw new TaskFailure("CROP_INVALID", "the crop of slice " + slice.getSliceIndex() + " has " + pixels.length + " bytes, a 224x224 crop "
                    + ClassifierInput.CROP_BYTES);
        }
        return pixels;
    }

    /**
     * The crop's bytes: the array the record was decoded into when the buffer spans all of it (Avro decodes a bytes
     * field into an array of its own), else a copy. A crop waiting for its batch and transaction is then held once,
     * not twice (50 KB each: the copies overflowed the young generation's survivor space and were promoted).
     */
    static byte[] bytesOf(ByteBuffer inline) {
        if (inline.hasArray() && inline.arrayOffset() == 0 && inline.position() == 0 && inline.limit() == inline.array().length) {
            return inline.array();
        }
        byte[] copy = new byte[inline.remaining()];
        inline.duplicate().get(copy);
        return copy;
    }

    @Override
    public List<CropLogits> infer(List<CropUnit> units) throws Exception {
        FloatBuffer batchInput = classifiers.get(ModelRole.BM).threadInput(units.size());   // the three models take the same input
        for (int i = 0; i < units.size(); i++) {
            ClassifierInput.write(units.get(i).pixels(), batchInput, i);
        }
        float[] bm = classifiers.get(ModelRole.BM).run(batchInput, units.size());
        float[] m = classifiers.get(ModelRole.M).run(batchInput, units.size());
        float[] b = classifiers.get(ModelRole.B).run(batchInput, units.size());
        List<CropLogits> results = new ArrayList<>(units.size());
        for (int i = 0; i < units.size(); i++) {
            results.add(new CropLogits(slice(bm, i, 2), slice(m, i, 3), slice(b, i, 3)));
        }
        return results;
    }

    private static float[] slice(float[] all, int index, int n) {
        return Arrays.copyOfRange(all, index * n, index * n + n);
    }

    @Override
    public List<Emit<?>> complete(SliceDetections task, TaskContext context, List<CropUnit> units, List<CropLogits> results, TaskTimings timings) {
        if (task.getStatus() != ChunkStatus.OK) {
            String reason = task.getFailureReason() == null ? "DETECTION_FAILED: the detector reported no reason" : task.getFailureReason();
            return List.of(Emit.of(Topics.PREDICTIONS, task.getCaseId(), result(task, context, ChunkStatus.FAILED, reason, List.of(), timings)));
        }
        List<CropPrediction> crops = new ArrayList<>(units.size());
        for (int i = 0; i < units.size(); i++) {
            CropUnit unit = units.get(i);
            CropLogits logits = results.get(i);
            crops.add(CropPrediction.newBuilder().setSopInstanceUid(unit.slice().getSopInstanceUid()).setSliceIndex(unit.slice().getSliceIndex())
                    .setSlicePositionMm(unit.slice().getSlicePositionMm()).setBox(unit.detection().getBox())
                    .setDetectionScore(unit.detection().getScore())
                    .setBmLogits(boxed(logits.bm())).setMLogits(boxed(logits.m())).setBLogits(boxed(logits.b())).build());
        }
        return List.of(Emit.of(Topics.PREDICTIONS, task.getCaseId(), result(task, context, ChunkStatus.OK, null, crops, timings)));
    }

    @Override
    public List<Emit<?>> failed(SliceDetections task, TaskContext context, TaskFailure failure, TaskTimings timings) {
        return List.of(
                Emit.of(Topics.PREDICTIONS, task.getCaseId(), result(task, context, ChunkStatus.FAILED, failure.reason(), List.of(), timings)),
                Emit.of(Topics.DEAD_LETTERS, context.key(), TransactionalWorker.deadLetter(context, stageName(), failure, instanceId, task.getCaseId())));
    }

    private ChunkPredictions result(SliceDetections task, TaskContext context, ChunkStatus status, String reason, List<CropPrediction> crops,
                                    TaskTimings timings) {
        Map<String, Long> timingsMillis = new LinkedHashMap<>(task.getTimingsMillis());
        timingsMillis.put("classify.queue", Math.max(0, Duration.between(context.recordTimestamp(), context.pickedUpAt()).toMillis()));
        timingsMillis.put("classify.inference", timings.inferenceMillis());
        timingsMillis.put("classify.total", timings.totalMillis());
        List<ModelRef> models = new ArrayList<>();
        models.add(task.getDetector());
        models.addAll(classifierRefs);
        return ChunkPredictions.newBuilder()
                .setTaskId(task.getTaskId()).setCaseId(task.getCaseId()).setCaseRevision(task.getCaseRevision())
                .setStudyInstanceUid(task.getStudyInstanceUid()).setSeriesInstanceUid(task.getSeriesInstanceUid())
                .setPhase(task.getPhase()).setChunkIndex(task.getChunkIndex()).setChunkCount(task.getChunkCount())
                .setStatus(status).setFailureReason(reason).setSliceCount(task.getSlices().size())
                .setWindow(task.getWindow()).setModels(models).setCrops(crops)
                .setLastInstanceAt(task.getLastInstanceAt()).setTimingsMillis(timingsMillis)
                .build();
    }

    private static List<Float> boxed(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
