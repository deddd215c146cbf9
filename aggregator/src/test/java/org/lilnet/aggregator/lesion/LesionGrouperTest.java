package org.lilnet.aggregator.lesion;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Lesions: crops of nearby slices whose boxes overlap by at least half of the smaller box, one slice may be skipped. */
class LesionGrouperTest {

    private final LesionGrouper grouper = new LesionGrouper(LesionRule.DEFAULT);

    private static Crop crop(int slice, double x1, double y1, double x2, double y2) {
        return crop(slice, x1, y1, x2, y2, new float[] {0, 1});
    }

    private static Crop crop(int slice, double x1, double y1, double x2, double y2, float[] bm) {
        return new Crop("sop." + slice + "." + x1, slice, -100 + 1.25 * slice, new LesionBox(x1, y1, x2, y2), 0.5f + slice / 100f,
                bm, new float[] {1, 0, 0}, new float[] {0, 0, 1});
    }

    private static List<Integer> sizes(List<List<Crop>> lesions) {
        return lesions.stream().map(List::size).toList();
    }

    @Test
    void overlappingBoxesOnAdjacentSlicesAreOneLesion() {
        List<Crop> crops = List.of(crop(10, 100, 100, 120, 120), crop(11, 98, 98, 124, 124), crop(12, 102, 101, 121, 119));
        assertThat(sizes(grouper.group(crops))).containsExactly(3);
    }

    @Test
    void oneSkippedSliceKeepsTheLesionTwoSplitIt() {
        assertThat(sizes(grouper.group(List.of(crop(10, 100, 100, 120, 120), crop(12, 100, 100, 120, 120))))).containsExactly(2);
        assertThat(sizes(grouper.group(List.of(crop(10, 100, 100, 120, 120), crop(13, 100, 100, 120, 120))))).containsExactly(1, 1);
        LesionGrouper strict = new LesionGrouper(new LesionRule(0.5, 0));
        assertThat(sizes(strict.group(List.of(crop(10, 100, 100, 120, 120), crop(12, 100, 100, 120, 120))))).containsExactly(1, 1);
    }

    @Test
    void boxesThatDoNotOverlapEnoughAreDifferentLesions() {
        // 25% of the smaller box overlaps: below one half
        List<Crop> crops = List.of(crop(10, 100, 100, 120, 120), crop(11, 110, 110, 130, 130));
        assertThat(sizes(grouper.group(crops))).containsExactly(1, 1);
        // 50%: enough
        assertThat(sizes(grouper.group(List.of(crop(10, 100, 100, 120, 120), crop(11, 110, 100, 130, 120))))).containsExactly(2);
    }

    @Test
    void aSmallSectionInsideALargeOneContinuesIt() {
        // IoU would be 0.04; the overlap of the smaller box is 1
        List<Crop> crops = List.of(crop(20, 100, 100, 150, 150), crop(21, 120, 120, 130, 130));
        assertThat(sizes(grouper.group(crops))).containsExactly(2);
    }

    @Test
    void twoLesionsSideBySideStaySeparateAndALesionTakesOneCropPerSlice() {
        List<Crop> crops = new ArrayList<>();
        for (int s = 30; s < 34; s++) {
            crops.add(crop(s, 50, 50, 80, 80));
            crops.add(crop(s, 300, 300, 340, 340));
        }
        // two crops on one slice inside the previous box: only one continues the lesion
        crops.add(crop(34, 52, 52, 64, 64));
        crops.add(crop(34, 66, 66, 78, 78));
        List<List<Crop>> lesions = grouper.group(crops);
        assertThat(sizes(lesions)).containsExactly(5, 4, 1);
        assertThat(lesions.get(0).stream().map(Crop::sliceIndex).toList()).containsExactly(30, 31, 32, 33, 34);
        assertThat(lesions.get(1).get(0).box().x1()).isEqualTo(300);
    }

    @Test
    void theOrderOfArrivalDoesNotMatter() {
        List<Crop> crops = new ArrayList<>(List.of(crop(12, 102, 101, 121, 119), crop(10, 100, 100, 120, 120), crop(40, 10, 10, 20, 20),
                crop(11, 98, 98, 124, 124)));
        List<List<Crop>> a = grouper.group(crops);
        java.util.Collections.reverse(crops);
        assertThat(grouper.group(crops)).isEqualTo(a);
    }

    @Test
    void aLesionIsMeasuredFromItsLargestBoxWithThePixelSpacing() {
        List<Crop> crops = List.of(
                crop(10, 100, 100, 120, 110, new float[] {0, 2}),
                crop(11, 95, 95, 135, 125, new float[] {0, 4}),   // 40 x 30 px: the largest
                crop(12, 100, 100, 125, 115, new float[] {3, 0}));
        FoundLesion lesion = grouper.find(crops, 0.7, 0.8).get(0);

        assertThat(lesion.first().sliceIndex()).isEqualTo(10);
        assertThat(lesion.last().sliceIndex()).isEqualTo(12);
        assertThat(lesion.largest().sliceIndex()).isEqualTo(11);
        assertThat(lesion.widthMm()).isCloseTo(40 * 0.8, within(1e-9));
        assertThat(lesion.heightMm()).isCloseTo(30 * 0.7, within(1e-9));
        assertThat(lesion.sizeMm()).isCloseTo(32.0, within(1e-9));
        assertThat(lesion.maxDetectionScore()).isEqualTo(0.5f + 12 / 100f);
        // its own fused result: mean BM logits (1, 2) over its three crops
        assertThat(lesion.decision().bm().meanLogits()).containsExactly(new double[] {1, 2}, within(1e-12));
        assertThat(lesion.decision().malignancyProbability()).isCloseTo(1 / (1 + Math.exp(-1)), within(1e-12));
    }

    @Test
    void overlapIsMeasuredOnTheSmallerBox() {
        LesionBox a = new LesionBox(0, 0, 10, 10);
        assertThat(a.overlapOfSmaller(new LesionBox(5, 0, 15, 10))).isCloseTo(0.5, within(1e-12));
        assertThat(a.overlapOfSmaller(new LesionBox(2, 2, 4, 4))).isCloseTo(1.0, within(1e-12));
        assertThat(a.overlapOfSmaller(new LesionBox(10, 0, 20, 10))).isZero();
    }
}
