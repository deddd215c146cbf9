package org.lilnet.detector;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.ChunkStatus;
import org.lilnet.events.DeadLetter;
import org.lilnet.events.DetectTask;
import org.lilnet.events.Phase;
import org.lilnet.events.SliceDetections;
import org.lilnet.events.SliceRef;
import org.lilnet.inference.InferenceRuntime;
import org.lilnet.inference.InferenceSettings;
import org.lilnet.inference.ModelRole;
import org.lilnet.inference.TestModels;
import org.lilnet.worker.Emit;
import org.lilnet.worker.TaskContext;
import org.lilnet.worker.TaskFailure;
import org.lilnet.worker.TaskTimings;
import org.lilnet.worker.WorkerMetrics;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The detector stage on real DICOM slices and the real (test) ONNX detector, without Kafka. */
class DetectorStageTest {

    private static final String STUDY = "1.2.826.0.1.3680043.10.1.1";
    private static final String SERIES = STUDY + ".2";
    private static InferenceRuntime models;
    private static Path modelDir;

    @TempDir
    Path blobDir;

    @BeforeAll
    static void openModels() throws Exception {
        modelDir = Files.createTempDirectory("detector-models");
        models = InferenceRuntime.open(InferenceSettings.cpu(TestModels.copyTo(modelDir), 1), EnumSet.of(ModelRole.DETECTOR));
    }

    @AfterAll
    static void closeModels() {
        models.close();
    }

