package org.lilnet.phantom.eval;

import org.junit.jupiter.api.Test;
import org.lilnet.events.Box;
import org.lilnet.events.ClassProbabilities;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Lesion;
import org.lilnet.events.Phase;
import org.lilnet.phantom.GroundTruth;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Four patients worked through by hand. */
class EvaluationTest {

    static GroundTruth truth(String uid, String cls, double sizeMm, GroundTruth.Box box, int first, int last) {
        GroundTruth.Series ap = new GroundTruth.Series(uid + ".1", 1, "AP", false, "ART", "series-001", 20, 5, 0, 25.0, true, 10,
                new double[3], Map.of());
        GroundTruth.Series pvp = new GroundTruth.Series(uid + ".2", 2, "PVP", false, "PV", "series-002", 20, 5, 0, 70.0, true, 10,
                new double[3], Map.of());
        GroundTruth.Extent e = new GroundTruth.Extent(uid + ".1", "AP", first, last, box, 0, 0, 0, List.of(), null, null);
        GroundTruth.Lesion lesion = new GroundTruth.Lesion(1, cls, "typical", sizeMm, new double[3], Map.of(), List.of(e));
        boolean malignant = List.of("HCC", "ICC", "MET").contains(cls);
        return new GroundTruth(1, "test", 1, 0, "P" + uid, "N", uid, "A" + uid, cls, malignant ? "malignant" : "benign", false, "GE", 0.7,
                List.of(ap, pvp), List.of(lesion));
    }

    static ClassProbabilities probs(List<String> labels, double... p) {
        List<Double> values = new ArrayList<>();
        for (double v : p) {
            values.add(v);
        }
        return ClassProbabilities.newBuilder().setLabels(labels).setProbabilities(values).setMeanLogits(values).build();
    }

    static Diagnosis diagnosis(String uid, int version, double pMalignant, double[] m, double[] b, List<Lesion> lesions) {
        boolean malignant = pMalignant > 0.5;
        String subtype = malignant ? List.of("HCC", "ICC", "MET").get(Evaluation.argmax(m)) : List.of("FNH", "HEM", "CYST").get(Evaluation.argmax(b));
        return Diagnosis.newBuilder().setCaseId(uid).setVersion(version).setStudyInstanceUid(uid).setSeriesInstanceUids(List.of())
                .setStatus(DiagnosisStatus.COMPLETE).setPhasesUsed(List.of(Phase.AP, Phase.PVP))
                .setMalignancy(malignant ? "malignant" : "benign").setMalignancyProbability(Math.max(pMalignant, 1 - pMalignant))
                .setSubtype(subtype).setSubtypeProbability(0.5)
                .setBm(probs(List.of("benign", "malignant"), 1 - pMalignant, pMalignant))
                .setM(probs(List.of("HCC", "ICC", "MET"), m)).setB(probs(List.of("FNH", "HEM", "CYST"), b))
                .setPhases(List.of()).setLesions(lesions).setModels(List.of()).setTimingsMillis(Map.of()).setProducedAt(Instant.EPOCH).build();
    }

    static Lesion lesion(String series, float x1, float y1, float x2, float y2, int first, int last) {
        return Lesion.newBuilder().setLesionId(1).setPhase(Phase.AP).setSeriesInstanceUid(series).setFirstSliceIndex(first)
                .setLastSliceIndex(last).setFirstSlicePositionMm(0).setLastSlicePositionMm(0)
                .setLargestBox(Box.newBuilder().setX1(x1).setY1(y1).setX2(x2).setY2(y2).build()).setLargestBoxSliceIndex(first)
                .setLargestBoxSopInstanceUid("x").setWidthMm(1).setHeightMm(1).setSizeMm(1).setCropCount(1).setMaxDetectionScore(0.9f).build();
    }

