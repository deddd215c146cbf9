package org.lilnet.phantom;

import org.lilnet.phantom.render.Canvas;
import org.lilnet.phantom.render.Ellipsoid;
import org.lilnet.phantom.render.Structure;

import java.util.List;

/**
 * Whether a lesion can be seen at all in a series: some lesions are iso-attenuating to the liver in a phase by design
 * (FNH and small HCC without washout in the portal venous phase, small metastases whose rim and centre average out in
 * the arterial phase), and neither a detector nor a radiologist finds them there. Measured on the rendering itself,
 * without noise: the lesion's largest slice is painted twice around the lesion, with the whole scene and with the scene
 * without this lesion (the liver it displaces shows instead), both blurred by the scanner's point spread as the slices
 * are. The difference is averaged over a disc of {@value #PATCH_MM} mm (the smallest lesion of the phantom) around each
 * pixel the lesion covers; the lesion's contrast is the largest absolute such average. So a bright rim, a dark centre or
 * a scar of that size counts, a texture whose bright and dark spots cancel over it does not. The lesion is
 * <b>visible</b> when that contrast reaches the series' image noise (sigma per pixel, HU): below it, no patch of the
 * lesion stands out of the noise of a single pixel.
 */
final class LesionVisibility {

    /** Pixels painted around the lesion's box, so that the point spread near its edge sees what surrounds it. */
    private static final int MARGIN = 8;
    /** Diameter of the patch the contrast is averaged over, mm. */
    static final double PATCH_MM = 5.0;

    private LesionVisibility() {
    }

    /**
     * @param contrastHu the largest absolute difference the lesion makes to the noise-free image, averaged over a patch of
     *                   {@value #PATCH_MM} mm inside it, HU
     * @param noiseHu    the series' image noise, HU
     * @param visible    contrast at least the noise
     */
    record Measure(double contrastHu, double noiseHu, boolean visible) {
    }

    /**
     * @param sliceIndex the slice to measure (the lesion's largest in the series)
     * @param box        the lesion's pixels on that slice (column/row edges, as in the ground truth)
     * @param noiseHu    the series' noise sigma as rendered
     */
    static Measure measure(StudyPlan study, SeriesPlan series, Lesion lesion, int sliceIndex, GroundTruth.Box box, double noiseHu) {
        double sp = study.pixelSpacing();
        int c0 = (int) Math.floor(box.x1()) - MARGIN;
        int r0 = (int) Math.floor(box.y1()) - MARGIN;
        int size = (int) Math.ceil(Math.max(box.width(), box.height())) + 2 * MARGIN;
        double x0 = study.x0() + c0 * sp;
        double y0 = study.y0() + r0 * sp;
        Patient patient = study.patient();
        float[] with = paint(patient.scene(series.phase()), size, sp, x0, y0, series, sliceIndex);
        float[] without = paint(patient.scene(series.phase(), lesion), size, sp, x0, y0, series, sliceIndex);
        Ellipsoid shape = lesion.shape(patient.shift(series.phase()));
        Canvas frame = new Canvas(1, sp, x0, y0, series.z(sliceIndex), series.thicknessMm(), 0);
        float[] difference = new float[size * size];
        for (int i = 0; i < difference.length; i++) {
            difference[i] = with[i] - without[i];
        }
        int radius = (int) Math.floor(PATCH_MM / 2 / sp);
        double best = 0;
        boolean any = false;
        for (int r = 0; r < size; r++) {
            double y = y0 + r * sp;
            for (int c = 0; c < size; c++) {
                double x = x0 + c * sp;
                boolean inside = false;
                for (double z : frame.subZ) {
                    if (shape.normalisedRadius(x, y, z) < 1) {
                        inside = true;
                        break;
                    }
                }
                if (!inside) {
                    continue;
                }
                any = true;
                double sum = 0;
                int n = 0;
                for (int dr = -radius; dr <= radius; dr++) {
                    for (int dc = -radius; dc <= radius; dc++) {
                        int rr = r + dr, cc = c + dc;
                        if (rr >= 0 && cc >= 0 && rr < size && cc < size && (dr * dr + dc * dc) * sp * sp <= PATCH_MM * PATCH_MM / 4) {
                            sum += difference[rr * size + cc];
                            n++;
                        }
                    }
                }
                best = Math.max(best, Math.abs(sum / n));
            }
        }
        return new Measure(best, noiseHu, any && best >= noiseHu);
    }

    private static float[] paint(List<Structure> scene, int size, double spacing, double x0, double y0, SeriesPlan series, int sliceIndex) {
        Canvas canvas = new Canvas(size, spacing, x0, y0, series.z(sliceIndex), series.thicknessMm(), -1000f);
        for (Structure s : scene) {
            s.paint(canvas);
        }
        SliceRenderer.smooth(canvas.hu, size);
        return canvas.hu;
    }
}
