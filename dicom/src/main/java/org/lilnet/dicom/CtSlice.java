package org.lilnet.dicom;

import java.util.Objects;

/**
 * One decoded CT slice: identity, geometry and pixels. Pixels are kept as stored (16-bit) with the rescale, and
 * turned into Hounsfield units on demand (HU = stored * RescaleSlope + RescaleIntercept).
 *
 * @param studyInstanceUid   StudyInstanceUID
 * @param seriesInstanceUid  SeriesInstanceUID
 * @param sopInstanceUid     SOPInstanceUID
 * @param rows               Rows
 * @param columns            Columns
 * @param pixelSpacingRowMm  PixelSpacing[0]: distance between rows, mm
 * @param pixelSpacingColumnMm PixelSpacing[1]: distance between columns, mm
 * @param geometry           ImagePositionPatient and ImageOrientationPatient
 * @param rescaleSlope       RescaleSlope (1 when absent)
 * @param rescaleIntercept   RescaleIntercept (0 when absent)
 * @param signed             PixelRepresentation 1 (stored values are two's complement)
 * @param stored             stored pixel values, row-major, {@code rows * columns}
 */
public record CtSlice(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid, int rows, int columns,
                      double pixelSpacingRowMm, double pixelSpacingColumnMm, SliceGeometry geometry,
                      double rescaleSlope, double rescaleIntercept, boolean signed, short[] stored) {

    public CtSlice {
        Objects.requireNonNull(stored, "stored");
        if (rows <= 0 || columns <= 0 || stored.length != rows * columns) {
            throw new IllegalArgumentException("pixel data has " + stored.length + " values for " + rows + "x" + columns);
        }
    }

    /** Hounsfield units of the pixel at (row, column). */
    public float hu(int row, int column) {
        return huAt(row * columns + column);
    }

    /** Hounsfield units of the pixel at a row-major index. */
    public float huAt(int index) {
        int raw = signed ? stored[index] : stored[index] & 0xFFFF;
        return (float) (raw * rescaleSlope + rescaleIntercept);
    }

    /** All pixels in Hounsfield units, row-major. */
    public float[] huPixels() {
        float[] hu = new float[stored.length];
        for (int i = 0; i < hu.length; i++) {
            hu[i] = huAt(i);
        }
        return hu;
    }
}
