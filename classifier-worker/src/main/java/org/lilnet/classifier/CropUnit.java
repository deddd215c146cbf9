package org.lilnet.classifier;

import org.lilnet.events.Detection;
import org.lilnet.events.SliceResult;

/**
 * One lesion crop to classify.
 *
 * @param slice     the slice it was found on
 * @param detection the detection (box, score)
 * @param pixels    the 224x224 8-bit crop, row-major
 */
public record CropUnit(SliceResult slice, Detection detection, byte[] pixels) {
}
