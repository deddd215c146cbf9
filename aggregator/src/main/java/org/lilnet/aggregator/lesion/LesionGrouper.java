package org.lilnet.aggregator.lesion;

import org.lilnet.aggregator.fusion.LogitPool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Groups the crops of one series into lesions: slice by slice, a crop continues the lesion whose last box
 * it overlaps most ({@link LesionRule}); a lesion takes at most one crop per slice; a crop that continues none
 * starts a new lesion.
 */
public final class LesionGrouper {

    private final LesionRule rule;

    public LesionGrouper(LesionRule rule) {
        this.rule = rule;
    }

    /** The lesions of one series, in order of their first slice (then top to bottom, left to right). */
    public List<List<Crop>> group(List<Crop> cropsOfOneSeries) {
        List<Crop> ordered = new ArrayList<>(cropsOfOneSeries);
        // larger boxes claim a lesion first; the rest only fixes the order so that the result is deterministic
        ordered.sort(Comparator.comparingInt(Crop::sliceIndex)
                .thenComparing(c -> -c.box().area())
                .thenComparingDouble(c -> c.box().x1())
                .thenComparingDouble(c -> c.box().y1()));
        List<List<Crop>> lesions = new ArrayList<>();
        // a lesion is one particular list (identity), not its content
        Set<List<Crop>> extendedOnThisSlice = Collections.newSetFromMap(new IdentityHashMap<>());
        int slice = Integer.MIN_VALUE;
        for (Crop crop : ordered) {
            if (crop.sliceIndex() != slice) {
                slice = crop.sliceIndex();
                extendedOnThisSlice.clear();
            }
            List<Crop> best = null;
            double bestOverlap = -1;
            for (List<Crop> lesion : lesions) {
                Crop last = lesion.get(lesion.size() - 1);
                if (!extendedOnThisSlice.contains(lesion) && rule.continues(last.sliceIndex(), last.box(), crop.sliceIndex(), crop.box())) {
                    double overlap = last.box().overlapOfSmaller(crop.box());
                    if (overlap > bestOverlap) {
                        best = lesion;
                        bestOverlap = overlap;
                    }
                }
            }
            if (best == null) {
                best = new ArrayList<>();
                lesions.add(best);
            }
            best.add(crop);
            extendedOnThisSlice.add(best);
        }
        lesions.sort(Comparator.comparingInt((List<Crop> l) -> l.get(0).sliceIndex())
                .thenComparingDouble(l -> l.get(0).box().y1())
                .thenComparingDouble(l -> l.get(0).box().x1()));
        return lesions;
    }

    /** Groups and measures: slice range, largest box and its size in mm, fused probabilities per lesion. */
    public List<FoundLesion> find(List<Crop> cropsOfOneSeries, double rowSpacingMm, double columnSpacingMm) {
        List<FoundLesion> found = new ArrayList<>();
        for (List<Crop> crops : group(cropsOfOneSeries)) {
            Crop largest = crops.get(0);
            LogitPool pool = new LogitPool();
            for (Crop c : crops) {
                if (c.box().area() > largest.box().area()) {
                    largest = c;
                }
                pool.add(c.bmLogits(), c.mLogits(), c.bLogits());
            }
            found.add(new FoundLesion(List.copyOf(crops), largest, largest.box().width() * columnSpacingMm,
                    largest.box().height() * rowSpacingMm, pool.decide().orElseThrow()));
        }
        return found;
    }
}
