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
     * Writes image {@code index} of a batch buffer (3 planes of {@code rows x columns}). Each row is computed once into
     * a small array and copied in bulk to the three planes: a third of the time of writing the buffer float by float
     * (3 MB a slice at 512).
     */
    public static void write(GreyImage image, FloatBuffer batch, int index) {
        int columns = image.columns();
        int plane = image.rows() * columns;
        int base = index * 3 * plane;
        byte[] pixels = image.pixels();
        float[] row = new float[columns];
        for (int start = 0; start < plane; start += columns) {
            for (int c = 0; c < columns; c++) {
                row[c] = SCALE[pixels[start + c] & 0xFF];
            }
            batch.put(base + start, row, 0, columns);
            batch.put(base + plane + start, row, 0, columns);
            batch.put(base + 2 * plane + start, row, 0, columns);
        }
    }
}
