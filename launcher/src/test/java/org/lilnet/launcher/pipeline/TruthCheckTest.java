package org.lilnet.launcher.pipeline;

import org.junit.jupiter.api.Test;
import org.lilnet.events.Box;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Lesion;
import org.lilnet.events.Phase;
import org.lilnet.phantom.GroundTruth;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TruthCheckTest {

    static final String AP = "1.2.3.1";
    static final String PVP = "1.2.3.2";

    @Test
    void aLesionIsFoundWhenABoxOfItsSeriesOverlapsItIn3d() {
        // true lesion: 20x20 px on slices 10..14 of the AP series (and the PVP series)
        GroundTruth truth = truth("HCC", "malignant", lesion(1, 100, 100, 120, 120, 10, 14), lesion(2, 300, 300, 310, 310, 30, 31));
        // found: same place, slices 11..13 -> IoU = (20*20*3)/(20*20*5) = 0.6; wrong series for lesion 2; an extra one
        Diagnosis d = diagnosis("malignant", "HCC", found(PVP, 100, 100, 120, 120, 11, 13), found(AP, 300, 300, 310, 310, 0, 1),
                found(AP, 400, 400, 420, 420, 5, 6));
        TruthCheck check = new TruthCheck(truth, d);

        assertThat(check.malignancyRight()).isTrue();
        assertThat(check.subtypeRight()).isTrue();
        assertThat(check.trueLesions()).isEqualTo(2);
        assertThat(check.foundLesions()).as("lesion 1 in PVP; lesion 2 only on slices 0..1, not 30..31").isEqualTo(1);
        assertThat(check.extraLesions()).isEqualTo(2);
    }

    @Test
    void theThresholdIsTheIouOfTheVolumes() {
        GroundTruth.Extent e = new GroundTruth.Extent(AP, "AP", 0, 9, new GroundTruth.Box(0, 0, 10, 10), 5, 5, 4.5, List.of(), null, null);
        // a box of a quarter of the area on every slice: IoU 0.25
        assertThat(TruthCheck.iou(found(AP, 0, 0, 5, 5, 0, 9), e)).isEqualTo(0.25);
        // the whole box on one slice of ten: 0.1, just found
        assertThat(TruthCheck.iou(found(AP, 0, 0, 10, 10, 4, 4), e)).isEqualTo(0.1);
        assertThat(TruthCheck.iou(found(AP, 20, 20, 30, 30, 0, 9), e)).isZero();
    }

    @Test
    void aWrongBranchIsWrongOnBothCountsAndNoDiagnosisIsNeverRight() {
        GroundTruth truth = truth("FNH", "benign", lesion(1, 10, 10, 20, 20, 1, 2));
        TruthCheck wrong = new TruthCheck(truth, diagnosis("malignant", "MET"));
        assertThat(wrong.malignancyRight()).isFalse();
        assertThat(wrong.subtypeRight()).isFalse();
        TruthCheck none = new TruthCheck(truth, null);
        assertThat(none.diagnosed()).isFalse();
        assertThat(none.malignancyRight()).isFalse();
        assertThat(none.foundLesions()).isZero();

        TruthCheck.Totals totals = TruthCheck.Totals.of(List.of(wrong, none, new TruthCheck(truth, diagnosis("benign", "FNH"))));
        assertThat(totals).isEqualTo(new TruthCheck.Totals(3, 2, 1, 1, 3, 0));
    }

    static GroundTruth truth(String cls, String malignancy, GroundTruth.Lesion... lesions) {
        return new GroundTruth(1, "test", 1, 0, "PH1", "PH^1", "1.2.3", "ACC1", cls, malignancy, false, "ACME", 0.7,
                List.of(), List.of(lesions));
    }

    static GroundTruth.Lesion lesion(int id, double x1, double y1, double x2, double y2, int first, int last) {
        List<GroundTruth.Extent> extents = List.of(
                new GroundTruth.Extent(AP, "AP", first, last, new GroundTruth.Box(x1, y1, x2, y2), 0, 0, 0, List.of(), null, null),
                new GroundTruth.Extent(PVP, "PVP", first, last, new GroundTruth.Box(x1, y1, x2, y2), 0, 0, 0, List.of(), null, null));
        return new GroundTruth.Lesion(id, "HCC", "typical", 14, new double[3], Map.of(), extents);
    }

    static Lesion found(String series, float x1, float y1, float x2, float y2, int first, int last) {
        return Lesion.newBuilder().setLesionId(1).setPhase(series.equals(AP) ? Phase.AP : Phase.PVP).setSeriesInstanceUid(series)
                .setFirstSliceIndex(first).setLastSliceIndex(last).setFirstSlicePositionMm(first * 5.0).setLastSlicePositionMm(last * 5.0)
                .setLargestBox(Box.newBuilder().setX1(x1).setY1(y1).setX2(x2).setY2(y2).build()).setLargestBoxSliceIndex(first)
                .setLargestBoxSopInstanceUid(series + "." + first).setWidthMm((x2 - x1) * 0.7).setHeightMm((y2 - y1) * 0.7)
                .setSizeMm(Math.max(x2 - x1, y2 - y1) * 0.7).setCropCount(last - first + 1).setMaxDetectionScore(0.9f).build();
    }

    static Diagnosis diagnosis(String malignancy, String subtype, Lesion... lesions) {
        return Diagnosis.newBuilder().setCaseId("1.2.3").setVersion(1).setPatientId("PH1").setStudyInstanceUid("1.2.3")
                .setSeriesInstanceUids(List.of(AP, PVP)).setStatus(DiagnosisStatus.COMPLETE).setPhasesUsed(List.of(Phase.AP, Phase.PVP))
                .setMalignancy(malignancy).setMalignancyProbability(0.8).setSubtype(subtype).setSubtypeProbability(0.6)
                .setPhases(List.of()).setLesions(List.of(lesions)).setModels(List.of()).setTimingsMillis(Map.of("total.lastInstanceToDiagnosis", 4200L))
                .setProducedAt(Instant.ofEpochMilli(10_000)).build();
    }
}
