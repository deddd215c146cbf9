package org.lilnet.detector;

/**
 * Plain resize (no letterbox, aspect ratio not kept): bilinear with pixel centres aligned, the mapping of OpenCV's
 * {@code INTER_LINEAR} that the authors' pipeline uses. Output pixel {@code d} samples source position
 * {@code (d + 0.5) * src / dst - 0.5}, clamped to the image, and the value is rounded half up to 8 bits. Same size is
 * the identity (CT slices are 512x512 already); halving averages pixel pairs.
 */
public final class PlainResize {

    private PlainResize() {
    }

    public static GreyImage resize(GreyImage source, int rows, int columns) {
        if (source.rows() == rows && source.columns() == columns) {
            return source;
        }
        int[] x0 = new int[columns];
        int[] x1 = new int[columns];
        double[] fx = new double[columns];
        sampling(source.columns(), columns, x0, x1, fx);
        int[] y0 = new int[rows];
        int[] y1 = new int[rows];
        double[] fy = new double[rows];
        sampling(source.rows(), rows, y0, y1, fy);
        byte[] out = new byte[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                double top = source.at(y0[r], x0[c]) * (1 - fx[c]) + source.at(y0[r], x1[c]) * fx[c];
                double bottom = source.at(y1[r], x0[c]) * (1 - fx[c]) + source.at(y1[r], x1[c]) * fx[c];
                double v = top * (1 - fy[r]) + bottom * fy[r];
                out[r * columns + c] = (byte) Math.min(255, (int) Math.floor(v + 0.5));
            }
        }
        return new GreyImage(rows, columns, out);
    }

    private static void sampling(int src, int dst, int[] i0, int[] i1, double[] frac) {
        double scale = (double) src / dst;
        for (int d = 0; d < dst; d++) {
            double s = Math.min(src - 1, Math.max(0, (d + 0.5) * scale - 0.5));
            i0[d] = (int) Math.floor(s);
            i1[d] = Math.min(i0[d] + 1, src - 1);
            frac[d] = s - i0[d];
        }
    }
}
