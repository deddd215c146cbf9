package org.lilnet.phantom.render;

/**
 * Lower ribs cut obliquely: small bony ovals along the inner body wall, at angles that drift with height, each
 * rib visible above its own lower end.
 */
public final class Ribs implements Structure {

    private final double cx, cy, rx, ryPosterior, ryAnterior;
    private final double[] angles;
    private final double[] lowestZ;
    private final double referenceZ;
    private final double cortex, marrow;

    public Ribs(double cx, double cy, double rx, double ryPosterior, double ryAnterior, double[] angles, double[] lowestZ, double referenceZ, double cortex, double marrow) {
        this.cx = cx;
        this.cy = cy;
        this.rx = rx;
        this.ryPosterior = ryPosterior;
        this.ryAnterior = ryAnterior;
        this.angles = angles.clone();
        this.lowestZ = lowestZ.clone();
        this.referenceZ = referenceZ;
        this.cortex = cortex;
        this.marrow = marrow;
    }

    @Override
    public void paint(Canvas c) {
        double big = 1e5;
        for (int i = 0; i < angles.length; i++) {
            if (c.z < lowestZ[i]) {
                continue;
            }
            double a = angles[i] + 0.004 * (c.z - referenceZ) * Math.signum(Math.cos(angles[i]));
            double x = cx + rx * Math.cos(a);
            double y = cy + (Math.sin(a) >= 0 ? ryPosterior : ryAnterior) * Math.sin(a);
            new Cylinder(x, y, 5.5, 5.5, 4.5, 4.5, -big, big, 0, 0, Material.constant(cortex), 0.6).paint(c);
            new Cylinder(x, y, 3.8, 3.8, 2.8, 2.8, -big, big, 0, 0, Material.constant(marrow), 0.6).paint(c);
        }
    }
}
