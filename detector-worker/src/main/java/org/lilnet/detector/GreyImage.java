package org.lilnet.detector;

import java.util.Objects;

/**
 * An 8-bit grey image, row-major: a rendered slice, the detector's input, or a 224x224 crop.
 *
 * @param rows    height
 * @param columns width
 * @param pixels  {@code rows * columns} bytes, read unsigned (0 black .. 255 white)
 */
public record GreyImage(int rows, int columns, byte[] pixels) {

    public GreyImage {
        Objects.requireNonNull(pixels, "pixels");
        if (rows <= 0 || columns <= 0 || pixels.length != rows * columns) {
            throw new IllegalArgumentException(pixels.length + " pixels for " + rows + "x" + columns);
        }
    }

    public static GreyImage black(int rows, int columns) {
        return new GreyImage(rows, columns, new byte[rows * columns]);
    }

    /** Value 0..255 at (row, column). */
    public int at(int row, int column) {
        return pixels[row * columns + column] & 0xFF;
    }

    /** Value 0..255, or 0 (black) outside the image. */
    public int atOrBlack(int row, int column) {
        return row < 0 || column < 0 || row >= rows || column >= columns ? 0 : at(row, column);
    }
}
