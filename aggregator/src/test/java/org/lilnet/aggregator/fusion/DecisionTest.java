package org.lilnet.aggregator.fusion;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The per-patient decision of the model contract: mean logits over every crop of both phases, softmax, argmax. */
class DecisionTest {

    /** Direct computation, written out independently: mean of the logits, then exp / sum of exp. */
    private static double[] meanThenSoftmax(List<float[]> logits) {
        int n = logits.get(0).length;
        double[] mean = new double[n];
        for (float[] crop : logits) {
            for (int i = 0; i < n; i++) {
                mean[i] += crop[i] / (double) logits.size();
            }
        }
        double total = 0;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(mean[i]);
            total += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= total;
        }
        return p;
    }

    private static float[] random(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * 3);
        }
        return v;
    }

    @Test
    void fusedProbabilitiesEqualADirectComputationOverTheSameCrops() {
        Random random = new Random(7);
        // two series (phases) of running sums, kept apart and pooled at the end as the aggregator does
        LogitPool arterial = new LogitPool();
        LogitPool portalVenous = new LogitPool();
        List<float[]> bm = new ArrayList<>();
        List<float[]> m = new ArrayList<>();
        List<float[]> b = new ArrayList<>();
        for (int crop = 0; crop < 37; crop++) {
            float[] cropBm = random(random, 2);
            float[] cropM = random(random, 3);
            float[] cropB = random(random, 3);
            (crop < 13 ? arterial : portalVenous).add(cropBm, cropM, cropB);
            bm.add(cropBm);
            m.add(cropM);
            b.add(cropB);
        }

        Decision decision = arterial.plus(portalVenous).decide().orElseThrow();

        assertThat(decision.bm().probabilities()).containsExactly(meanThenSoftmax(bm), within(1e-12));
        assertThat(decision.m().probabilities()).containsExactly(meanThenSoftmax(m), within(1e-12));
        assertThat(decision.b().probabilities()).containsExactly(meanThenSoftmax(b), within(1e-12));
        double[] directBm = meanThenSoftmax(bm);
        assertThat(decision.malignancy()).isEqualTo(directBm[1] > 0.5 ? "malignant" : "benign");
        assertThat(decision.malignancyProbability()).isCloseTo(Math.max(directBm[0], directBm[1]), within(1e-12));
        assertThat(decision.bm().meanLogits()[1]).isCloseTo(bm.stream().mapToDouble(v -> v[1]).average().orElseThrow(), within(1e-12));
    }

    @Test
    void averagesLogitsNotSoftmaxes() {
        // one confident malignant crop and two mildly benign ones
        List<float[]> crops = List.of(new float[] {0, 10}, new float[] {2, 0}, new float[] {2, 0});
        LogitPool pool = new LogitPool();
        crops.forEach(c -> pool.add(c, new float[3], new float[3]));

        double meanSoftmaxMalignant = crops.stream().mapToDouble(c -> meanThenSoftmax(List.of(c))[1]).average().orElseThrow();
        assertThat(meanSoftmaxMalignant).as("averaging softmaxes would say benign").isLessThan(0.5);

        Decision decision = pool.decide().orElseThrow();
        assertThat(decision.malignancy()).as("averaging logits says malignant").isEqualTo("malignant");
        assertThat(decision.malignancyProbability()).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-12));
    }

    @Test
    void theSubtypeComesFromTheBranchBmChose() {
        LogitPool malignant = new LogitPool();
        malignant.add(new float[] {-1, 2}, new float[] {0, 3, 1}, new float[] {5, 0, 0});
        Decision m = malignant.decide().orElseThrow();
        assertThat(m.malignancy()).isEqualTo("malignant");
        assertThat(m.subtype()).isEqualTo("ICC");
        assertThat(m.subtypeProbability()).isCloseTo(meanThenSoftmax(List.of(new float[] {0, 3, 1}))[1], within(1e-12));
        assertThat(m.b().label()).as("B is kept, not used").isEqualTo("FNH");

        LogitPool benign = new LogitPool();
        benign.add(new float[] {2, -1}, new float[] {5, 0, 0}, new float[] {0, 1, 4});
        Decision b = benign.decide().orElseThrow();
        assertThat(b.malignancy()).isEqualTo("benign");
        assertThat(b.subtype()).isEqualTo("CYST");
        assertThat(b.m().label()).isEqualTo("HCC");
    }

    @Test
    void anExactTieIsBenignAsPMalignantAboveOneHalfSays() {
        LogitPool pool = new LogitPool();
        pool.add(new float[] {1, 1}, new float[] {0, 0, 1}, new float[] {1, 0, 0});
        assertThat(pool.decide().orElseThrow().malignancy()).isEqualTo("benign");
    }

    @Test
    void largeLogitsDoNotOverflow() {
        LogitPool pool = new LogitPool();
        pool.add(new float[] {1000, 1002}, new float[] {800, 0, 0}, new float[] {0, 0, 0});
        Decision d = pool.decide().orElseThrow();
        assertThat(d.bm().probabilities()[1]).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-12));
        assertThat(d.m().probabilities()[0]).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void noCropsNoDecisionAndBadLogitsAreNamed() {
        assertThat(new LogitPool().decide()).isEmpty();
        assertThat(LogitPool.checkLogits(Classifier.BM, new float[] {1, 2, 3})).isEqualTo("bmLogits has 3 values, expected 2");
        assertThat(LogitPool.checkLogits(Classifier.M, new float[] {1, Float.NaN, 3})).isEqualTo("mLogits contains NaN");
        assertThat(LogitPool.checkLogits(Classifier.B, new float[] {1, 2, 3})).isNull();
    }
}