    private DetectorStage stage(FileBlobStore blobs) {
        return new DetectorStage(blobs, HuWindow.ABDOMEN, models.session(ModelRole.DETECTOR), "test-1",
                new WorkerMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "slices").unitCounter("crops"));
    }

    private static SliceRef ref(int index, String key) {
        return SliceRef.newBuilder().setSopInstanceUid(SERIES + "." + index).setBlobKey(key).setSliceIndex(index)
                .setSlicePositionMm(index * 5.0).setInstanceNumber(index + 1).build();
    }

    private static DetectTask task(List<SliceRef> slices) {
        return DetectTask.newBuilder().setTaskId(STUDY + "/0/" + SERIES + "/0").setCaseId(STUDY).setCaseRevision(0)
                .setStudyInstanceUid(STUDY).setSeriesInstanceUid(SERIES).setPhase(Phase.AP).setChunkIndex(0).setChunkCount(1)
                .setSlices(slices).setPixelSpacingRowMm(0.7).setPixelSpacingColumnMm(0.7)
                .setLastInstanceAt(Instant.ofEpochMilli(1000)).setEnqueuedAt(Instant.ofEpochMilli(2000)).build();
    }

    private static final TaskContext CONTEXT = new TaskContext(Topics.DETECT_TASKS.name(), 3, 42, SERIES + "/0",
            Instant.ofEpochMilli(2000), Instant.ofEpochMilli(2500));

    private SliceRef store(FileBlobStore blobs, int index, SyntheticCt.Square... squares) throws Exception {
        String key = "dicom/" + STUDY + "/" + SERIES + "/" + SERIES + "." + index + ".dcm";
        blobs.put(key, SyntheticCt.slice(STUDY, SERIES, SERIES + "." + index, index * 5.0, squares));
        return ref(index, key);
    }

    @Test
    void findsTheLesionMapsItToTheSliceAndListsEverySlice() throws Exception {
        FileBlobStore blobs = new FileBlobStore(blobDir);
        DetectorStage stage = stage(blobs);
        List<SliceRef> refs = List.of(store(blobs, 0),
                store(blobs, 1, new SyntheticCt.Square(128, 64, 8, 400)),      // one stride-8 cell, white in the window
                store(blobs, 2, new SyntheticCt.Square(0, 504, 8, 400)));      // in the top-right corner
        DetectTask task = task(refs);

        List<SliceUnit> units = stage.prepare(task, CONTEXT);
        assertThat(stage.expectedUnits(task)).as("known before the slices are read").isEqualTo(units.size()).isEqualTo(3);
        List<List<Detection>> found = stage.infer(units);
        List<Emit<?>> emits = stage.complete(task, CONTEXT, units, found, new TaskTimings(7, 11, 30));

        assertThat(emits).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo(Topics.DETECTIONS);
            assertThat(e.key()).isEqualTo(SERIES + "/0");
        });
        SliceDetections out = (SliceDetections) emits.get(0).value();
        assertThat(out.getStatus()).isEqualTo(ChunkStatus.OK);
        assertThat(out.getTaskId()).isEqualTo(task.getTaskId());
        assertThat(out.getSlices()).extracting(s -> s.getSliceIndex()).containsExactly(0, 1, 2);
        assertThat(out.getSlices().get(0).getDetections()).as("nothing on the blank slice, still listed").isEmpty();
        var lesion = out.getSlices().get(1).getDetections();
        assertThat(lesion).hasSize(1);
        // cell (16, 8): centre (68, 132), the test detector's 16-pixel box
        assertThat(LesionBox.of(lesion.get(0).getBox())).isEqualTo(new LesionBox(60, 124, 76, 140));
        assertThat(lesion.get(0).getScore()).isCloseTo((float) (1 / (1 + Math.exp(-10))), within(1e-6f));
        byte[] crop = new byte[lesion.get(0).getCropPixels().remaining()];
        lesion.get(0).getCropPixels().duplicate().get(crop);
        assertThat(crop).hasSize(224 * 224);
        GreyImage cropImage = new GreyImage(224, 224, crop);
        assertThat(cropImage.at(112, 112)).as("the lesion is at the crop's centre").isEqualTo(255);
        assertThat(cropImage.at(0, 0)).as("air").isZero();
        assertThat(LesionBox.of(out.getSlices().get(2).getDetections().get(0).getBox()))
                .as("clipped to the slice").isEqualTo(new LesionBox(500, 0, 512, 12));
        assertThat(out.getWindow().getLevel()).isEqualTo(40.0);
        assertThat(out.getWindow().getWidth()).isEqualTo(400.0);
        assertThat(out.getDetector().getRole()).isEqualTo("detector");
        assertThat(out.getDetector().getSha256()).isEqualTo(TestModels.sha256(modelDir.resolve("test-detector.onnx")));
        assertThat(out.getTimingsMillis()).containsEntry("detect.queue", 500L).containsEntry("detect.read", 7L)
                .containsEntry("detect.inference", 11L).containsEntry("detect.total", 30L);
        assertThat(out.getLastInstanceAt()).isEqualTo(Instant.ofEpochMilli(1000));
    }

    @Test
    void batchesRunOnTwoThreadsAtOnceEachGetTheDetectionsOfTheirOwnSlices() throws Exception {
        FileBlobStore blobs = new FileBlobStore(blobDir);
        DetectorStage stage = stage(blobs);
        // two tasks whose one lesion sits in different places: a shared input buffer would give one thread the other's box
        List<SliceUnit> left = stage.prepare(task(List.of(store(blobs, 0, new SyntheticCt.Square(128, 64, 8, 400)))), CONTEXT);
        List<SliceUnit> right = stage.prepare(task(List.of(store(blobs, 1, new SyntheticCt.Square(256, 400, 8, 400)))), CONTEXT);
        LesionBox leftBox = stage.infer(left).get(0).get(0).box();
        LesionBox rightBox = stage.infer(right).get(0).get(0).box();
        assertThat(leftBox).isNotEqualTo(rightBox);

        int rounds = 200;
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Callable<Integer> leftRuns = () -> wrongBoxes(stage, left, leftBox, rounds, together);
            java.util.concurrent.Callable<Integer> rightRuns = () -> wrongBoxes(stage, right, rightBox, rounds, together);
            var leftWrong = threads.submit(leftRuns);
            var rightWrong = threads.submit(rightRuns);
            assertThat(leftWrong.get() + rightWrong.get()).as("runs that found another slice's lesion").isZero();
        } finally {
            threads.shutdownNow();
        }
    }

    private static int wrongBoxes(DetectorStage stage, List<SliceUnit> units, LesionBox expected, int rounds,
                                  java.util.concurrent.CyclicBarrier together) throws Exception {
        int wrong = 0;
        for (int i = 0; i < rounds; i++) {
            together.await();
            List<Detection> found = stage.infer(units).get(0);
            wrong += found.size() == 1 && found.get(0).box().equals(expected) ? 0 : 1;
        }
        return wrong;
    }

    @Test
    void theSlicesOfAReleasedTaskLendTheirArraysToTheNextTasksSlices() throws Exception {
        FileBlobStore blobs = new FileBlobStore(blobDir);
        DetectorStage stage = stage(blobs);
        DetectTask first = task(List.of(store(blobs, 0, new SyntheticCt.Square(128, 64, 8, 400)), store(blobs, 1)));
        DetectTask second = task(List.of(store(blobs, 2, new SyntheticCt.Square(0, 504, 8, 400)), store(blobs, 3)));

        List<SliceUnit> firstUnits = stage.prepare(first, CONTEXT);
        stage.complete(first, CONTEXT, firstUnits, stage.infer(firstUnits), new TaskTimings(1, 1, 1));
        List<short[]> lent = firstUnits.stream().map(u -> u.slice().stored()).toList();
        stage.release(firstUnits);
        List<SliceUnit> secondUnits = stage.prepare(second, CONTEXT);

        assertThat(secondUnits).extracting(u -> u.slice().stored()).allSatisfy(a -> assertThat(lent).anySatisfy(l -> assertThat(a).isSameAs(l)));
        for (SliceUnit unit : secondUnits) {
            assertThat(unit.slice().stored()).as("the new slice's values, none of the old").isEqualTo(
                    org.lilnet.dicom.CtSliceReader.read(blobs.read(unit.ref().getBlobKey())).stored());
        }
        List<List<Detection>> found = stage.infer(secondUnits);
        assertThat(found.get(0)).extracting(Detection::box).containsExactly(new LesionBox(500, 0, 512, 12));
        assertThat(found.get(1)).isEmpty();
    }

    @Test
    void anUnreadableSliceFailsTheChunkWithTheReasonAndADeadLetter() throws Exception {
        FileBlobStore blobs = new FileBlobStore(blobDir);
        DetectorStage stage = stage(blobs);
        Path mr = Path.of(System.getProperty("lilnet.shared.dir", "../../shared"), "dicom-corpus/abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm");
        blobs.put("dicom/mr.dcm", Files.readAllBytes(mr));
        blobs.put("dicom/garbage.dcm", new byte[] {1, 2, 3});

        assertThatThrownBy(() -> stage.prepare(task(List.of(store(blobs, 0), ref(1, "dicom/absent.dcm"))), CONTEXT))
                .isInstanceOf(TaskFailure.class).satisfies(e -> assertThat(((TaskFailure) e).reason())
                        .isEqualTo("SLICE_MISSING: slice 1 (dicom/absent.dcm) is not in the blob store"));
        assertThatThrownBy(() -> stage.prepare(task(List.of(ref(0, "dicom/mr.dcm"))), CONTEXT))
                .isInstanceOf(TaskFailure.class).satisfies(e -> assertThat(((TaskFailure) e).reasonCode()).isEqualTo("NOT_CT"));
        assertThatThrownBy(() -> stage.prepare(task(List.of(ref(0, "dicom/garbage.dcm"))), CONTEXT))
                .isInstanceOf(TaskFailure.class).satisfies(e -> assertThat(((TaskFailure) e).reason())
                        .as("PixelMed reads three bytes as an empty attribute list").startsWith("NOT_CT: slice 0 (dicom/garbage.dcm)"));

        TaskFailure failure = new TaskFailure("SLICE_MISSING", "slice 1 (dicom/absent.dcm) is not in the blob store");
        List<Emit<?>> emits = stage.failed(task(List.of(ref(1, "dicom/absent.dcm"))), CONTEXT, failure, new TaskTimings(1, 0, 2));
        SliceDetections out = (SliceDetections) emits.get(0).value();
        assertThat(out.getStatus()).isEqualTo(ChunkStatus.FAILED);
        assertThat(out.getFailureReason()).isEqualTo("SLICE_MISSING: slice 1 (dicom/absent.dcm) is not in the blob store");
        DeadLetter letter = (DeadLetter) emits.get(1).value();
        assertThat(emits.get(1).topic()).isEqualTo(Topics.DEAD_LETTERS);
        assertThat(letter.getReasonCode()).isEqualTo("SLICE_MISSING");
        assertThat(letter.getStage()).isEqualTo("detector");
        assertThat(letter.getSourceTopic()).isEqualTo(Topics.DETECT_TASKS.name());
        assertThat(letter.getSourcePartition()).isEqualTo(3);
        assertThat(letter.getSourceOffset()).isEqualTo(42L);
        assertThat(letter.getCaseId()).isEqualTo(STUDY);
    }

    @Test
    void aSliceOfAnotherSizeIsResizedForTheModelAndItsBoxesScaledBack() throws Exception {
        FileBlobStore blobs = new FileBlobStore(blobDir);
        DetectorStage stage = stage(blobs);
        String key = "dicom/small.dcm";
        // 256x256: the 4x4 white square at (64, 32) becomes the 8x8 cell (128, 64) at 512
        blobs.put(key, SyntheticCt.slice(STUDY, SERIES, SERIES + ".0", 256, 256, 0, new SyntheticCt.Square(64, 32, 4, 400)));
        DetectTask task = task(List.of(ref(0, key)));

        List<SliceUnit> units = stage.prepare(task, CONTEXT);
        List<List<Detection>> found = stage.infer(units);

        assertThat(units.get(0).slice().rows()).isEqualTo(256);
        assertThat(found.get(0)).extracting(Detection::box).contains(new LesionBox(30, 62, 38, 70));
    }

    @Test
    void cropsBeyondTheRecordBudgetGoToTheBlobStoreAndTheRecordStaysUnderOneMegabyte() throws Exception {
        FileBlobStore blobs = new FileBlobStore(blobDir);
        DetectorStage stage = stage(blobs);
        List<SyntheticCt.Square> squares = new ArrayList<>();
        for (int i = 0; i < 30; i++) {   // 30 separate cells on one slice, 32 px apart
            squares.add(new SyntheticCt.Square(32 + 64 * (i / 6), 32 + 64 * (i % 6), 8, 400));
        }
        DetectTask task = task(List.of(store(blobs, 0, squares.toArray(SyntheticCt.Square[]::new)), store(blobs, 1, squares.get(0))));
        List<SliceUnit> units = stage.prepare(task, CONTEXT);
        SliceDetections out = (SliceDetections) stage.complete(task, CONTEXT, units, stage.infer(units), new TaskTimings(0, 0, 0)).get(0).value();

        var all = new ArrayList<org.lilnet.events.Detection>();
        out.getSlices().forEach(s -> all.addAll(s.getDetections()));
        assertThat(all).hasSize(31);
        long inline = all.stream().filter(d -> d.getCropPixels() != null).count();
        assertThat(inline).isEqualTo(17);   // (900000 - 4096 - 2 * 160 - 31 * 48) / (50176 + 8) = 17.8
        var byReference = all.stream().filter(d -> d.getCropBlobKey() != null).toList();
        assertThat(byReference).hasSize(14);
        assertThat(byReference.get(0).getCropBlobKey()).isEqualTo("crops/" + task.getTaskId().replace('/', '_') + "/0-17.u8");
        assertThat(blobs.read(byReference.get(13).getCropBlobKey())).hasSize(224 * 224);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(SliceDetections.class).write(out, encoder);
        encoder.flush();
        assertThat(bytes.size()).isLessThan(900_000);
    }
}
