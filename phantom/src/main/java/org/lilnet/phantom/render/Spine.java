package org.lilnet.phantom.render;

/**
 * Lumbar/thoracic spine: vertebral bodies (cortex around marrow) alternating with discs along z, the spinal canal,
 * and the posterior arch with spinous and transverse processes (on vertebral levels only).
 */
public final class Spine implements Structure {

    private final double cx, cy, radius, pitch, discMm, phase;
    private final double cortex, marrow, disc, csf;

    public Spine(double cx, double cy, double radius, double pitch, double discMm, double phase, double cortex, double marrow,
                 double disc, double csf) {
        this.cx = cx;
        this.cy = cy;
        this.radius = radius;
        this.pitch = pitch;
        this.discMm = discMm;
        this.phase = phase;
        this.cortex = cortex;
        this.marrow = marrow;
        this.disc = disc;
        this.csf = csf;
    }

    @Override
    public void paint(Canvas c) {
        double within = ((c.z - phase) % pitch + pitch) % pitch;
        boolean atDisc = within < discMm;
        double big = 1e5;
        if (atDisc) {
            new Cylinder(cx, cy, radius, radius, radius * 0.85, radius, -big, big, 0, 0, Material.constant(disc), 0.8).paint(c);
        } else {
            new Cylinder(cx, cy, radius, radius, radius * 0.85, radius, -big, big, 0, 0, Material.constant(cortex), 0.6).paint(c);
            double r = radius - 2.2;
            new Cylinder(cx, cy, r, r, radius * 0.85 - 2.2, r, -big, big, 0, 0, Material.constant(marrow), 0.6).paint(c);
        }
        double canalY = cy + radius + 9;
        if (!atDisc) {
            Material bone = Material.constant(cortex * 0.8);
            // pedicles and laminae around the canal, spinous and transverse processes
            new Capsule(new double[] {cx - 9, cy + radius - 2, c.z}, new double[] {cx - 7, canalY + 9, c.z}, 3.5, 3.5, bone, 0.6).paint(c);
            new Capsule(new double[] {cx + 9, cy + radius - 2, c.z}, new double[] {cx + 7, canalY + 9, c.z}, 3.5, 3.5, bone, 0.6).paint(c);
            new Capsule(new double[] {cx - 7, canalY + 9, c.z}, new double[] {cx + 7, canalY + 9, c.z}, 3.5, 3.5, bone, 0.6).paint(c);
            new Capsule(new double[] {cx, canalY + 10, c.z}, new double[] {cx, canalY + 32, c.z}, 4, 3, bone, 0.6).paint(c);
            new Capsule(new double[] {cx - 9, canalY - 2, c.z}, new double[] {cx - 34, canalY - 5, c.z}, 4, 3, bone, 0.6).paint(c);
            new Capsule(new double[] {cx + 9, canalY - 2, c.z}, new double[] {cx + 34, canalY - 5, c.z}, 4, 3, bone, 0.6).paint(c);
        }
        Cylinder.circle(cx, canalY, 8, -big, big, Material.constant(csf), 0.6).paint(c);
    }
}
