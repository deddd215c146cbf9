package org.lilnet.phantom.render;

/**
 * An elliptic cylinder along z whose cross-section may be lop-sided (flat back of the body) and may slowly change
 * with height ({@code taperPerMm}: relative growth of the half-axes per mm above {@code zRef}): body outline, fat and
 * muscle layers, aorta, IVC, paraspinal muscles.
 */
public final class Cylinder extends Solid {

    private final double cx, cy, axPos, axNeg, ayPos, ayNeg, z0, z1, zRef, taperPerMm;

    public Cylinder(double cx, double cy, double axPos, double axNeg, double ayPos, double ayNeg, double z0, double z1,
                    double zRef, double taperPerMm, Material material, double edgeMm) {
        super(material, edgeMm);
        this.cx = cx;
        this.cy = cy;
        this.axPos = axPos;
        this.axNeg = axNeg;
        this.ayPos = ayPos;
        this.ayNeg = ayNeg;
        this.z0 = z0;
        this.z1 = z1;
        this.zRef = zRef;
        this.taperPerMm = taperPerMm;
    }

    public static Cylinder circle(double cx, double cy, double r, double z0, double z1, Material material, double edgeMm) {
        return new Cylinder(cx, cy, r, r, r, r, z0, z1, 0, 0, material, edgeMm);
    }

    @Override
    public double distance(double x, double y, double z) {
        double scale = 1 + taperPerMm * (z - zRef);
        double dx = x - cx;
        double dy = y - cy;
        double nx = dx / ((dx >= 0 ? axPos : axNeg) * scale);
        double ny = dy / ((dy >= 0 ? ayPos : ayNeg) * scale);
        double n = Math.sqrt(nx * nx + ny * ny);
        double r = Math.sqrt(dx * dx + dy * dy);
        double d = n < 1e-9 ? -Math.min(axPos, ayPos) * scale : r - r / n;
        double dz = Math.max(z0 - z, z - z1);
        return Math.max(d, dz);
    }

    @Override
    public double[] bounds() {
        double grow = 1 + Math.abs(taperPerMm) * Math.max(Math.abs(z0 - zRef), Math.abs(z1 - zRef));
        double ax = Math.max(axPos, axNeg) * grow;
        double ay = Math.max(ayPos, ayNeg) * grow;
        return new double[] {cx - ax, cx + ax, cy - ay, cy + ay, z0, z1};
    }
}
