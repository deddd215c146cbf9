package org.lilnet.aggregator.fusion;

import java.util.Arrays;
import java.util.Optional;

/**
 * Running sums of the per-crop BM, M and B logits and the crop count: what the aggregator keeps per series, so
 * that the decision over a case is the sum of its series' pools divided by the total crop count. Every crop
 * weighs the same, whatever its phase.
 */
public final class LogitPool {

    private long crops;
    private double[] bm = new double[Classifier.BM.classes()];
    private double[] m = new double[Classifier.M.classes()];
    private double[] b = new double[Classifier.B.classes()];

    public LogitPool() {
    }

    /** Adds one crop's AG logits (lengths as the contract says; see {@link #checkLogits}). */
    public void add(float[] bmLogits, float[] mLogits, float[] bLogits) {
        addTo(bm, bmLogits);
        addTo(m, mLogits);
        addTo(b, bLogits);
        crops++;
    }

    /** A new pool holding this pool's crops and the other's. */
    public LogitPool plus(LogitPool other) {
        LogitPool sum = new LogitPool();
        sum.crops = crops + other.crops;
        for (int i = 0; i < bm.length; i++) {
            sum.bm[i] = bm[i] + other.bm[i];
        }
        for (int i = 0; i < m.length; i++) {
            sum.m[i] = m[i] + other.m[i];
        }
        for (int i = 0; i < b.length; i++) {
            sum.b[i] = b[i] + other.b[i];
        }
        return sum;
    }

    public long crops() {
        return crops;
    }

    /** Mean logits of one classifier over the pooled crops. */
    public double[] meanLogits(Classifier classifier) {
        if (crops == 0) {
            throw new IllegalStateException("no crops pooled");
        }
        double[] sum = switch (classifier) {
            case BM -> bm;
            case M -> m;
            case B -> b;
        };
        return Arrays.stream(sum).map(v -> v / crops).toArray();
    }

    /** Mean logits, softmax, argmax for the three classifiers; empty without crops. */
    public Optional<Decision> decide() {
        if (crops == 0) {
            return Optional.empty();
        }
        return Optional.of(new Decision(
                ClassScores.fromMeanLogits(Classifier.BM, meanLogits(Classifier.BM)),
                ClassScores.fromMeanLogits(Classifier.M, meanLogits(Classifier.M)),
                ClassScores.fromMeanLogits(Classifier.B, meanLogits(Classifier.B))));
    }

    /** Why a crop's logits cannot be pooled (wrong length, not finite), or null when they can. */
    public static String checkLogits(Classifier classifier, float[] logits) {
        if (logits == null || logits.length != classifier.classes()) {
            return classifier.role() + "Logits has " + (logits == null ? 0 : logits.length) + " values, expected " + classifier.classes();
        }
        for (float v : logits) {
            if (!Float.isFinite(v)) {
                return classifier.role() + "Logits contains " + v;
            }
        }
        return null;
    }

    private static void addTo(double[] sum, float[] logits) {
        if (logits.length != sum.length) {
            throw new IllegalArgumentException("expected " + sum.length + " logits, got " + logits.length);
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] += logits[i];
        }
    }
}
