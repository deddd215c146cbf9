package org.lilnet.phantom.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Figures computed by hand for small cases. */
class ClassificationMetricsTest {

    @Test
    void aucCountsOrderedPairsAndTiesHalf() {
        // positives 0.9, 0.4; negatives 0.6, 0.1: 0.9>0.6, 0.9>0.1, 0.4<0.6, 0.4>0.1 -> 3 of 4 pairs
        assertThat(ClassificationMetrics.aucBinary(new boolean[] {true, true, false, false}, new double[] {0.9, 0.4, 0.6, 0.1}))
                .isCloseTo(0.75, within(1e-12));
        assertThat(ClassificationMetrics.aucBinary(new boolean[] {true, false}, new double[] {0.5, 0.5})).isCloseTo(0.5, within(1e-12));
        assertThat(ClassificationMetrics.aucBinary(new boolean[] {true, true}, new double[] {0.5, 0.7})).isNaN();
    }

    @Test
    void oneVsRestAucAveragesTheClasses() {
        int[] truth = {0, 0, 1, 2};
        double[][] p = {{0.8, 0.1, 0.1}, {0.3, 0.4, 0.3}, {0.5, 0.4, 0.1}, {0.1, 0.2, 0.7}};
        // class 0: 3/4; class 1: positive 0.4 against 0.1, 0.4 (tie), 0.2 -> 2.5/3; class 2: 0.7 above all -> 1
        assertThat(ClassificationMetrics.aucOneVsRest(truth, p, 3)).isCloseTo((0.75 + 2.5 / 3 + 1) / 3, within(1e-12));
    }

    @Test
    void weightedAveragesMakeRecallEqualAccuracyAndNoAnswerIsWrong() {
        int[] truth = {0, 0, 1, 1, 1};
        int[] predicted = {0, 1, 1, 1, -1};
        double[][] p = {{0.9, 0.1}, {0.4, 0.6}, {0.2, 0.8}, {0.3, 0.7}, {0.5, 0.5}};
        Scores s = ClassificationMetrics.scores(truth, predicted, p, 2);
        // class 0: recall 1/2, precision 1/1, F1 2/3; class 1: recall 2/3, precision 2/3, F1 2/3; weights 2/5, 3/5
        assertThat(s.acc()).isCloseTo(0.6, within(1e-12));
        assertThat(s.recall()).isCloseTo(0.6, within(1e-12));
        assertThat(s.precision()).isCloseTo(0.4 * 1 + 0.6 * 2 / 3.0, within(1e-12));
        assertThat(s.f1()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(s.macroRecall()).isCloseTo((0.5 + 2 / 3.0) / 2, within(1e-12));
        assertThat(s.macroPrecision()).isCloseTo((1 + 2 / 3.0) / 2, within(1e-12));
        // p(malignant): positives 0.8, 0.7, 0.5 against 0.1, 0.6 -> 0.8 and 0.7 beat both, 0.5 beats 0.1 -> 5/6
        assertThat(s.auc()).isCloseTo(5 / 6.0, within(1e-12));
        assertThat(ClassificationMetrics.confusion(truth, predicted, 2)).isDeepEqualTo(new int[][] {{1, 1, 0}, {0, 2, 1}});
    }

    @Test
    void bootstrapIntervalsUseInterpolatedPercentiles() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertThat(Bootstrap.percentile(sorted, 2.5)).isCloseTo(1.1, within(1e-12));
        assertThat(Bootstrap.percentile(sorted, 97.5)).isCloseTo(4.9, within(1e-12));
        int[] truth = {0, 1, 0, 1, 1, 0};
        Map<String, Bootstrap.Interval> perfect = Bootstrap.intervals(truth, truth, new double[][] {{1, 0}, {0, 1}, {1, 0}, {0, 1}, {0, 1}, {1, 0}},
                2, 200, 3);
        assertThat(perfect.get("ACC")).isEqualTo(new Bootstrap.Interval(1, 1));
        int[] half = {0, 0, 0, 1, 1, 1};
        Map<String, Bootstrap.Interval> ci = Bootstrap.intervals(truth, half, new double[][] {{1, 0}, {1, 0}, {1, 0}, {0, 1}, {0, 1}, {0, 1}},
                2, 500, 3);
        assertThat(ci.get("ACC").low()).isLessThan(4 / 6.0);
        assertThat(ci.get("ACC").high()).isGreaterThan(4 / 6.0).isLessThanOrEqualTo(1.0);
        assertThat(Bootstrap.intervals(truth, half, new double[][] {{1, 0}, {1, 0}, {1, 0}, {0, 1}, {0, 1}, {0, 1}}, 2, 500, 3))
                .as("same seed, same intervals").isEqualTo(ci);
    }

    @Test
    void boxesOverlapIn3dAndEachTrueLesionMatchesOnce() {
        Box3d a = new Box3d(0, 0, 10, 10, 0, 1);
        Box3d b = new Box3d(5, 0, 15, 10, 1, 2);
        // overlap 5 x 10 x 1 slice = 50 of 200 + 200 - 50
        assertThat(a.iou(b)).isCloseTo(50 / 350.0, within(1e-12));
        assertThat(a.iou(new Box3d(0, 0, 10, 10, 2, 3))).isZero();
        Box3d truth = new Box3d(0, 0, 10, 10, 0, 2);
        List<Box3d> predicted = List.of(new Box3d(0, 0, 10, 10, 0, 2), new Box3d(1, 1, 9, 9, 0, 2));
        assertThat(Box3d.match(predicted, List.of(truth), 0.1)).containsExactly(0);
        assertThat(Box3d.match(List.of(b), List.of(a), 0.1)).containsExactly(0);
        assertThat(Box3d.match(List.of(b), List.of(a), 0.3)).isEmpty();
    }
}
