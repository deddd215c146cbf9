package org.lilnet.inference;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The four models of the pipeline and what the model contract fixes for each: input size and, for the LiLNet
 * classifiers, the label order (MODEL-CONTRACT.md). The detector's labels come from its manifest entry (one per
 * class; the published detector has one, {@code lesion}).
 */
public enum ModelRole {
    DETECTOR("detector", 512, List.of()),
    BM("bm", 224, List.of("benign", "malignant")),
    M("m", 224, List.of("HCC", "ICC", "MET")),
    B("b", 224, List.of("FNH", "HEM", "CYST"));

    /** The three LiLNet classifiers, in the order results are reported. */
    public static final List<ModelRole> CLASSIFIERS = List.of(BM, M, B);

    private final String wireName;
    private final int inputSize;
    private final List<String> contractLabels;

    ModelRole(String wireName, int inputSize, List<String> contractLabels) {
        this.wireName = wireName;
        this.inputSize = inputSize;
        this.contractLabels = contractLabels;
    }

    /** The role as written in the manifest and in {@code ModelRef.role}. */
    public String wireName() {
        return wireName;
    }

    /** Side of the square input image, pixels. */
    public int inputSize() {
        return inputSize;
    }

    /** Labels in the contract's order; empty for the detector (its classes come from the manifest). */
    public List<String> contractLabels() {
        return contractLabels;
    }

    public boolean isClassifier() {
        return this != DETECTOR;
    }

    public static Optional<ModelRole> fromWireName(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
