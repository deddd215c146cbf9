package org.lilnet.phantom.render;

/** Several shapes as one (the liver's lobes): inside any of them, one material, no seam between them. */
public final class Union extends Solid {

    /** Beyond this far outside a part's bounds its exact distance does not matter (no slab is that thick). */
    private static final double FAR = 25;

    private final Solid[] parts;
    private final double[][] partBounds;
    private ValueNoise nodules;
    private double noduleMm;
    private double noduleFeatureMm;
    private double[] shift = new double[3];

    public Union(Material material, double edgeMm, Solid... parts) {
        super(material, edgeMm);
        this.parts = parts.clone();
        this.partBounds = new double[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            partBounds[i] = parts[i].bounds();
        }
    }

    /** A nodular surface (cirrhosis): the surface moves in and out by up to {@code amplitudeMm}, fixed to the organ (which
     * is displaced by {@code shift}). */
    public Union nodular(ValueNoise noise, double amplitudeMm, double featureMm, double[] shift) {
        this.nodules = noise;
        this.shift = shift.clone();
        this.noduleMm = amplitudeMm;
        this.noduleFeatureMm = featureMm;
        return this;
    }

    @Override
    public double distance(double x, double y, double z) {
        double d = nodules == null ? 0 : noduleMm * nodules.at((x - shift[0]) / noduleFeatureMm, (y - shift[1]) / noduleFeatureMm,
                (z - shift[2]) / noduleFeatureMm);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < parts.length; i++) {
            double[] b = partBounds[i];
            double outside = Math.max(Math.max(b[0] - x, x - b[1]), Math.max(Math.max(b[2] - y, y - b[3]), Math.max(b[4] - z, z - b[5])));
            // far outside a part's box: its distance is at least that far (cheap lower bound)
            best = Math.min(best, outside > FAR ? outside : parts[i].distance(x, y, z));
        }
        return best + d;
    }

    @Override
    public double[] bounds() {
        double[] b = parts[0].bounds();
        for (int i = 1; i < parts.length; i++) {
            double[] o = parts[i].bounds();
            for (int k = 0; k < 6; k += 2) {
                b[k] = Math.min(b[k], o[k]);
                b[k + 1] = Math.max(b[k + 1], o[k + 1]);
            }
        }
        return b;
    }
}
