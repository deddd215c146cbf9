package org.lilnet.aggregator.fusion;

import java.util.Arrays;
import java.util.List;

/**
 * One classifier's fused result over a set of crops: the mean of the per-crop logits and its softmax. The
 * class is the argmax; ties go to the lower index (so benign wins an exact 50/50, i.e. malignant means
 * p(malignant) &gt; 0.5, as the contract says).
 */
public record ClassScores(Classifier classifier, double[] meanLogits, double[] probabilities) {

    public ClassScores {
        if (meanLogits.length != classifier.classes() || probabilities.length != classifier.classes()) {
            throw new IllegalArgumentException(classifier + " has " + classifier.classes() + " classes");
        }
        meanLogits = meanLogits.clone();
        probabilities = probabilities.clone();
    }

    /** Softmax of the given mean logits (shifted by their maximum, so large logits do not overflow). */
    public static ClassScores fromMeanLogits(Classifier classifier, double[] meanLogits) {
        double max = Arrays.stream(meanLogits).max().orElseThrow();
        double[] exp = new double[meanLogits.length];
        double sum = 0;
        for (int i = 0; i < meanLogits.length; i++) {
            exp[i] = Math.exp(meanLogits[i] - max);
            sum += exp[i];
        }
        for (int i = 0; i < exp.length; i++) {
            exp[i] /= sum;
        }
        return new ClassScores(classifier, meanLogits, exp);
    }

    public int argmax() {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }

    public String label() {
        return classifier.labels().get(argmax());
    }

    public double probability() {
        return probabilities[argmax()];
    }

    public List<String> labels() {
        return classifier.labels();
    }

    @Override
    public double[] meanLogits() {
        return meanLogits.clone();
    }

    @Override
    public double[] probabilities() {
        return probabilities.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassScores other && classifier == other.classifier && Arrays.equals(meanLogits, other.meanLogits)
                && Arrays.equals(probabilities, other.probabilities);
    }

    @Override
    public int hashCode() {
        return 31 * classifier.hashCode() + Arrays.hashCode(meanLogits);
    }

    @Override
    public String toString() {
        return classifier + Arrays.toString(probabilities);
    }
}
