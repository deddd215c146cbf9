package org.lilnet.phantom.render;

import java.util.SplittableRandom;

/**
 * Smooth 3D value noise in [-1, 1]: random values on an integer lattice (through a permutation table, period 256),
 * blended with a smoothstep. Cheap enough to call per pixel; used for parenchyma texture, the HCC mosaic and spleen
 * heterogeneity. Deterministic for a seed.
 */
public final class ValueNoise {

    private final int[] perm = new int[512];
    private final float[] values = new float[256];

    public ValueNoise(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] p = new int[256];
        for (int i = 0; i < 256; i++) {
            p[i] = i;
            values[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        for (int i = 255; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        for (int i = 0; i < 512; i++) {
            perm[i] = p[i & 255];
        }
    }

    /** Noise at a point given in lattice units (divide millimetres by the feature size first). */
    public double at(double x, double y, double z) {
        int xi = (int) Math.floor(x);
        int yi = (int) Math.floor(y);
        int zi = (int) Math.floor(z);
        double fx = smooth(x - xi);
        double fy = smooth(y - yi);
        double fz = smooth(z - zi);
        int x0 = xi & 255, x1 = (xi + 1) & 255;
        int y0 = yi & 255, y1 = (yi + 1) & 255;
        int z0 = zi & 255, z1 = (zi + 1) & 255;
        int a0 = perm[x0], a1 = perm[x1];
        int b00 = perm[a0 + y0], b10 = perm[a1 + y0], b01 = perm[a0 + y1], b11 = perm[a1 + y1];
        double c000 = values[perm[b00 + z0]], c100 = values[perm[b10 + z0]];
        double c010 = values[perm[b01 + z0]], c110 = values[perm[b11 + z0]];
        double c001 = values[perm[b00 + z1]], c101 = values[perm[b10 + z1]];
        double c011 = values[perm[b01 + z1]], c111 = values[perm[b11 + z1]];
        double x00 = c000 + (c100 - c000) * fx;
        double x10 = c010 + (c110 - c010) * fx;
        double x01 = c001 + (c101 - c001) * fx;
        double x11 = c011 + (c111 - c011) * fx;
        double y0v = x00 + (x10 - x00) * fy;
        double y1v = x01 + (x11 - x01) * fy;
        return y0v + (y1v - y0v) * fz;
    }

    /** Two octaves: coarse structure plus finer grain (amplitude halves). */
    public double fractal(double x, double y, double z) {
        return (at(x, y, z) + 0.5 * at(2.03 * x + 17.1, 2.03 * y + 5.3, 2.03 * z + 11.7)) / 1.5;
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }
}
