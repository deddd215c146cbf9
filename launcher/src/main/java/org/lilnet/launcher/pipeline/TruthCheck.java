package org.lilnet.launcher.pipeline;

import org.lilnet.events.Box;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.Lesion;
import org.lilnet.phantom.GroundTruth;

import java.util.List;

/**
 * One phantom case's diagnosis against its ground truth: benign or malignant right, subtype right (the subtype the
 * diagnosis reports on the branch it chose), and how many of the true lesions it found. A true lesion is found when a
 * lesion of the diagnosis in the same series overlaps it by a 3D IoU of at least {@value #FOUND_IOU} (box times slice
 * range; the paper's detection threshold).
 *
 * @param truth     the ground truth
 * @param diagnosis the diagnosis (null: none came)
 */
public record TruthCheck(GroundTruth truth, Diagnosis diagnosis) {

    public static final double FOUND_IOU = 0.1;

    public boolean diagnosed() {
        return diagnosis != null;
    }

    public boolean malignancyRight() {
        return diagnosis != null && truth.malignancy().equals(diagnosis.getMalignancy());
    }

    public boolean subtypeRight() {
        return diagnosis != null && truth.patientClass().equals(diagnosis.getSubtype());
    }

    /** True lesions (each counted once, whatever the series that show it). */
    public int trueLesions() {
        return truth.lesions().size();
    }

    /** True lesions that a lesion of the diagnosis matches in at least one series. */
    public int foundLesions() {
        if (diagnosis == null) {
            return 0;
        }
        int found = 0;
        for (GroundTruth.Lesion t : truth.lesions()) {
            boolean any = false;
            for (GroundTruth.Extent e : t.extents()) {
                for (Lesion d : diagnosis.getLesions()) {
                    any |= d.getSeriesInstanceUid().equals(e.seriesInstanceUid()) && iou(d, e) >= FOUND_IOU;
                }
            }
            found += any ? 1 : 0;
        }
        return found;
    }

    /** Lesions of the diagnosis that match no true lesion of their series. */
    public int extraLesions() {
        if (diagnosis == null) {
            return 0;
        }
        int extra = 0;
        for (Lesion d : diagnosis.getLesions()) {
            boolean any = false;
            for (GroundTruth.Lesion t : truth.lesions()) {
                GroundTruth.Extent e = t.extentIn(d.getSeriesInstanceUid());
                any |= e != null && iou(d, e) >= FOUND_IOU;
            }
            extra += any ? 0 : 1;
        }
        return extra;
    }

    /** 3D IoU of a found lesion (largest box x slice range) and a true extent (union box x slice range). */
    static double iou(Lesion d, GroundTruth.Extent e) {
        Box b = d.getLargestBox();
        GroundTruth.Box t = e.box();
        double ix = overlap(b.getX1(), b.getX2(), t.x1(), t.x2());
        double iy = overlap(b.getY1(), b.getY2(), t.y1(), t.y2());
        double iz = overlap(d.getFirstSliceIndex(), d.getLastSliceIndex() + 1, e.firstSliceIndex(), e.lastSliceIndex() + 1);
        double inter = ix * iy * iz;
        double a = (b.getX2() - b.getX1()) * (b.getY2() - b.getY1()) * (d.getLastSliceIndex() + 1 - d.getFirstSliceIndex());
        double c = t.width() * t.height() * (e.lastSliceIndex() + 1 - e.firstSliceIndex());
        double union = a + c - inter;
        return union > 0 ? inter / union : 0;
    }

    private static double overlap(double a1, double a2, double b1, double b2) {
        return Math.max(0, Math.min(a2, b2) - Math.max(a1, b1));
    }

    /** Totals over several cases. */
    public record Totals(int cases, int diagnosed, int malignancyRight, int subtypeRight, int trueLesions, int foundLesions) {
        public static Totals of(List<TruthCheck> checks) {
            return new Totals(checks.size(), (int) checks.stream().filter(TruthCheck::diagnosed).count(),
                    (int) checks.stream().filter(TruthCheck::malignancyRight).count(),
                    (int) checks.stream().filter(TruthCheck::subtypeRight).count(),
                    checks.stream().mapToInt(TruthCheck::trueLesions).sum(),
                    checks.stream().mapToInt(TruthCheck::foundLesions).sum());
        }
    }
}
