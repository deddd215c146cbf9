package org.lilnet.phantom.render;

/** One shape with others cut away (the liver does not reach into the spine, the aorta or the right kidney). */
public final class Subtraction extends Solid {

    private final Solid shape;
    private final Solid[] removed;

    public Subtraction(Solid shape, Material material, double edgeMm, Solid... removed) {
        super(material, edgeMm);
        this.shape = shape;
        this.removed = removed.clone();
    }

    @Override
    public double distance(double x, double y, double z) {
        double d = shape.distance(x, y, z);
        for (Solid r : removed) {
            d = Math.max(d, -r.distance(x, y, z));
        }
        return d;
    }

    @Override
    public double[] bounds() {
        return shape.bounds();
    }
}
