package org.lilnet.phantom.render;

/**
 * One axial slice being rendered, in Hounsfield units. Pixel (row, column) has its centre at
 * {@code x = x0 + column * spacing}, {@code y = y0 + row * spacing} (patient LPS, mm) and the slice covers the slab
 * {@code z ± thickness / 2}, sampled at a few sub-planes so that structures blend where they end inside the slab
 * (through-plane partial volume).
 */
public final class Canvas {

    public final int size;
    public final double spacing;
    public final double x0;
    public final double y0;
    public final double z;
    public final double thickness;
    public final double[] subZ;
    public final float[] hu;

    public Canvas(int size, double spacing, double x0, double y0, double z, double thickness, float background) {
        this.size = size;
        this.spacing = spacing;
        this.x0 = x0;
        this.y0 = y0;
        this.z = z;
        this.thickness = thickness;
        int n = Math.max(1, Math.min(4, (int) Math.ceil(thickness / 1.25 - 1e-9)));
        subZ = new double[n];
        for (int i = 0; i < n; i++) {
            subZ[i] = z - thickness / 2 + thickness * (i + 0.5) / n;
        }
        hu = new float[size * size];
        java.util.Arrays.fill(hu, background);
    }

    public double x(int column) {
        return x0 + column * spacing;
    }

    public double y(int row) {
        return y0 + row * spacing;
    }

    /** First column whose centre is at or right of x (clamped to the image). */
    public int columnFrom(double x) {
        return clamp((int) Math.floor((x - x0) / spacing), 0, size - 1);
    }

    public int columnTo(double x) {
        return clamp((int) Math.ceil((x - x0) / spacing), 0, size - 1);
    }

    public int rowFrom(double y) {
        return clamp((int) Math.floor((y - y0) / spacing), 0, size - 1);
    }

    public int rowTo(double y) {
        return clamp((int) Math.ceil((y - y0) / spacing), 0, size - 1);
    }

    /** Lays {@code value} over the pixel with the given coverage (0..1): partial volume is a linear blend. */
    public void blend(int index, double coverage, double value) {
        if (coverage >= 1) {
            hu[index] = (float) value;
        } else if (coverage > 0) {
            hu[index] = (float) (hu[index] * (1 - coverage) + coverage * value);
        }
    }

    static int clamp(int v, int lo, int hi) {
        return v < lo ? lo : Math.min(v, hi);
    }
}
