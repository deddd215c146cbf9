package org.lilnet.phantom.render;

/**
 * The lung bases above the diaphragm: inside the rib cage, above two domes (the right one resting on the liver),
 * outside the mediastinum. Lung tissue with small vessels.
 */
public final class Lungs extends Solid {

    private final Cylinder cage;
    private final double[][] domes; // {x, y, apexZ}
    private final double curvatureMm;
    private final double[] mediastinum; // ellipse {x, y, half width, half depth}

    public Lungs(Cylinder cage, double[][] domes, double curvatureMm, double[] mediastinum, Material material) {
        super(material, 1.0);
        this.cage = cage;
        this.domes = domes;
        this.curvatureMm = curvatureMm;
        this.mediastinum = mediastinum.clone();
    }

    /** Height of the diaphragm at (x, y), mm. */
    public double diaphragm(double x, double y) {
        double z = -Double.MAX_VALUE;
        for (double[] d : domes) {
            double dx = x - d[0];
            double dy = y - d[1];
            z = Math.max(z, d[2] - (dx * dx + dy * dy) / (2 * curvatureMm));
        }
        return z;
    }

    @Override
    public double distance(double x, double y, double z) {
        double inCage = cage.distance(x, y, z);
        double aboveDome = diaphragm(x, y) - z;
        double mx = (x - mediastinum[0]) / mediastinum[2];
        double my = (y - mediastinum[1]) / mediastinum[3];
        double inMediastinum = (Math.sqrt(mx * mx + my * my) - 1) * Math.min(mediastinum[2], mediastinum[3]);
        return Math.max(Math.max(inCage, aboveDome), -inMediastinum);
    }

    @Override
    public double[] bounds() {
        double[] b = cage.bounds();
        double top = -Double.MAX_VALUE;
        for (double[] d : domes) {
            top = Math.max(top, d[2]);
        }
        double reach = Math.max(b[1] - b[0], b[3] - b[2]);
        b[4] = top - reach * reach / (2 * curvatureMm);
        return b;
    }
}
