package org.lilnet.detector;

import org.lilnet.dicom.CtSlice;
import org.lilnet.inference.GreyChannels;

import java.nio.FloatBuffer;

/** The detector's input for one slice: the 8-bit image scaled to 0..1 (x / 255), grey replicated to 3 channels, NCHW. */
public final class DetectorInput {

    private static final float[] SCALE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            SCALE[v] = v / 255f;
        }
    }

    private DetectorInput() {
    }

    /**
     * Writes a CT slice as image {@code index} of a batch buffer for a model of {@code size x size}: windowed to 8 bits,
     * plainly resized, scaled. A slice of the model's size (CT is 512x512) goes from its stored values straight to the
     * buffer through one table ({@link SliceRenderer#valueTable}): the same values as rendering it first, without
     * making the 8-bit image (crops are windowed from the stored values too, {@link CropCutter}).
     */
    public static void write(CtSlice slice, HuWindow window, int size, FloatBuffer batch, int index) {
        if (slice.rows() == size && slice.columns() == size) {
            GreyChannels.write(slice.stored(), size, SliceRenderer.valueTable(slice, window, SCALE), batch, index * 3 * size * size);
        } else {
            write(PlainResize.resize(SliceRenderer.render(slice, window), size, size), batch, index);
        }
    }

    /** Writes image {@code index} of a batch buffer (3 planes of {@code rows x columns}). */
    public static void write(GreyImage image, FloatBuffer batch, int index) {
        GreyChannels.write(image.pixels(), image.columns(), SCALE, batch, index * 3 * image.rows() * image.columns());
    }
}
