package org.lilnet.phantom.render;

/** The part of one shape that lies inside another (vessel branches clipped to the liver). */
public final class Intersection extends Solid {

    private final Solid shape;
    private final Solid within;

    public Intersection(Solid shape, Solid within, Material material, double edgeMm) {
        super(material, edgeMm);
        this.shape = shape;
        this.within = within;
    }

    @Override
    public double distance(double x, double y, double z) {
        return Math.max(shape.distance(x, y, z), within.distance(x, y, z));
    }

    @Override
    public double[] bounds() {
        return shape.bounds();
    }
}
