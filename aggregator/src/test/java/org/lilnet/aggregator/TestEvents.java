package org.lilnet.aggregator;

import org.lilnet.events.Box;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.ChunkStatus;
import org.lilnet.events.CropPrediction;
import org.lilnet.events.ModelRef;
import org.lilnet.events.Phase;
import org.lilnet.events.RefusedInstance;
import org.lilnet.events.SeriesInfo;
import org.lilnet.events.SkippedSeries;
import org.lilnet.events.StudyArrived;
import org.lilnet.events.WindowSetting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the aggregator's input events for tests, the way ingest and the classifier write them. */
public final class TestEvents {

    private TestEvents() {
    }

    public static final Instant LAST_INSTANCE_AT = Instant.parse("2026-03-02T08:00:00Z");
    public static final WindowSetting WINDOW = WindowSetting.newBuilder().setLevel(40).setWidth(400).build();
    public static final List<ModelRef> MODELS = List.of(
            model("detector", "lilnet-phantom-detector", "1.0.0", 'a'), model("bm", "lilnet-bm", "1.0.0", 'b'),
            model("m", "lilnet-m", "1.0.0", 'c'), model("b", "lilnet-b", "1.0.0", 'd'));

    private static ModelRef model(String role, String name, String version, char sha) {
        return ModelRef.newBuilder().setRole(role).setName(name).setVersion(version).setSha256(String.valueOf(sha).repeat(64)).build();
    }

    /** A series of {@code slices} slices in {@code chunks} chunks; pixel spacing 0.7 mm between rows, 0.8 mm between columns. */
    public static SeriesInfo series(String uid, Phase phase, int slices, int chunks) {
        return SeriesInfo.newBuilder().setSeriesInstanceUid(uid).setSeriesNumber(phase == Phase.AP ? 3 : 4)
                .setDescription(phase == Phase.AP ? "ART 1.25mm" : "PV 1.25mm").setPhase(phase)
                .setPhaseEvidence("description").setSliceCount(slices).setChunkCount(chunks).setRows(512).setColumns(512)
                .setPixelSpacingRowMm(0.7).setPixelSpacingColumnMm(0.8).setSliceSpacingMm(1.25).setSliceThicknessMm(1.25)
                .setManufacturer("TEST").build();
    }

    public static StudyArrived study(String caseId, int revision, SeriesInfo... series) {
        return StudyArrived.newBuilder().setCaseId(caseId).setCaseRevision(revision).setPatientId("P-" + caseId)
                .setStudyInstanceUid(caseId).setAccessionNumber("A-" + caseId).setStudyDate("20260302")
                .setSeries(List.of(series))
                .setSkippedSeries(List.of(SkippedSeries.newBuilder().setSeriesInstanceUid(caseId + ".9").setDescription("NC 5mm")
                        .setPhase(Phase.NON_CONTRAST).setReasonCode("NON_CONTRAST").setDetail("no contrast agent").setInstanceCount(40).build()))
                .setRefusedInstances(List.of(RefusedInstance.newBuilder().setSopInstanceUid(caseId + ".9.1")
                        .setSeriesInstanceUid(caseId + ".9").setReasonCode("PIXEL_DATA_UNREADABLE").setDetail("truncated").build()))
                .setExpectedChunks(Arrays.stream(series).mapToInt(SeriesInfo::getChunkCount).sum())
                .setFirstInstanceAt(LAST_INSTANCE_AT.minusSeconds(20)).setLastInstanceAt(LAST_INSTANCE_AT)
                .setOpenedAt(LAST_INSTANCE_AT.plusSeconds(30)).build();
    }

    /** A crop on {@code slice} with the box (x1,y1)-(x2,y2) and the given BM, M and B logits. */
    public static CropPrediction crop(String seriesUid, int slice, float x1, float y1, float x2, float y2, float[] bm, float[] m, float[] b) {
        return CropPrediction.newBuilder().setSopInstanceUid(seriesUid + "." + slice).setSliceIndex(slice)
                .setSlicePositionMm(-100.0 + 1.25 * slice)
                .setBox(Box.newBuilder().setX1(x1).setY1(y1).setX2(x2).setY2(y2).build()).setDetectionScore(0.5f + slice / 100f)
                .setBmLogits(list(bm)).setMLogits(list(m)).setBLogits(list(b)).build();
    }

    public static ChunkPredictions chunk(String caseId, int revision, SeriesInfo series, int chunkIndex, CropPrediction... crops) {
        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("ingest.quiet", 30_000L);
        timings.put("detect.inference", 100L + chunkIndex);
        timings.put("classify.inference", 50L * (chunkIndex + 1));
        return ChunkPredictions.newBuilder().setTaskId(caseId + "/" + revision + "/" + series.getSeriesInstanceUid() + "/" + chunkIndex)
                .setCaseId(caseId).setCaseRevision(revision).setStudyInstanceUid(caseId)
                .setSeriesInstanceUid(series.getSeriesInstanceUid()).setPhase(series.getPhase()).setChunkIndex(chunkIndex)
                .setChunkCount(series.getChunkCount()).setStatus(ChunkStatus.OK)
                .setSliceCount(series.getSliceCount() / series.getChunkCount()).setWindow(WINDOW).setModels(MODELS)
                .setCrops(new ArrayList<>(List.of(crops))).setLastInstanceAt(LAST_INSTANCE_AT)
                .setTimingsMillis(new LinkedHashMap<>(timings)).build();
    }

    public static ChunkPredictions failedChunk(String caseId, int revision, SeriesInfo series, int chunkIndex, String reason) {
        return ChunkPredictions.newBuilder(chunk(caseId, revision, series, chunkIndex)).setStatus(ChunkStatus.FAILED)
                .setFailureReason(reason).build();
    }

    public static List<Float> list(float... values) {
        List<Float> out = new ArrayList<>();
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    public static float[] f(float... values) {
        return values;
    }
}
