package org.lilnet.phantom.render;

/**
 * An ellipsoid, possibly lop-sided (each half-axis its own length, so that a body is flat at the back or a liver
 * bulges to the right), turned about the z axis, with an optional lobulated surface: the surface radius is scaled by
 * {@code 1 + sum(amp_k cos(k theta + phase_k + twist_k dz))} around the in-plane angle theta.
 */
public final class Ellipsoid extends Solid {

    final double cx, cy, cz;
    final double axPos, axNeg, ayPos, ayNeg, azPos, azNeg;
    final double cos, sin;
    final Lobulation lobes;

    public Ellipsoid(double[] center, double[] halfAxes, double rotation, Lobulation lobes, Material material, double edgeMm) {
        super(material, edgeMm);
        this.cx = center[0];
        this.cy = center[1];
        this.cz = center[2];
        // halfAxes: {a} (sphere), {a, b, c}, or {a+, a-, b+, b-, c+, c-}
        if (halfAxes.length == 6) {
            axPos = halfAxes[0]; axNeg = halfAxes[1]; ayPos = halfAxes[2]; ayNeg = halfAxes[3]; azPos = halfAxes[4]; azNeg = halfAxes[5];
        } else {
            axPos = axNeg = halfAxes[0];
            ayPos = ayNeg = halfAxes.length > 1 ? halfAxes[1] : halfAxes[0];
            azPos = azNeg = halfAxes.length > 2 ? halfAxes[2] : halfAxes[0];
        }
        this.cos = Math.cos(rotation);
        this.sin = Math.sin(rotation);
        this.lobes = lobes == null ? Lobulation.NONE : lobes;
    }

    /** Normalised radius: below 1 inside (the lobulated surface is at 1). */
    public double normalisedRadius(double x, double y, double z) {
        double dx = x - cx;
        double dy = y - cy;
        double dz = z - cz;
        double u = cos * dx + sin * dy;
        double v = -sin * dx + cos * dy;
        double nu = u / (u >= 0 ? axPos : axNeg);
        double nv = v / (v >= 0 ? ayPos : ayNeg);
        double nz = dz / (dz >= 0 ? azPos : azNeg);
        double n = Math.sqrt(nu * nu + nv * nv + nz * nz);
        return n / lobes.scale(u, v, dz);
    }

    @Override
    public double distance(double x, double y, double z) {
        double dx = x - cx;
        double dy = y - cy;
        double dz = z - cz;
        double r = Math.sqrt(dx * dx + dy * dy + dz * dz);
        double n = normalisedRadius(x, y, z);
        if (n < 1e-9) {
            return -Math.min(Math.min(axPos, axNeg), Math.min(ayPos, ayNeg));
        }
        return r - r / n;
    }

    @Override
    public double[] bounds() {
        double grow = 1 + lobes.maxAmplitude();
        double a = Math.max(Math.max(axPos, axNeg), Math.max(ayPos, ayNeg)) * grow;
        return new double[] {cx - a, cx + a, cy - a, cy + a, cz - azNeg * grow, cz + azPos * grow};
    }

    public double[] center() {
        return new double[] {cx, cy, cz};
    }
}
