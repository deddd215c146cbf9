package org.lilnet.detector;

import org.lilnet.events.SliceRef;

/**
 * One slice ready for the detector.
 *
 * @param ref      where the slice lies in its series
 * @param rendered the windowed slice at its own resolution (crops are cut from it)
 * @param input    the same at the detector's 512x512 (plain resize; the same image when the slice is 512x512)
 */
public record SliceUnit(SliceRef ref, GreyImage rendered, GreyImage input) {
}
