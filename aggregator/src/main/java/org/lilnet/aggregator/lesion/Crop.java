package org.lilnet.aggregator.lesion;

/**
 * One classified lesion crop of a slice: where it is and the AG logits of the three classifiers.
 *
 * @param sopInstanceUid  the slice
 * @param sliceIndex      position of the slice in the ordered series
 * @param slicePositionMm position along the slice normal
 * @param box             the detection box, slice pixels
 * @param detectionScore  detector confidence
 * @param bmLogits        benign, malignant
 * @param mLogits         HCC, ICC, MET
 * @param bLogits         FNH, HEM, CYST
 */
public record Crop(String sopInstanceUid, int sliceIndex, double slicePositionMm, LesionBox box, float detectionScore,
                   float[] bmLogits, float[] mLogits, float[] bLogits) {
}
