package org.lilnet.phantom.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Bootstrap 95% intervals: the patients are resampled with replacement {@code rounds} times and the interval is the
 * 2.5th and 97.5th percentile (linear interpolation between order statistics) of each figure over the resamples.
 * Resamples in which a figure is undefined (an AUC without both outcomes) are left out for that figure.
 */
public final class Bootstrap {

    private Bootstrap() {
    }

    public record Interval(double low, double high) {
    }

    /** Intervals of every figure of {@link Scores}, by name. */
    public static java.util.Map<String, Interval> intervals(int[] truth, int[] predicted, double[][] probability, int classes,
                                                            int rounds, long seed) {
        int n = truth.length;
        SplittableRandom rng = new SplittableRandom(seed);
        List<Scores> samples = new ArrayList<>();
        for (int r = 0; r < rounds && n > 0; r++) {
            int[] t = new int[n];
            int[] p = new int[n];
            double[][] q = new double[n][];
            for (int i = 0; i < n; i++) {
                int k = rng.nextInt(n);
                t[i] = truth[k];
                p[i] = predicted[k];
                q[i] = probability[k];
            }
            samples.add(ClassificationMetrics.scores(t, p, q, classes));
        }
        java.util.Map<String, Interval> out = new java.util.LinkedHashMap<>();
        for (String name : Scores.NAMES) {
            out.put(name, interval(samples, s -> s.get(name)));
        }
        return out;
    }

    static Interval interval(List<Scores> samples, Function<Scores, Double> figure) {
        double[] v = samples.stream().map(figure).filter(d -> !Double.isNaN(d)).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return new Interval(Double.NaN, Double.NaN);
        }
        Arrays.sort(v);
        return new Interval(percentile(v, 2.5), percentile(v, 97.5));
    }

    /** Percentile of sorted values with linear interpolation (numpy's default). */
    public static double percentile(double[] sorted, double q) {
        double position = q / 100 * (sorted.length - 1);
        int lower = (int) Math.floor(position);
        int upper = Math.min(sorted.length - 1, lower + 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
