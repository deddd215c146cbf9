package org.lilnet.phantom;

import org.lilnet.events.Phase;
import org.lilnet.phantom.render.Canvas;
import org.lilnet.phantom.render.Structure;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The scout image: a coronal projection of the attenuation through the patient, from coarse axial slices,
 * upsampled to 512x512. Only for realism of the study (ingest must recognise and skip it).
 */
final class LocalizerRenderer {

    private static final int COARSE = 96;

    private LocalizerRenderer() {
    }

    /** Pixels (display values on the HU scale), rows from the top z down. */
    static float[] render(StudyPlan study, SeriesPlan series, double topZ, double zSpan) {
        List<Structure> scene = study.patient().scene(Phase.NON_CONTRAST);
        double fov = SliceRenderer.SIZE * study.pixelSpacing();
        double coarseSpacing = fov / COARSE;
        double[][] projection = new double[COARSE][COARSE]; // [z row][x column]
        for (int j = 0; j < COARSE; j++) {
            double z = topZ - (j + 0.5) * zSpan / COARSE;
            Canvas c = new Canvas(COARSE, coarseSpacing, study.x0(), study.y0(), z, zSpan / COARSE, -1000f);
            for (Structure s : scene) {
                s.paint(c);
            }
            for (int col = 0; col < COARSE; col++) {
                double sum = 0;
                for (int row = 0; row < COARSE; row++) {
                    sum += Math.max(0, (c.hu[row * COARSE + col] + 1000) / 1000.0) * coarseSpacing;
                }
                projection[j][col] = sum / 10; // water-equivalent cm
            }
        }
        int n = SliceRenderer.SIZE;
        float[] out = new float[n * n];
        SplittableRandom rng = new SplittableRandom(series.noiseSeed());
        for (int r = 0; r < n; r++) {
            double fy = Math.max(0, Math.min(COARSE - 1.0001, (r + 0.5) * COARSE / n - 0.5));
            int y0 = (int) fy;
            double wy = fy - y0;
            for (int col = 0; col < n; col++) {
                double fx = Math.max(0, Math.min(COARSE - 1.0001, (col + 0.5) * COARSE / n - 0.5));
                int x0 = (int) fx;
                double wx = fx - x0;
                double p = (1 - wy) * ((1 - wx) * projection[y0][x0] + wx * projection[y0][x0 + 1])
                        + wy * ((1 - wx) * projection[y0 + 1][x0] + wx * projection[y0 + 1][x0 + 1]);
                out[r * n + col] = (float) (-1000 + 55 * p + 6 * rng.nextGaussian());
            }
        }
        return out;
    }
}
