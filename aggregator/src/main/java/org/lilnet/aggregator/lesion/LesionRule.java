package org.lilnet.aggregator.lesion;

/**
 * When two crops of a series show the same lesion: their slices are at most {@code maxSliceGap + 1} apart (0: only
 * adjacent slices; 1: one slice may be skipped, e.g. a missed detection) and their boxes overlap by at least
 * {@code minOverlap} of the smaller box ({@link LesionBox#overlapOfSmaller}).
 */
public record LesionRule(double minOverlap, int maxSliceGap) {

    public static final LesionRule DEFAULT = new LesionRule(0.5, 1);

    public LesionRule {
        if (!(minOverlap > 0 && minOverlap <= 1)) {
            throw new IllegalArgumentException("minOverlap must be in (0, 1]: " + minOverlap);
        }
        if (maxSliceGap < 0) {
            throw new IllegalArgumentException("maxSliceGap must be >= 0: " + maxSliceGap);
        }
    }

    /** Whether a crop on {@code slice} with {@code box} continues a lesion last seen on {@code lastSlice} in {@code lastBox}. */
    public boolean continues(int lastSlice, LesionBox lastBox, int slice, LesionBox box) {
        int step = slice - lastSlice;
        return step >= 1 && step <= maxSliceGap + 1 && lastBox.overlapOfSmaller(box) >= minOverlap;
    }
}
