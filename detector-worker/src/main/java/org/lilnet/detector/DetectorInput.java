package org.lilnet.detector;

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

    /** Writes image {@code index} of a batch buffer (3 planes of {@code rows x columns}). */
    public static void write(GreyImage image, FloatBuffer batch, int index) {
        GreyChannels.write(image.pixels(), image.columns(), SCALE, batch, index * 3 * image.rows() * image.columns());
    }
}
