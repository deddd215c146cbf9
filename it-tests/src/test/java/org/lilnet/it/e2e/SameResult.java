package org.lilnet.it.e2e;

import org.lilnet.events.ClassProbabilities;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.Lesion;
import org.lilnet.events.PhaseSummary;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Whether two diagnoses of the same images (a study and its copy under other UIDs) say the same: status, phases,
 * benign/malignant and subtype with their fused probabilities, what arrived per phase, and every lesion (phase, slices,
 * largest box, crops). Identifiers and timings may differ. Probabilities agree to {@value #PROBABILITY_TOLERANCE} and
 * boxes to {@value #BOX_TOLERANCE_PX} pixel: ONNX Runtime may batch the slices differently on a second pass.
 */
final class SameResult {

    static final double PROBABILITY_TOLERANCE = 1e-4;
    static final double BOX_TOLERANCE_PX = 0.5;

    private SameResult() {
    }

    /** The differences, in words; empty when the two say the same. */
    static List<String> differences(Diagnosis expected, Diagnosis actual) {
        List<String> out = new ArrayList<>();
        same(out, "status", expected.getStatus(), actual.getStatus());
        same(out, "phases used", expected.getPhasesUsed(), actual.getPhasesUsed());
        same(out, "malignancy", expected.getMalignancy(), actual.getMalignancy());
        same(out, "subtype", expected.getSubtype(), actual.getSubtype());
        close(out, "bm", expected.getBm(), actual.getBm());
        close(out, "m", expected.getM(), actual.getM());
        close(out, "b", expected.getB(), actual.getB());
        List<String> ep = expected.getPhases().stream().map(SameResult::phase).sorted().toList();
        List<String> ap = actual.getPhases().stream().map(SameResult::phase).sorted().toList();
        same(out, "per-phase counts", ep, ap);
        List<Lesion> el = sorted(expected.getLesions());
        List<Lesion> al = sorted(actual.getLesions());
        if (el.size() != al.size()) {
            out.add("lesions: " + el.size() + " expected, " + al.size() + " found");
        } else {
            for (int i = 0; i < el.size(); i++) {
                Lesion e = el.get(i);
                Lesion a = al.get(i);
                String where = "lesion " + (i + 1) + " (" + e.getPhase() + " slices " + e.getFirstSliceIndex() + "-" + e.getLastSliceIndex() + ")";
                same(out, where + " phase", e.getPhase(), a.getPhase());
                same(out, where + " slices", e.getFirstSliceIndex() + "-" + e.getLastSliceIndex(), a.getFirstSliceIndex() + "-" + a.getLastSliceIndex());
                same(out, where + " crops", e.getCropCount(), a.getCropCount());
                double d = Math.max(Math.max(Math.abs(e.getLargestBox().getX1() - a.getLargestBox().getX1()),
                                Math.abs(e.getLargestBox().getY1() - a.getLargestBox().getY1())),
                        Math.max(Math.abs(e.getLargestBox().getX2() - a.getLargestBox().getX2()),
                                Math.abs(e.getLargestBox().getY2() - a.getLargestBox().getY2())));
                if (d > BOX_TOLERANCE_PX) {
                    out.add(where + " largest box: " + e.getLargestBox() + " expected, " + a.getLargestBox() + " found");
                }
            }
        }
        return out;
    }

    private static String phase(PhaseSummary p) {
        return p.getPhase() + ": " + p.getSliceCount() + " slices, " + p.getChunksReceived() + "/" + p.getChunksExpected() + " chunks, "
                + p.getChunksFailed() + " failed, " + p.getCropCount() + " crops";
    }

    private static List<Lesion> sorted(List<Lesion> lesions) {
        return lesions.stream().sorted(Comparator.comparing((Lesion l) -> l.getPhase().name()).thenComparingInt(Lesion::getFirstSliceIndex)
                .thenComparingDouble(l -> l.getLargestBox().getX1()).thenComparingDouble(l -> l.getLargestBox().getY1())).toList();
    }

    private static void same(List<String> out, String what, Object expected, Object actual) {
        if (!Objects.equals(String.valueOf(expected), String.valueOf(actual))) {
            out.add(what + ": " + expected + " expected, " + actual + " found");
        }
    }

    private static void close(List<String> out, String what, ClassProbabilities expected, ClassProbabilities actual) {
        if (expected == null || actual == null) {
            if (expected != actual) {
                out.add(what + ": " + expected + " expected, " + actual + " found");
            }
            return;
        }
        for (int i = 0; i < expected.getProbabilities().size(); i++) {
            if (Math.abs(expected.getProbabilities().get(i) - actual.getProbabilities().get(i)) > PROBABILITY_TOLERANCE) {
                out.add(what + " probabilities: " + expected.getProbabilities() + " expected, " + actual.getProbabilities() + " found");
                return;
            }
        }
    }
}
