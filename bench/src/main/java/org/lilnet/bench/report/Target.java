package org.lilnet.bench.report;

import java.util.Locale;

/**
 * A target of the issue and what this run measured against it, e.g. "detector-worker through Kafka / bare ONNX
 * Runtime loop >= 0.90". A miss says by how much; {@code why} and {@code next} are filled in for misses.
 *
 * @param what           the figure, in words
 * @param value          the measured value (NaN: not measured in this run)
 * @param threshold      the target
 * @param higherIsBetter true for "at least", false for "at most"
 * @param unit           unit for display ("" for a ratio, "x", "s", "instances/s")
 * @param why            for a miss: why, as far as the run shows it
 * @param next           for a miss: the next step
 */
public record Target(String what, double value, double threshold, boolean higherIsBetter, String unit, String why, String next) {

    public static Target atLeast(String what, double value, double threshold, String unit) {
        return new Target(what, value, threshold, true, unit, "", "");
    }

    public static Target atMost(String what, double value, double threshold, String unit) {
        return new Target(what, value, threshold, false, unit, "", "");
    }

    /** The same target with the explanation of a miss (shown only when it is missed). */
    public Target explained(String whyMissed, String nextStep) {
        return new Target(what, value, threshold, higherIsBetter, unit, whyMissed, nextStep);
    }

    public boolean measured() {
        return !Double.isNaN(value);
    }

    public boolean met() {
        return measured() && (higherIsBetter ? value >= threshold : value <= threshold);
    }

    /** How far from the target, relative to it (0.09 = 9%); 0 when met or not measured. */
    public double shortfall() {
        if (!measured() || met()) {
            return 0;
        }
        return Math.abs(value - threshold) / Math.abs(threshold);
    }

    public String condition() {
        return (higherIsBetter ? ">= " : "<= ") + number(threshold) + unit;
    }

    public String measuredText() {
        return measured() ? (hiddenByRounding() ? String.format(Locale.ROOT, "%.3f", value) : number(value)) + unit : "not measured";
    }

    /** A miss that rounds to the target (0.898 against 0.90): shown with one more digit, so that it does not read as met. */
    private boolean hiddenByRounding() {
        return measured() && !met() && number(value).equals(number(threshold));
    }

    /** "met", "MISSED by 0.08 (9%)" or "not measured". */
    public String status() {
        if (!measured()) {
            return "not measured";
        }
        if (met()) {
            return "met";
        }
        if (hiddenByRounding()) {
            return String.format(Locale.ROOT, "MISSED by %.3f%s (%.1f%%)", Math.abs(value - threshold), unit, 100 * shortfall());
        }
        return String.format(Locale.ROOT, "MISSED by %s%s (%.0f%%)", number(Math.abs(value - threshold)), unit, 100 * shortfall());
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
