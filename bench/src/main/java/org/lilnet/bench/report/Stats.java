package org.lilnet.bench.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** The few statistics the benchmark reports: mean, percentiles, and a straight-line fit for growth with study size. */
public final class Stats {

    private Stats() {
    }

    public static double mean(Collection<? extends Number> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        for (Number v : values) {
            sum += v.doubleValue();
        }
        return sum / values.size();
    }

    /**
     * The p-th percentile (0..100) with linear interpolation between the two nearest ranks (rank = p/100 x (n-1) on
     * the sorted values), so that the 50th percentile of an even count is the mean of the middle two.
     */
    public static double percentile(Collection<? extends Number> values, double p) {
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("percentile " + p + " is not between 0 and 100");
        }
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>();
        values.forEach(v -> sorted.add(v.doubleValue()));
        Collections.sort(sorted);
        double rank = p / 100 * (sorted.size() - 1);
        int below = (int) Math.floor(rank);
        int above = (int) Math.ceil(rank);
        return sorted.get(below) + (rank - below) * (sorted.get(above) - sorted.get(below));
    }

    public static double max(Collection<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).max().orElse(Double.NaN);
    }

    public static double min(Collection<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).min().orElse(Double.NaN);
    }

    /** y = intercept + slope x, by least squares, with the share of the variance it explains (r squared). */
    public record LinearFit(double slope, double intercept, double rSquared) {
        public double at(double x) {
            return intercept + slope * x;
        }
    }

    public static LinearFit linearFit(List<? extends Number> xs, List<? extends Number> ys) {
        if (xs.size() != ys.size() || xs.size() < 2) {
            throw new IllegalArgumentException("a line needs at least two points, with as many x as y");
        }
        double mx = mean(xs);
        double my = mean(ys);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < xs.size(); i++) {
            double dx = xs.get(i).doubleValue() - mx;
            double dy = ys.get(i).doubleValue() - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0) {
            throw new IllegalArgumentException("all x are equal: no line");
        }
        double slope = sxy / sxx;
        double r2 = syy == 0 ? 1 : (sxy * sxy) / (sxx * syy);
        return new LinearFit(slope, my - slope * mx, r2);
    }
}
