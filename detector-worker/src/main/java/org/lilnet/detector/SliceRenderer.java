package org.lilnet.detector;

import org.lilnet.dicom.CtSlice;

/** A CT slice as the models see it: Hounsfield units (stored value x RescaleSlope + RescaleIntercept) through the window. */
public final class SliceRenderer {

    private SliceRenderer() {
    }

    public static GreyImage render(CtSlice slice, HuWindow window) {
        byte[] out = new byte[slice.rows() * slice.columns()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) window.toByte(slice.huAt(i));
        }
        return new GreyImage(slice.rows(), slice.columns(), out);
    }
}
