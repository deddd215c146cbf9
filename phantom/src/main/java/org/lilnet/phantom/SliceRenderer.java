package org.lilnet.phantom;

import org.lilnet.phantom.render.Canvas;
import org.lilnet.phantom.render.Structure;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders the axial slices of one series: paints the phase's scene (with through-plane partial volume over the
 * slab), blurs it with the scanner's point spread, and adds correlated noise whose strength grows as slices get
 * thinner.
 */
final class SliceRenderer {

    static final int SIZE = 512;

    private final StudyPlan study;
    private final SeriesPlan series;
    private final List<Structure> scene;
    private final double noiseScale;

    SliceRenderer(StudyPlan study, SeriesPlan series, double noiseScale) {
        this.study = study;
        this.series = series;
        this.scene = study.patient().scene(series.phase());
        this.noiseScale = noiseScale;
    }

    /** Hounsfield units of slice {@code sliceIndex} (in order along z), row-major 512x512. */
    float[] render(int sliceIndex) {
        Canvas canvas = new Canvas(SIZE, study.pixelSpacing(), study.x0(), study.y0(), series.z(sliceIndex), series.thicknessMm(), -1000f);
        for (Structure s : scene) {
            s.paint(canvas);
        }
        float[] hu = canvas.hu;
        smooth(hu, SIZE);
        double sigma = series.noiseSigma() * noiseScale;
        if (sigma > 0) {
            addNoise(hu, sigma, new SplittableRandom(series.noiseSeed() * 1_000_003L + sliceIndex));
        }
        return hu;
    }

    /** Separable [1 2 1]/4 filter: the scanner's point spread (about 0.7 pixel). */
    static void smooth(float[] img, int size) {
        float[] line = new float[size];
        for (int r = 0; r < size; r++) {
            int base = r * size;
            for (int c = 0; c < size; c++) {
                float left = img[base + Math.max(0, c - 1)];
                float right = img[base + Math.min(size - 1, c + 1)];
                line[c] = 0.25f * left + 0.5f * img[base + c] + 0.25f * right;
            }
            System.arraycopy(line, 0, img, base, size);
        }
        float[] prev = new float[size];
        float[] cur = new float[size];
        System.arraycopy(img, 0, prev, 0, size);
        for (int r = 0; r < size; r++) {
            System.arraycopy(img, r * size, cur, 0, size);
            int nextRow = Math.min(size - 1, r + 1) * size;
            for (int c = 0; c < size; c++) {
                img[r * size + c] = 0.25f * prev[c] + 0.5f * cur[c] + 0.25f * img[nextRow + c];
            }
            float[] t = prev;
            prev = cur;
            cur = t;
        }
    }

    /** White Gaussian noise smoothed by [1 2 1]/4 both ways (CT noise is not white), scaled to {@code sigma}. */
    static void addNoise(float[] img, double sigma, SplittableRandom rng) {
        int size = (int) Math.round(Math.sqrt(img.length));
        float[] noise = new float[img.length];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) rng.nextGaussian();
        }
        smooth(noise, size);
        float scale = (float) (sigma / 0.375); // the filter keeps 0.375 of the standard deviation of white noise
        for (int i = 0; i < img.length; i++) {
            img[i] += scale * noise[i];
        }
    }
}
