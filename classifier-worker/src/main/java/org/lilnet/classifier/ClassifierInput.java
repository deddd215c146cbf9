package org.lilnet.classifier;

import org.lilnet.inference.GreyChannels;

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

    /** Writes crop {@code index} of a batch buffer (3 planes of 224 x 224). */
    public static void write(byte[] crop, FloatBuffer batch, int index) {
        if (crop.length != CROP_BYTES) {
            throw new IllegalArgumentException("a crop has " + CROP_BYTES + " pixels, this one " + crop.length);
        }
        GreyChannels.write(crop, SIZE, NORMALISED, batch, index * 3 * CROP_BYTES);
    }
}
