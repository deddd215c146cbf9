package org.lilnet.phantom.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A lesion in one series as a box in slice pixels times a range of slices (whole slices: first..last inclusive).
 */
public record Box3d(double x1, double y1, double x2, double y2, int firstSlice, int lastSlice) {

    public double volume() {
        return Math.max(0, x2 - x1) * Math.max(0, y2 - y1) * (lastSlice + 1 - firstSlice);
    }

    /** Intersection over union of the two volumes. */
    public double iou(Box3d o) {
        double ix = Math.max(0, Math.min(x2, o.x2) - Math.max(x1, o.x1));
        double iy = Math.max(0, Math.min(y2, o.y2) - Math.max(y1, o.y1));
        double iz = Math.max(0, Math.min(lastSlice + 1, o.lastSlice + 1) - Math.max(firstSlice, o.firstSlice));
        double inter = ix * iy * iz;
        double union = volume() + o.volume() - inter;
        return union > 0 ? inter / union : 0;
    }

    /**
     * One-to-one matching by decreasing IoU, pairs at or above the threshold (the paper: a predicted box overlapping
     * a true one by more than the threshold is a true positive; a second box on the same lesion is a false positive).
     *
     * @return indices of the matched true boxes
     */
    public static Set<Integer> match(List<Box3d> predicted, List<Box3d> truth, double threshold) {
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < predicted.size(); i++) {
            for (int j = 0; j < truth.size(); j++) {
                double v = predicted.get(i).iou(truth.get(j));
                if (v > 0 && v >= threshold) {
                    pairs.add(new double[] {v, i, j});
                }
            }
        }
        pairs.sort((a, b) -> Double.compare(b[0], a[0]));
        Set<Integer> usedPredicted = new HashSet<>();
        Set<Integer> usedTruth = new HashSet<>();
        for (double[] p : pairs) {
            if (!usedPredicted.contains((int) p[1]) && !usedTruth.contains((int) p[2])) {
                usedPredicted.add((int) p[1]);
                usedTruth.add((int) p[2]);
            }
        }
        return usedTruth;
    }
}
