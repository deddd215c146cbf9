package org.lilnet.classifier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.Box;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.ChunkStatus;
import org.lilnet.events.DeadLetter;
import org.lilnet.events.Detection;
import org.lilnet.events.ModelRef;
import org.lilnet.events.Phase;
import org.lilnet.events.SliceDetections;
import org.lilnet.events.SliceResult;
import org.lilnet.events.WindowSetting;
import org.lilnet.inference.InferenceRuntime;
import org.lilnet.inference.InferenceSettings;
import org.lilnet.inference.ModelRole;
import org.lilnet.inference.TestModels;
import org.lilnet.worker.Emit;
import org.lilnet.worker.TaskContext;
import org.lilnet.worker.TaskFailure;
import org.lilnet.worker.TaskTimings;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The classifier stage with the real (test) ONNX classifiers, without Kafka. */
class ClassifierStageTest {

    private static final String CASE = "1.2.826.0.1.3680043.10.1.7";
    private static InferenceRuntime models;

    @TempDir
    Path blobDir;

    @BeforeAll
    static void openModels() throws Exception {
        models = InferenceRuntime.open(InferenceSettings.cpu(TestModels.copyTo(Files.createTempDirectory("classifier-models")), 1),
                ModelRole.CLASSIFIERS);
    }

    @AfterAll
    static void closeModels() {
        models.close();
    }

    private ClassifierStage stage(FileBlobStore blobs) {
        return new ClassifierStage(blobs, models.session(ModelRole.BM), models.session(ModelRole.M), models.session(ModelRole.B), "test-1");
    }

    private static final ModelRef DETECTOR = ModelRef.newBuilder().setRole("detector").setName("d").setVersion("1").setSha256("ab".repeat(32)).build();
    private static final TaskContext CONTEXT = new TaskContext(Topics.DETECTIONS.name(), 1, 9, "series/0", Instant.ofEpochMilli(5000),
            Instant.ofEpochMilli(5300));

    private static byte[] uniform(int value) {
        byte[] crop = new byte[224 * 224];
        Arrays.fill(crop, (byte) value);
        return crop;
    }

    private static Detection detection(float x, ByteBuffer inline, String key) {
        return Detection.newBuilder().setBox(Box.newBuilder().setX1(x).setY1(10).setX2(x + 20).setY2(30).build()).setScore(0.8f)
                .setCropPixels(inline).setCropBlobKey(key).build();
    }

    private static SliceDetections chunk(ChunkStatus status, String reason, List<SliceResult> slices) {
        return SliceDetections.newBuilder().setTaskId(CASE + "/0/s/0").setCaseId(CASE).setCaseRevision(0).setStudyInstanceUid(CASE)
                .setSeriesInstanceUid("s").setPhase(Phase.PVP).setChunkIndex(0).setChunkCount(2).setStatus(status).setFailureReason(reason)
                .setWindow(WindowSetting.newBuilder().setLevel(40).setWidth(400).build()).setDetector(DETECTOR).setSlices(slices)
                .setLastInstanceAt(Instant.ofEpochMilli(1000)).setTimingsMillis(Map.of("detect.total", 40L)).build();
    }

