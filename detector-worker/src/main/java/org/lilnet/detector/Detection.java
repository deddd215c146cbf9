package org.lilnet.detector;

/**
 * One lesion found on a slice.
 *
 * @param box        where, in the pixels of the image it refers to
 * @param score      the detector's class score, 0..1
 * @param classIndex which of the detector's labels scored highest
 */
public record Detection(LesionBox box, float score, int classIndex) {
}
