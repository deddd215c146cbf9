package org.lilnet.detector;

import org.lilnet.dicom.CtSlice;
import org.lilnet.events.SliceRef;

/**
 * One slice ready for the detector: its stored values. The model's input is written from them directly
 * ({@link DetectorInput}), and so are the crops ({@link CropCutter}): the slice is never rendered whole.
 *
 * @param ref   where the slice lies in its series
 * @param slice the slice as read from its file
 */
public record SliceUnit(SliceRef ref, CtSlice slice) {
}
