package org.lilnet.aggregator.fusion;

/**
 * The per-patient decision of the model contract (paper Eq. 1 and 2): benign or malignant from the fused BM
 * result, and the subtype from the fused M result on the malignant branch or the fused B result on the benign
 * branch. All three fused results are kept.
 */
public record Decision(ClassScores bm, ClassScores m, ClassScores b) {

    public boolean malignant() {
        return bm.argmax() == 1;
    }

    /** "benign" or "malignant". */
    public String malignancy() {
        return bm.label();
    }

    public double malignancyProbability() {
        return bm.probability();
    }

    /** The result of the branch BM chose. */
    public ClassScores subtypeScores() {
        return malignant() ? m : b;
    }

    public String subtype() {
        return subtypeScores().label();
    }

    public double subtypeProbability() {
        return subtypeScores().probability();
    }
}
