package org.lilnet.classifier;

/**
 * The three LiLNet classifiers' aggregated logits for one crop, in the contract's label order.
 *
 * @param bm benign, malignant
 * @param m  HCC, ICC, MET
 * @param b  FNH, HEM, CYST
 */
public record CropLogits(float[] bm, float[] m, float[] b) {
}
