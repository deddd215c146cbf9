package org.lilnet.phantom.render;

/** A tube between two points whose radius tapers from r0 to r1: vessels, bile ducts, bowel loops. */
public final class Capsule extends Solid {

    private final double[] p0;
    private final double[] axis;
    private final double lengthSquared;
    private final double r0, r1;

    public Capsule(double[] p0, double[] p1, double r0, double r1, Material material, double edgeMm) {
        super(material, edgeMm);
        this.p0 = p0.clone();
        this.axis = new double[] {p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]};
        this.lengthSquared = Math.max(1e-9, axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
        this.r0 = r0;
        this.r1 = r1;
    }

    @Override
    public double distance(double x, double y, double z) {
        double dx = x - p0[0];
        double dy = y - p0[1];
        double dz = z - p0[2];
        double t = (dx * axis[0] + dy * axis[1] + dz * axis[2]) / lengthSquared;
        t = t < 0 ? 0 : Math.min(t, 1);
        double ex = dx - t * axis[0];
        double ey = dy - t * axis[1];
        double ez = dz - t * axis[2];
        return Math.sqrt(ex * ex + ey * ey + ez * ez) - (r0 + (r1 - r0) * t);
    }

    @Override
    public double[] bounds() {
        double r = Math.max(r0, r1);
        double[] p1 = {p0[0] + axis[0], p0[1] + axis[1], p0[2] + axis[2]};
        return new double[] {Math.min(p0[0], p1[0]) - r, Math.max(p0[0], p1[0]) + r, Math.min(p0[1], p1[1]) - r,
                Math.max(p0[1], p1[1]) + r, Math.min(p0[2], p1[2]) - r, Math.max(p0[2], p1[2]) + r};
    }
}