    private static SliceResult slice(int index, Detection... detections) {
        return SliceResult.newBuilder().setSopInstanceUid("sop" + index).setSliceIndex(index).setSlicePositionMm(index * 2.5).setRows(512)
                .setColumns(512).setDetections(List.of(detections)).build();
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static float g(int pixel) {
        return pixel / 255f * 2f - 1f;
    }

    @Test
    void runsTheThreeClassifiersOnEveryCropInlineOrByReference() throws Exception {
        FileBlobStore blobs = new FileBlobStore(blobDir);
        blobs.put("crops/x/3-0.u8", uniform(0));
        ClassifierStage stage = stage(blobs);
        SliceDetections task = chunk(ChunkStatus.OK, null, List.of(slice(2), slice(3,
                detection(100, ByteBuffer.wrap(uniform(191)), null), detection(300, null, "crops/x/3-0.u8"))));

        List<CropUnit> units = stage.prepare(task, CONTEXT);
        assertThat(stage.expectedUnits(task)).as("known before the chunk is prepared").isEqualTo(units.size()).isEqualTo(2);
        List<Emit<?>> emits = stage.complete(task, CONTEXT, units, stage.infer(units), new TaskTimings(0, 12, 20));

        assertThat(emits).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo(Topics.PREDICTIONS);
            assertThat(e.key()).as("keyed by case").isEqualTo(CASE);
        });
        ChunkPredictions out = (ChunkPredictions) emits.get(0).value();
        assertThat(out.getStatus()).isEqualTo(ChunkStatus.OK);
        assertThat(out.getSliceCount()).isEqualTo(2);
        assertThat(out.getCrops()).hasSize(2);
        // float sums over 50176 pixels in the model: 1e-4
        float bright = g(191);    // the test classifiers: bm = [-2g, 2g + 1], m = [g, 2g, 3g], b = [-g, 0.5, g]
        var first = out.getCrops().get(0);
        assertThat(first.getSliceIndex()).isEqualTo(3);
        assertThat(first.getBox().getX1()).isEqualTo(100f);
        assertThat(first.getDetectionScore()).isEqualTo(0.8f);
        assertThat(floats(first.getBmLogits())).containsExactly(new float[] {-2 * bright, 2 * bright + 1}, within(1e-4f));
        assertThat(floats(first.getMLogits())).containsExactly(new float[] {bright, 2 * bright, 3 * bright}, within(1e-4f));
        assertThat(floats(first.getBLogits())).containsExactly(new float[] {-bright, 0.5f, bright}, within(1e-4f));
        var second = out.getCrops().get(1);
        assertThat(floats(second.getBmLogits())).containsExactly(new float[] {2f, -1f}, within(1e-4f));
        assertThat(floats(second.getBLogits())).containsExactly(new float[] {1f, 0.5f, -1f}, within(1e-4f));
        assertThat(out.getModels()).extracting(ModelRef::getRole).containsExactly("detector", "bm", "m", "b");
        assertThat(out.getModels().get(0)).isEqualTo(DETECTOR);
        assertThat(out.getTimingsMillis()).containsEntry("detect.total", 40L).containsEntry("classify.queue", 300L)
                .containsEntry("classify.inference", 12L).containsEntry("classify.total", 20L);
        assertThat(out.getWindow().getLevel()).isEqualTo(40.0);
        assertThat(out.getPhase()).isEqualTo(Phase.PVP);
    }

    @Test
    void aChunkWithoutLesionsIsReportedWithNoCrops() throws Exception {
        ClassifierStage stage = stage(new FileBlobStore(blobDir));
        SliceDetections task = chunk(ChunkStatus.OK, null, List.of(slice(0), slice(1)));

        List<CropUnit> units = stage.prepare(task, CONTEXT);
        ChunkPredictions out = (ChunkPredictions) stage.complete(task, CONTEXT, units, List.of(), new TaskTimings(0, 0, 1)).get(0).value();

        assertThat(units).isEmpty();
        assertThat(stage.expectedUnits(task)).isZero();
        assertThat(out.getStatus()).isEqualTo(ChunkStatus.OK);
        assertThat(out.getCrops()).isEmpty();
        assertThat(out.getSliceCount()).isEqualTo(2);
    }

    @Test
    void aChunkTheDetectorFailedIsForwardedAsFailedWithoutASecondDeadLetter() throws Exception {
        ClassifierStage stage = stage(new FileBlobStore(blobDir));
        SliceDetections task = chunk(ChunkStatus.FAILED, "SLICE_MISSING: slice 3 is not in the blob store", List.of());

        List<Emit<?>> emits = stage.complete(task, CONTEXT, stage.prepare(task, CONTEXT), List.of(), new TaskTimings(0, 0, 0));

        assertThat(emits).singleElement().satisfies(e -> {
            ChunkPredictions out = (ChunkPredictions) e.value();
            assertThat(out.getStatus()).isEqualTo(ChunkStatus.FAILED);
            assertThat(out.getFailureReason()).isEqualTo("SLICE_MISSING: slice 3 is not in the blob store");
        });
    }

    @Test
    void aMissingOrMalformedCropFailsTheChunkWithADeadLetter() throws Exception {
        FileBlobStore blobs = new FileBlobStore(blobDir);
        ClassifierStage stage = stage(blobs);

        assertThatThrownBy(() -> stage.prepare(chunk(ChunkStatus.OK, null, List.of(slice(4, detection(1, null, "crops/absent.u8")))), CONTEXT))
                .isInstanceOf(TaskFailure.class)
                .satisfies(e -> assertThat(((TaskFailure) e).reason()).isEqualTo("CROP_MISSING: the crop of slice 4 (crops/absent.u8) is not in the blob store"));
        assertThatThrownBy(() -> stage.prepare(chunk(ChunkStatus.OK, null, List.of(slice(4, detection(1, ByteBuffer.wrap(new byte[10]), null)))), CONTEXT))
                .isInstanceOf(TaskFailure.class).satisfies(e -> assertThat(((TaskFailure) e).reasonCode()).isEqualTo("CROP_INVALID"));

        SliceDetections task = chunk(ChunkStatus.OK, null, List.of());
        List<Emit<?>> emits = stage.failed(task, CONTEXT, new TaskFailure("CROP_MISSING", "gone"), new TaskTimings(0, 0, 0));
        assertThat(((ChunkPredictions) emits.get(0).value()).getFailureReason()).isEqualTo("CROP_MISSING: gone");
        assertThat(emits.get(0).key()).isEqualTo(CASE);
        DeadLetter letter = (DeadLetter) emits.get(1).value();
        assertThat(letter.getStage()).isEqualTo("classifier");
        assertThat(letter.getReasonCode()).isEqualTo("CROP_MISSING");
        assertThat(emits.get(1).key()).as("dead letters keep the original key").isEqualTo("series/0");
    }

    @Test
    void normalisesPixelsToMinusOneToOne() {
        assertThat(ClassifierInput.normalise(0)).isEqualTo(-1f);
        assertThat(ClassifierInput.normalise(255)).isEqualTo(1f);
        assertThat(ClassifierInput.normalise(51)).isCloseTo(-0.6f, within(1e-6f));
    }

    @Test
    void eachCropFillsItsThreeChannelsOfTheBatchAndNothingElse() {
        int plane = ClassifierInput.CROP_BYTES;
        FloatBuffer batch = ByteBuffer.allocateDirect(3 * 3 * plane * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < batch.capacity(); i++) {
            batch.put(i, 7f);
        }
        byte[] crop = new byte[plane];
        crop[0] = (byte) 255;
        crop[plane - 1] = (byte) 51;
        ClassifierInput.write(crop, batch, 1);
        for (int channel = 0; channel < 3; channel++) {
            int start = (3 + channel) * plane;
            assertThat(batch.get(start)).as("channel %d, first pixel", channel).isEqualTo(1f);
            assertThat(batch.get(start + 1)).as("channel %d, a black pixel", channel).isEqualTo(-1f);
            assertThat(batch.get(start + plane - 1)).as("channel %d, last pixel", channel).isCloseTo(-0.6f, within(1e-6f));
        }
        assertThat(batch.get(3 * plane - 1)).as("crop 0 untouched").isEqualTo(7f);
        assertThat(batch.get(6 * plane)).as("crop 2 untouched").isEqualTo(7f);
    }

    @Test
    void anInlineCropIsReadFromTheDecodedArrayWhenTheBufferSpansItAndCopiedOtherwise() {
        byte[] decoded = new byte[ClassifierInput.CROP_BYTES];
        new java.util.Random(3).nextBytes(decoded);
        java.nio.ByteBuffer whole = java.nio.ByteBuffer.wrap(decoded);
        assertThat(ClassifierStage.bytesOf(whole)).as("as Avro decodes a bytes field: no copy").isSameAs(decoded);

        byte[] larger = new byte[decoded.length + 10];
        System.arraycopy(decoded, 0, larger, 5, decoded.length);
        java.nio.ByteBuffer inside = java.nio.ByteBuffer.wrap(larger, 5, decoded.length);
        java.nio.ByteBuffer sliced = inside.slice();
        java.nio.ByteBuffer readOnly = whole.asReadOnlyBuffer();
        for (java.nio.ByteBuffer buffer : java.util.List.of(inside, sliced, readOnly)) {
            byte[] bytes = ClassifierStage.bytesOf(buffer);
            assertThat(bytes).isNotSameAs(larger).isNotSameAs(decoded).isEqualTo(decoded);
        }
        assertThat(inside.position()).as("the record's buffer is left as it was").isEqualTo(5);
    }
}
