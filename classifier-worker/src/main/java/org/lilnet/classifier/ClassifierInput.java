package org.lilnet.classifier;

import java.nio.FloatBuffer;

/** The classifiers' input for one crop: {@code x / 255 * 2 - 1} (mean 0.5, std 0.5), grey replicated to 3 channels, NCHW. */
public final class ClassifierInput {

    public static final int SIZE = 224;
    public static final int CROP_BYTES = SIZE * SIZE;

    private static final float[] NORMALISED = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            NORMALISED[v] = v / 255f * 2f - 1f;
        }
    }

    private ClassifierInput() {
    }

    /** The normalised value of an 8-bit pixel. */
    public static float normalise(int pixel) {
        return NORMALISED[pixel & 0xFF];
    }

    /** Writes crop {@code index} of a batch buffer: each row computed once and copied in bulk to the three planes. */
    public static void write(byte[] crop, FloatBuffer batch, int index) {
        if (crop.length != CROP_BYTES) {
            throw new IllegalArgumentException("a crop has " + CROP_BYTES + " pixels, this one " + crop.length);
        }
        int base = index * 3 * CROP_BYTES;
        float[] row = new float[SIZE];
        for (int start = 0; start < CROP_BYTES; start += SIZE) {
            for (int c = 0; c < SIZE; c++) {
                row[c] = NORMALISED[crop[start + c] & 0xFF];
            }
            batch.put(base + start, row, 0, SIZE);
            batch.put(base + CROP_BYTES + start, row, 0, SIZE);
            batch.put(base + 2 * CROP_BYTES + start, row, 0, SIZE);
        }
    }
}
