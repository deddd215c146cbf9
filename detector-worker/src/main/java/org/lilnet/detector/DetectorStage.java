package org.lilnet.detector;

import org.lilnet.common.blob.BlobStore;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.dicom.CtSlice;
import org.lilnet.dicom.CtSliceReader;
import org.lilnet.dicom.DicomFormatException;
import org.lilnet.dicom.PixelArrays;
import org.lilnet.events.ChunkStatus;
import org.lilnet.events.DetectTask;
import org.lilnet.events.ModelRef;
import org.lilnet.events.SliceDetections;
import org.lilnet.events.SliceRef;
import org.lilnet.events.SliceResult;
import org.lilnet.inference.ModelContract;
import org.lilnet.inference.ModelSession;
import org.lilnet.worker.BatchStage;
import org.lilnet.worker.Emit;
import org.lilnet.worker.TaskContext;
import org.lilnet.worker.TaskFailure;
import org.lilnet.worker.TaskTimings;
import org.lilnet.worker.TransactionalWorker;
import org.lilnet.worker.WorkerMetrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The detector on a chunk: read each slice from the blob store, window it to 8 bits, resize to 512, find lesions
 * (batched with other chunks' slices), map the boxes back to the slice and cut the 224x224 crop of each. Every slice
 * of the task is listed in the result, with or without lesions. A chunk that cannot be read fails as a whole.
 */
public final class DetectorStage implements BatchStage<DetectTask, SliceUnit, List<Detection>> {

    private final BlobStore blobs;
    private final HuWindow window;
    private final ModelSession detector;
    private final ModelRef detectorRef;
    private final YoloDecoder decoder;
    private final int inputSize;
    private final String instanceId;
    private final WorkerMetrics.UnitCounter crops;
    /** Each preparation thread reads its slices' files into one buffer, again and again. */
    private final ThreadLocal<ByteBuffer> readBuffers = new ThreadLocal<>();
    /** The slices' pixel arrays, given back once their task's records are out ({@link #release}). */
    private final PixelArrays pixelArrays = new PixelArrays(SPARE_PIXEL_ARRAYS);
    /** Spare arrays kept at most: about the slices a worker holds at once (32 MB at 512x512). */
    static final int SPARE_PIXEL_ARRAYS = 64;

    public DetectorStage(BlobStore blobs, HuWindow window, ModelSession detector, String instanceId, WorkerMetrics.UnitCounter crops) {
        this.blobs = blobs;
        this.window = window;
        this.detector = detector;
        this.detectorRef = detector.entry().ref();
        this.inputSize = detector.entry().role().inputSize();
        this.decoder = new YoloDecoder(detector.entry().labels().size(), (int) ModelContract.anchorsAt(inputSize));
        this.instanceId = instanceId;
        this.crops = crops;
    }

    @Override
    public String stageName() {
        return "detector";
    }

    @Override
    public String unitName() {
        return "slices";
    }

    @Override
    public List<Topic<?>> outputTopics() {
        return List.of(Topics.DETECTIONS, Topics.DEAD_LETTERS);
    }

    @Override
    public int expectedUnits(DetectTask task) {
        return task.getSlices().size();
    }

    @Override
    public List<SliceUnit> prepare(DetectTask task, TaskContext context) throws TaskFailure {
        List<SliceUnit> units = new ArrayList<>(task.getSlices().size());
        for (SliceRef ref : task.getSlices()) {
            units.add(new SliceUnit(ref, read(ref)));
        }
        return units;
    }

    private CtSlice read(SliceRef ref) throws TaskFailure {
        String where = "slice " + ref.getSliceIndex() + " (" + ref.getBlobKey() + ")";
        try {
            ByteBuffer file = blobs.read(ref.getBlobKey(), readBuffers.get());
            readBuffers.set(file);
            CtSlice slice = CtSliceReader.read(file, pixelArrays);   // in memory: uncompressed pixels are copied in bulk
            if (!slice.sopInstanceUid().equals(ref.getSopInstanceUid())) {
                throw new TaskFailure("SLICE_MISMATCH", where + " holds SOPInstanceUID " + slice.sopInstanceUid() + ", the task says "
                        + ref.getSopInstanceUid());
            }
            return slice;
        } catch (NoSuchFileException e) {
            throw new TaskFailure("SLICE_MISSING", where + " is not in the blob store");
        } catch (DicomFormatException e) {
            throw new TaskFailure(e.reasonCode(), where + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new TaskFailure("SLICE_UNREADABLE", where + " could not be read: " + e, e);
        }
    }

    @Override
    public List<List<Detection>> infer(List<SliceUnit> units) throws Exception {
        FloatBuffer batchInput = detector.threadInput(units.size());
        for (int i = 0; i < units.size(); i++) {
            DetectorInput.write(units.get(i).slice(), window, inputSize, batchInput, i);
        }
        float[] output = detector.run(batchInput, units.size());
        List<List<Detection>> results = new ArrayList<>(units.size());
        for (int i = 0; i < units.size(); i++) {
            CtSlice slice = units.get(i).slice();
            results.add(YoloDecoder.toSlice(decoder.decode(output, i), inputSize, slice.rows(), slice.columns()));
        }
        return results;
    }

    @Override
    public List<Emit<?>> complete(DetectTask task, TaskContext context, List<SliceUnit> units, List<List<Detection>> results,
                                  TaskTimings timings) throws TaskFailure {
        int total = results.stream().mapToInt(List::size).sum();
        CropPacker packer = new CropPacker(blobs, task.getTaskId(), units.size(), total);
        List<SliceResult> slices = new ArrayList<>(units.size());
        for (int i = 0; i < units.size(); i++) {
            SliceUnit unit = units.get(i);
            List<org.lilnet.events.Detection> found = new ArrayList<>();
            List<Detection> detections = results.get(i);
            for (int n = 0; n < detections.size(); n++) {
                Detection d = detections.get(n);
                CropPacker.Placement placement;
                try {
                    placement = packer.place(CropCutter.cut(unit.slice(), window, d.box()), unit.ref().getSliceIndex(), n);
                } catch (IOException e) {
                    throw new TaskFailure("CROP_STORE_FAILED", "the crop of slice " + unit.ref().getSliceIndex() + " could not be stored: " + e, e);
                }
                found.add(org.lilnet.events.Detection.newBuilder().setBox(d.box().toEvent()).setScore(d.score())
                        .setCropPixels(placement.inline()).setCropBlobKey(placement.blobKey()).build());
            }
            slices.add(SliceResult.newBuilder().setSopInstanceUid(unit.ref().getSopInstanceUid()).setSliceIndex(unit.ref().getSliceIndex())
                    .setSlicePositionMm(unit.ref().getSlicePositionMm()).setRows(unit.slice().rows()).setColumns(unit.slice().columns())
                    .setDetections(found).build());
        }
        crops.add(total);
        return List.of(Emit.of(Topics.DETECTIONS, context.key(), result(task, context, ChunkStatus.OK, null, slices, timings)));
    }

    /** The slices' arrays go back for the next slices: nothing holds them once the task's records are out. */
    @Override
    public void release(List<SliceUnit> units) {
        for (SliceUnit unit : units) {
            pixelArrays.giveBack(unit.slice().stored());
        }
    }

    @Override
    public List<Emit<?>> failed(DetectTask task, TaskContext context, TaskFailure failure, TaskTimings timings) {
        return List.of(
                Emit.of(Topics.DETECTIONS, context.key(), result(task, context, ChunkStatus.FAILED, failure.reason(), List.of(), timings)),
                Emit.of(Topics.DEAD_LETTERS, context.key(),
                        TransactionalWorker.deadLetter(context, stageName(), failure, instanceId, task.getCaseId())));
    }

    private SliceDetections result(DetectTask task, TaskContext context, ChunkStatus status, String reason, List<SliceResult> slices,
                                   TaskTimings timings) {
        Map<String, Long> timingsMillis = new LinkedHashMap<>();
        timingsMillis.put("detect.queue", Math.max(0, Duration.between(task.getEnqueuedAt(), context.pickedUpAt()).toMillis()));
        timingsMillis.put("detect.read", timings.prepareMillis());
        timingsMillis.put("detect.inference", timings.inferenceMillis());
        timingsMillis.put("detect.total", timings.totalMillis());
        return SliceDetections.newBuilder()
                .setTaskId(task.getTaskId()).setCaseId(task.getCaseId()).setCaseRevision(task.getCaseRevision())
                .setStudyInstanceUid(task.getStudyInstanceUid()).setSeriesInstanceUid(task.getSeriesInstanceUid())
                .setPhase(task.getPhase()).setChunkIndex(task.getChunkIndex()).setChunkCount(task.getChunkCount())
                .setStatus(status).setFailureReason(reason)
                .setWindow(window.toEvent()).setDetector(detectorRef)
                .setSlices(slices).setLastInstanceAt(task.getLastInstanceAt()).setTimingsMillis(timingsMillis)
                .build();
    }
}
