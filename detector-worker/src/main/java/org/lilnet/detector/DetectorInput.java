package org.lilnet.detector;

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
     * Writes image {@code index} of a batch buffer (3 planes of {@code rows x columns}). The first plane is computed,
     * the other two are copied from it in bulk: half the time of writing three floats per pixel (1 MB a plane at 512).
     */
    public static void write(GreyImage image, FloatBuffer batch, int index) {
        int plane = image.rows() * image.columns();
        int base = index * 3 * plane;
        byte[] pixels = image.pixels();
        for (int i = 0; i < plane; i++) {
            batch.put(base + i, SCALE[pixels[i] & 0xFF]);
        }
        batch.put(base + plane, batch, base, plane);
        batch.put(base + 2 * plane, batch, base, plane);
    }
}
