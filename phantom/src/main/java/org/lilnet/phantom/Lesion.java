package org.lilnet.phantom;

import org.lilnet.events.Phase;
import org.lilnet.phantom.render.Canvas;
import org.lilnet.phantom.render.Ellipsoid;
import org.lilnet.phantom.render.Lobulation;
import org.lilnet.phantom.render.Material;
import org.lilnet.phantom.render.Structure;
import org.lilnet.phantom.render.ValueNoise;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One lesion as drawn for a patient: class, where it is, its shape and its appearance in every phase. How each
 * class looks follows PHANTOM-GUIDE.md; {@link LesionFactory} draws the values.
 */
public final class Lesion {

    final int id;
    final LesionClass lesionClass;
    final String variant;
    final double[] center;
    final double[] halfAxes;
    final double rotation;
    final Lobulation lobes;
    final double edgeMm;
    final Map<Phase, LesionLook> looks;
    /** ICC/MET: rim thickness; HCC/FNH: necrosis/scar radius (fractions of the radius). */
    final double rimFraction;
    final double centerFraction;
    final double capsuleMm;
    final double textureFeatureMm;
    /** FNH: angles of the scar's spokes; HEM: peripheral nodules as {theta, elevation, radius fraction}. */
    final double[] spokes;
    final double[][] nodules;
    final long textureSeed;
    /** ICC: dilated bile ducts upstream, as capsules {x0,y0,z0,x1,y1,z1,r}, relative to the centre. */
    final List<double[]> ducts;

    Lesion(int id, LesionClass lesionClass, String variant, double[] center, double[] halfAxes, double rotation, Lobulation lobes,
           double edgeMm, Map<Phase, LesionLook> looks, double rimFraction, double centerFraction, double capsuleMm,
           double textureFeatureMm, double[] spokes, double[][] nodules, long textureSeed, List<double[]> ducts) {
        this.id = id;
        this.lesionClass = lesionClass;
        this.variant = variant;
        this.center = center.clone();
        this.halfAxes = halfAxes.clone();
        this.rotation = rotation;
        this.lobes = lobes;
        this.edgeMm = edgeMm;
        this.looks = new EnumMap<>(looks);
        this.rimFraction = rimFraction;
        this.centerFraction = centerFraction;
        this.capsuleMm = capsuleMm;
        this.textureFeatureMm = textureFeatureMm;
        this.spokes = spokes;
        this.nodules = nodules;
        this.textureSeed = textureSeed;
        this.ducts = List.copyOf(ducts);
    }

    public int id() {
        return id;
    }

    public LesionClass lesionClass() {
        return lesionClass;
    }

    public String variant() {
        return variant;
    }

    public double[] center() {
        return center.clone();
    }

    public LesionLook look(Phase phase) {
        return looks.get(phase);
    }

    /** Mean radius, mm. */
    public double radius() {
        return (halfAxes[0] + halfAxes[1] + halfAxes[2]) / 3;
    }

    /** The shape placed with a breathing shift (mm). */
    Ellipsoid shape(double[] shift) {
        return new Ellipsoid(new double[] {center[0] + shift[0], center[1] + shift[1], center[2] + shift[2]}, halfAxes, rotation,
                lobes, Material.constant(0), edgeMm);
    }

    /** Longest axial diameter, mm: the largest extent through the centre over the in-plane directions. */
    public double diameterMm() {
        Ellipsoid shape = shape(new double[3]);
        double best = 0;
        for (int i = 0; i < 90; i++) {
            double theta = Math.PI * i / 90;
            double dx = Math.cos(theta);
            double dy = Math.sin(theta);
            best = Math.max(best, extent(shape, dx, dy) + extent(shape, -dx, -dy));
        }
        return best;
    }

