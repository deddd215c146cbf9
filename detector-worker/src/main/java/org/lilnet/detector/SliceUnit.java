package org.lilnet.detector;

import org.lilnet.dicom.CtSlice;
import org.lilnet.events.SliceRef;

/**
 * One slice ready for the detector: its stored values. The model's input is written from them directly
 * ({@link DetectorInput}); the 8-bit rendering crops are cut from is made the first time it is asked for, i.e. only for
 * slices where something was found.
 */
public final class SliceUnit {

    private final SliceRef ref;
    private final CtSlice slice;
    private final HuWindow window;
    private GreyImage rendered;

    public SliceUnit(SliceRef ref, CtSlice slice, HuWindow window) {
        this.ref = ref;
        this.slice = slice;
        this.window = window;
    }

    /** Where the slice lies in its series. */
    public SliceRef ref() {
        return ref;
    }

    public CtSlice slice() {
        return slice;
    }

    /** The windowed slice at its own resolution (made once, on first use, by the thread that completes the task). */
    public GreyImage rendered() {
        if (rendered == null) {
            rendered = SliceRenderer.render(slice, window);
        }
        return rendered;
    }
}