    @Test
    void computesEveryFigureForAHandWorkedSet() throws Exception {
        GroundTruth.Box box = new GroundTruth.Box(100, 100, 120, 120);
        List<GroundTruth> truths = List.of(
                truth("1", "HCC", 25, box, 5, 8),   // right: malignant, HCC; lesion found exactly
                truth("2", "ICC", 45, box, 5, 8),   // called benign (FNH) -> BM wrong; M model still says ICC
                truth("3", "CYST", 8, box, 5, 8),   // right: benign, CYST; lesion missed
                truth("4", "FNH", 60, box, 5, 8));  // no diagnosis at all
        List<Diagnosis> diagnoses = List.of(
                diagnosis("1", 1, 0.2, new double[] {0.3, 0.3, 0.4}, new double[] {0.4, 0.3, 0.3}, List.of()),  // superseded
                diagnosis("1", 2, 0.9, new double[] {0.7, 0.2, 0.1}, new double[] {0.3, 0.3, 0.4},
                        List.of(lesion("1.1", 100, 100, 120, 120, 5, 8), lesion("1.1", 300, 300, 310, 310, 1, 1))),
                diagnosis("2", 1, 0.3, new double[] {0.2, 0.6, 0.2}, new double[] {0.5, 0.3, 0.2}, List.of(lesion("2.1", 105, 100, 125, 120, 6, 8))),
                diagnosis("3", 1, 0.1, new double[] {0.4, 0.3, 0.3}, new double[] {0.1, 0.1, 0.8}, List.of()),
                diagnosis("99", 1, 0.1, new double[] {0.4, 0.3, 0.3}, new double[] {0.1, 0.1, 0.8}, List.of()));

        Evaluation.Report r = Evaluation.evaluate(truths, diagnoses, 200, 1);

        assertThat(r.patients()).isEqualTo(4);
        assertThat(r.diagnosed()).isEqualTo(3);
        assertThat(r.diagnosesWithoutTruth()).isEqualTo(1);
        // BM: truth 1,1,0,0; predicted 1,0,0,none -> 2 of 4
        assertThat(r.bm().scores().acc()).isCloseTo(0.5, within(1e-12));
        // p(malignant) 0.9, 0.3 (malignant) vs 0.1, 0.5 (no answer) -> 0.9 beats both, 0.3 beats 0.1 -> 3/4
        assertThat(r.bm().scores().auc()).isCloseTo(0.75, within(1e-12));
        assertThat(r.bm().confusion()).isDeepEqualTo(new int[][] {{1, 0, 1}, {1, 1, 0}});
        // M on the two malignant patients: HCC -> HCC, ICC -> ICC
        assertThat(r.m().patients()).isEqualTo(2);
        assertThat(r.m().scores().acc()).isCloseTo(1.0, within(1e-12));
        // B on the two benign patients: CYST -> CYST, FNH -> none
        assertThat(r.b().scores().acc()).isCloseTo(0.5, within(1e-12));
        // cascade: HCC right, ICC -> FNH wrong, CYST right, FNH none
        assertThat(r.cascadeAccuracy()).isCloseTo(0.5, within(1e-12));
        assertThat(r.cascadeConfusion()[1][3]).isEqualTo(1);
        // sizes 25 (1-3 cm), 45 (3-5), 8 (<1), 60 (>5): each bucket one patient
        assertThat(r.bySize()).extracting(Evaluation.SizeBucket::patients).containsExactly(1, 1, 1, 1);
        assertThat(r.bySize().get(1).cascadeAccuracy()).isEqualTo(1.0);
        assertThat(r.bySize().get(0).cascadeAccuracy()).isEqualTo(1.0);
        assertThat(r.bySize().get(2).cascadeAccuracy()).isEqualTo(0.0);
        // detection: true lesions 4 (one per patient, AP series); predicted 3.
        // patient 1 exact (IoU 1); patient 2: box overlap 15x20 of 20x20+20x20-300 = 300/500, slices 3 of 4 -> 900/(1600+1200-900)
        Evaluation.Detection d01 = r.detection().get(0);
        assertThat(d01.trueLesions()).isEqualTo(4);
        assertThat(d01.predictedLesions()).isEqualTo(3);
        assertThat(d01.truePositives()).isEqualTo(2);
        assertThat(d01.recall()).isCloseTo(0.5, within(1e-12));
        assertThat(d01.precision()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(d01.recallAtLeast1cm()).isCloseTo(2 / 3.0, within(1e-12));
        Evaluation.Detection d05 = r.detection().get(2);
        assertThat(900 / 1900.0).isLessThan(0.5);
        assertThat(d05.truePositives()).isEqualTo(1);
        assertThat(Evaluation.text(r)).contains("benign/malignant", "HCC/ICC/MET", "FNH/HEM/CYST", "detection", "3-5 cm");
    }

    @Test
    void diagnosesRoundTripThroughTheAvroJsonFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Diagnosis d = diagnosis("7", 3, 0.8, new double[] {0.1, 0.2, 0.7}, new double[] {0.3, 0.3, 0.4},
                List.of(lesion("7.1", 1, 2, 3, 4, 0, 2)));
        StringWriter text = new StringWriter();
        DiagnosisJson.write(List.of(d), text);
        assertThat(text.toString()).contains("\"malignancy\":{\"string\":\"malignant\"}");
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, text.toString() + "\n");
        assertThat(DiagnosisJson.read(file)).containsExactly(d);
        Files.writeString(file, "{\"caseId\": 1}\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DiagnosisJson.read(file)).hasMessageContaining("line 1");
    }
}
