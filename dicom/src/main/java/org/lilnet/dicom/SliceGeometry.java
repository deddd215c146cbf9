package org.lilnet.dicom;

/**
 * Where a slice lies in the patient: ImagePositionPatient (the centre of the first transmitted pixel, mm) and
 * ImageOrientationPatient (row and column direction cosines). Slices of a series are ordered by their position
 * along the slice normal (row x column), never by InstanceNumber.
 *
 * @param position    x, y, z of the first pixel, mm
 * @param orientation row direction (3) then column direction (3)
 */
public record SliceGeometry(double[] position, double[] orientation) {

    /** Axial slices at the origin, for slices without geometry. */
    public static final SliceGeometry UNKNOWN = new SliceGeometry(new double[] {0, 0, 0}, new double[] {1, 0, 0, 0, 1, 0});

    public SliceGeometry {
        if (position.length != 3 || orientation.length != 6) {
            throw new IllegalArgumentException("ImagePositionPatient needs 3 values and ImageOrientationPatient 6");
        }
        position = position.clone();
        orientation = orientation.clone();
    }

    /** Unit normal of the slice plane: row direction x column direction. */
    public double[] normal() {
        double[] r = {orientation[0], orientation[1], orientation[2]};
        double[] c = {orientation[3], orientation[4], orientation[5]};
        double[] n = {r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]};
        double length = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (length == 0) {
            return new double[] {0, 0, 1};
        }
        return new double[] {n[0] / length, n[1] / length, n[2] / length};
    }

    /** Position of the slice along its normal, mm: the sort key of a series. */
    public double positionAlongNormal() {
        double[] n = normal();
        return position[0] * n[0] + position[1] * n[1] + position[2] * n[2];
    }

    @Override
    public double[] position() {
        return position.clone();
    }

    @Override
    public double[] orientation() {
        return orientation.clone();
    }
}
