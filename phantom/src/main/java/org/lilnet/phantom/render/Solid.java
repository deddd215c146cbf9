package org.lilnet.phantom.render;

/**
 * A closed shape filled with a material. The shape is given by an approximate signed distance (mm, negative
 * inside); coverage of a pixel ramps over {@code edgeMm} around the surface (in-plane partial volume) and is averaged
 * over the slab's sub-planes near the surface (through-plane partial volume). Far from the surface a single
 * evaluation decides, which keeps large organs cheap.
 */
public abstract class Solid implements Structure {

    private final Material material;
    private final double edgeMm;

    protected Solid(Material material, double edgeMm) {
        this.material = material;
        this.edgeMm = edgeMm;
    }

    /** Approximate signed distance to the surface, mm (negative inside). */
    public abstract double distance(double x, double y, double z);

    /** Axis-aligned bounds: {xmin, xmax, ymin, ymax, zmin, zmax}, mm. */
    public abstract double[] bounds();

    /** Pixels per side of the blocks that are decided at once when they lie wholly inside or outside. */
    private static final int BLOCK = 8;

    @Override
    public void paint(Canvas c) {
        double[] b = bounds();
        double half = c.thickness / 2;
        if (b[5] < c.z - half - edgeMm || b[4] > c.z + half + edgeMm) {
            return;
        }
        double edge = Math.max(edgeMm, 0.35 * c.spacing);
        double band = 2 * half + edge;
        int c0 = c.columnFrom(b[0] - edge);
        int c1 = c.columnTo(b[1] + edge);
        int r0 = c.rowFrom(b[2] - edge);
        int r1 = c.rowTo(b[3] + edge);
        // a block whose centre is far enough from the surface is wholly inside or outside (distances change by at
        // most about one mm per mm; 1.5 leaves room for the approximate distances of lop-sided shapes)
        double blockReach = 1.5 * (BLOCK / 2.0) * Math.sqrt(2) * c.spacing + band;
        for (int br = r0; br <= r1; br += BLOCK) {
            int brEnd = Math.min(r1, br + BLOCK - 1);
            for (int bc = c0; bc <= c1; bc += BLOCK) {
                int bcEnd = Math.min(c1, bc + BLOCK - 1);
                double dBlock = distance(c.x(bc) + (bcEnd - bc) * c.spacing / 2, c.y(br) + (brEnd - br) * c.spacing / 2, c.z);
                if (dBlock > blockReach) {
                    continue;
                }
                boolean inside = dBlock < -blockReach;
                for (int row = br; row <= brEnd; row++) {
                    double y = c.y(row);
                    int base = row * c.size;
                    for (int col = bc; col <= bcEnd; col++) {
                        double x = c.x(col);
                        double coverage = inside ? 1 : coverage(c, x, y, band, edge);
                        if (coverage > 0) {
                            c.blend(base + col, coverage, material.hu(x, y, c.z));
                        }
                    }
                }
            }
        }
    }

    private double coverage(Canvas c, double x, double y, double band, double edge) {
        double d = distance(x, y, c.z);
        if (d > band) {
            return 0;
        }
        if (d < -band) {
            return 1;
        }
        int n = c.subZ.length;
        if (n == 1) {
            return ramp(d, edge);
        }
        double sum = 0;
        for (int s = 0; s < n; s++) {
            sum += ramp(distance(x, y, c.subZ[s]), edge);
        }
        return sum / n;
    }

    static double ramp(double distance, double edge) {
        double v = 0.5 - distance / edge;
        return v <= 0 ? 0 : (v >= 1 ? 1 : v);
    }
}
