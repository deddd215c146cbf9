package org.lilnet.phantom.render;

/** Everything anterior to a coronal plane y = level (smaller y): the air cap of a stomach or a bowel loop. */
public final class HalfSpace extends Solid {

    private final double level;

    public HalfSpace(double level) {
        super(Material.constant(0), 0.5);
        this.level = level;
    }

    @Override
    public double distance(double x, double y, double z) {
        return y - level;
    }

    @Override
    public double[] bounds() {
        return new double[] {-1e6, 1e6, -1e6, level, -1e6, 1e6};
    }
}
