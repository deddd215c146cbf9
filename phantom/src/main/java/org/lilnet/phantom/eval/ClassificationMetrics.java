package org.lilnet.phantom.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Classification metrics over patients. A prediction of -1 means the system gave no answer for the patient (no
 * diagnosis, or no lesion crops): it counts as wrong and as a prediction of no class.
 */
public final class ClassificationMetrics {

    private ClassificationMetrics() {
    }

    /**
     * @param truth       true class per patient (0..classes-1)
     * @param predicted   predicted class per patient, or -1
     * @param probability per patient the probability of each class (for the AUC)
     */
    public static Scores scores(int[] truth, int[] predicted, double[][] probability, int classes) {
        int n = truth.length;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += truth[i] == predicted[i] ? 1 : 0;
        }
        double[] recall = new double[classes];
        double[] precision = new double[classes];
        double[] f1 = new double[classes];
        int[] support = new int[classes];
        for (int c = 0; c < classes; c++) {
            int tp = 0, predictedC = 0;
            for (int i = 0; i < n; i++) {
                if (truth[i] == c) {
                    support[c]++;
                }
                if (predicted[i] == c) {
                    predictedC++;
                    if (truth[i] == c) {
                        tp++;
                    }
                }
            }
            recall[c] = support[c] == 0 ? 0 : tp / (double) support[c];
            precision[c] = predictedC == 0 ? 0 : tp / (double) predictedC;
            f1[c] = recall[c] + precision[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
        }
        double wF1 = 0, wRecall = 0, wPrecision = 0, mF1 = 0, mRecall = 0, mPrecision = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            double w = n == 0 ? 0 : support[c] / (double) n;
            wF1 += w * f1[c];
            wRecall += w * recall[c];
            wPrecision += w * precision[c];
            if (support[c] > 0) {
                present++;
                mF1 += f1[c];
                mRecall += recall[c];
                mPrecision += precision[c];
            }
        }
        double auc = classes == 2 ? aucBinary(isClass(truth, 1), column(probability, 1)) : aucOneVsRest(truth, probability, classes);
        return new Scores(n == 0 ? Double.NaN : correct / (double) n, auc, wF1, wRecall, wPrecision,
                present == 0 ? Double.NaN : mF1 / present, present == 0 ? Double.NaN : mRecall / present,
                present == 0 ? Double.NaN : mPrecision / present);
    }

    /** Area under the ROC curve (Mann-Whitney U, ties count half); NaN unless both outcomes occur. */
    public static double aucBinary(boolean[] positive, double[] score) {
        int nPos = 0;
        for (boolean p : positive) {
            nPos += p ? 1 : 0;
        }
        int nNeg = positive.length - nPos;
        if (nPos == 0 || nNeg == 0) {
            return Double.NaN;
        }
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        double rankSumPositive = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && score[order[j + 1]] == score[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    rankSumPositive += averageRank;
                }
            }
            i = j + 1;
        }
        return (rankSumPositive - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
    }

    /** One-vs-rest AUC averaged over the classes for which both outcomes occur. */
    public static double aucOneVsRest(int[] truth, double[][] probability, int classes) {
        List<Double> values = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            double v = aucBinary(isClass(truth, c), column(probability, c));
            if (!Double.isNaN(v)) {
                values.add(v);
            }
        }
        return values.isEmpty() ? Double.NaN : values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    private static boolean[] isClass(int[] truth, int c) {
        boolean[] out = new boolean[truth.length];
        for (int i = 0; i < truth.length; i++) {
            out[i] = truth[i] == c;
        }
        return out;
    }

    private static double[] column(double[][] p, int c) {
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = p[i][c];
        }
        return out;
    }

    /** Rows: truth; columns: prediction, the last column counting patients without an answer. */
    public static int[][] confusion(int[] truth, int[] predicted, int classes) {
        int[][] m = new int[classes][classes + 1];
        for (int i = 0; i < truth.length; i++) {
            m[truth[i]][predicted[i] < 0 ? classes : predicted[i]]++;
        }
        return m;
    }
}