    private double extent(Ellipsoid shape, double dx, double dy) {
        double lo = 0;
        double hi = 3 * Math.max(halfAxes[0], halfAxes[1]);
        for (int k = 0; k < 40; k++) {
            double mid = (lo + hi) / 2;
            if (shape.normalisedRadius(center[0] + mid * dx, center[1] + mid * dy, center[2]) < 1) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The lesion in one phase, shifted with the liver. */
    Structure structure(Phase phase, double[] shift) {
        return new Painter(shape(shift), look(phase), center[0] + shift[0], center[1] + shift[1], center[2] + shift[2]);
    }

    /**
     * HU at a point inside the lesion in lesion-centred coordinates (mm) at normalised radius {@code u}
     * (0 centre, 1 surface). The appearance of each class is here.
     */
    double hu(LesionLook look, double u, double dx, double dy, double dz, ValueNoise noise) {
        double r = radius();
        double t = look.texture() == 0 ? 0
                : look.texture() * noise.fractal(dx / textureFeatureMm, dy / textureFeatureMm, dz / textureFeatureMm);
        double soft = 0.6 / r; // about half a millimetre of blending between internal parts, in units of u
        switch (lesionClass) {
            case HCC -> {
                double v = look.body() + t;
                if (centerFraction > 0 && !Double.isNaN(look.center())) {
                    double edge = centerFraction * (1 + 0.25 * noise.at(dx / 4 + 50, dy / 4, dz / 4));
                    v = mixStep(look.center() + 0.3 * t, v, u, edge, soft * 2);
                }
                if (!Double.isNaN(look.capsule())) {
                    v = mixStep(v, look.capsule(), u, 1 - capsuleMm / r, soft);
                }
                return v;
            }
            case ICC, MET -> {
                double inner = 1 - rimFraction * (1 + 0.35 * noise.at(dx / 5 + 20, dy / 5, dz / 5));
                double centerValue = look.center() + 0.6 * t;
                return mixStep(centerValue, look.body() + t, u, inner, soft * 3);
            }
            case FNH -> {
                double v = look.body() + t;
                if (centerFraction > 0 && !Double.isNaN(look.center())) {
                    double scar = u < centerFraction ? 1 : 0;
                    if (scar == 0 && u < 0.65) {
                        double rho = Math.hypot(dx, dy);
                        double theta = Math.atan2(dy, dx);
                        double halfWidth = Math.max(0.8, 0.04 * r);
                        for (double s : spokes) {
                            double dth = Math.IEEEremainder(theta - s, 2 * Math.PI);
                            if (Math.abs(dth) < Math.PI / 2 && rho * Math.abs(Math.sin(dth)) < halfWidth) {
                                scar = Math.max(scar, 1 - u / 0.65);
                            }
                        }
                    }
                    v = v + (look.center() - v) * scar;
                }
                return v;
            }
            case HEM -> {
                if (nodules.length == 0) {
                    return look.body() + t; // flash filling: homogeneous
                }
                double v = look.center() + 0.5 * t;
                // peripheral filling that deepens with time
                if (look.fillDepth() > 0) {
                    double filled = 1 - look.fillDepth() * (1 + 0.3 * noise.at(dx / 6 + 9, dy / 6, dz / 6));
                    v = mixStep(v, look.body() + t, u, filled, soft * 4);
                }
                for (double[] n : nodules) {
                    double nr = n[2] * r * look.noduleScale();
                    double px = Math.cos(n[1]) * Math.cos(n[0]) * 0.88 * r;
                    double py = Math.cos(n[1]) * Math.sin(n[0]) * 0.88 * r;
                    double pz = Math.sin(n[1]) * 0.88 * r;
                    double ex = dx - px, ey = dy - py, ez = dz - pz;
                    double dn = Math.sqrt(ex * ex + ey * ey + ez * ez);
                    if (dn < nr + 0.6) {
                        double w = Math.min(1, Math.max(0, (nr + 0.6 - dn) / 1.2));
                        v = v + (look.body() + t - v) * w;
                    }
                }
                return v;
            }
            case CYST -> {
                return look.body() + t;
            }
            default -> throw new IllegalStateException();
        }
    }

    /** {@code a} below {@code edge} (in u), {@code b} above it, blended over {@code width}. */
    private static double mixStep(double a, double b, double u, double edge, double width) {
        double w = (u - edge) / width + 0.5;
        w = w <= 0 ? 0 : (w >= 1 ? 1 : w);
        return a + (b - a) * w;
    }

    private final class Painter implements Structure {
        private final Ellipsoid shape;
        private final LesionLook look;
        private final double cx, cy, cz;
        private final ValueNoise noise = new ValueNoise(textureSeed);

        Painter(Ellipsoid shape, LesionLook look, double cx, double cy, double cz) {
            this.shape = shape;
            this.look = look;
            this.cx = cx;
            this.cy = cy;
            this.cz = cz;
        }

        @Override
        public void paint(Canvas c) {
            double[] b = shape.bounds();
            double edge = Math.max(edgeMm, 0.35 * c.spacing);
            if (b[5] < c.z - c.thickness / 2 - edge || b[4] > c.z + c.thickness / 2 + edge) {
                return;
            }
            int c0 = c.columnFrom(b[0] - edge), c1 = c.columnTo(b[1] + edge);
            int r0 = c.rowFrom(b[2] - edge), r1 = c.rowTo(b[3] + edge);
            int n = c.subZ.length;
            for (int row = r0; row <= r1; row++) {
                double y = c.y(row);
                for (int col = c0; col <= c1; col++) {
                    double x = c.x(col);
                    double coverage = 0;
                    double value = 0;
                    for (int s = 0; s < n; s++) {
                        double z = c.subZ[s];
                        double d = shape.distance(x, y, z);
                        double w = 0.5 - d / edge;
                        if (w <= 0) {
                            continue;
                        }
                        w = Math.min(1, w);
                        double u = Math.min(1, shape.normalisedRadius(x, y, z));
                        coverage += w;
                        value += w * hu(look, u, x - cx, y - cy, z - cz, noise);
                    }
                    if (coverage > 0) {
                        c.blend(row * c.size + col, coverage / n, value / coverage);
                    }
                }
            }
        }
    }
}
