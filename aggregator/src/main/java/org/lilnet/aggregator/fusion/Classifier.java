package org.lilnet.aggregator.fusion;

import java.util.List;

/** The three LiLNet classifiers and their label order, as the model contract fixes it. */
public enum Classifier {

    /** Benign (0) or malignant (1). */
    BM("bm", List.of("benign", "malignant")),
    /** Malignant subtype: HCC, ICC, MET. */
    M("m", List.of("HCC", "ICC", "MET")),
    /** Benign subtype: FNH, HEM, CYST. */
    B("b", List.of("FNH", "HEM", "CYST"));

    private final String role;
    private final List<String> labels;

    Classifier(String role, List<String> labels) {
        this.role = role;
        this.labels = labels;
    }

    /** The role name of the model manifest and of {@code ModelRef.role}. */
    public String role() {
        return role;
    }

    public List<String> labels() {
        return labels;
    }

    /** Number of logits the classifier emits per crop. */
    public int classes() {
        return labels.size();
    }
}
