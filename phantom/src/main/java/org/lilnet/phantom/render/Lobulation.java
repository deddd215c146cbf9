package org.lilnet.phantom.render;

import java.util.random.RandomGenerator;

/**
 * Surface waviness of a shape: radius factor {@code 1 + sum(amp_k cos(k theta + phase_k + twist_k dz))}. Low
 * orders make a lobulated lesion, high orders with small amplitude the nodular contour of a cirrhotic liver.
 */
public final class Lobulation {

    public static final Lobulation NONE = new Lobulation(new int[0], new double[0], new double[0], new double[0]);

    private final int[] orders;
    private final double[] amplitudes;
    private final double[] phases;
    private final double[] twists;
    private final double maxAmplitude;
    private final int maxOrder;
    private final double[] cosK;
    private final double[] sinK;

    public Lobulation(int[] orders, double[] amplitudes, double[] phases, double[] twists) {
        this.orders = orders.clone();
        this.amplitudes = amplitudes.clone();
        this.phases = phases.clone();
        this.twists = twists.clone();
        double sum = 0;
        for (double a : amplitudes) {
            sum += Math.abs(a);
        }
        this.maxAmplitude = sum;
        int max = 0;
        for (int o : orders) {
            max = Math.max(max, o);
        }
        this.maxOrder = max;
        this.cosK = new double[max + 1];
        this.sinK = new double[max + 1];
    }

    /** Random waviness: {@code count} orders from {@code minOrder..maxOrder}, total amplitude about {@code amplitude}. */
    public static Lobulation random(RandomGenerator rng, int count, int minOrder, int maxOrder, double amplitude, double twistPerMm) {
        int[] orders = new int[count];
        double[] amps = new double[count];
        double[] phases = new double[count];
        double[] twists = new double[count];
        for (int i = 0; i < count; i++) {
            orders[i] = minOrder + rng.nextInt(maxOrder - minOrder + 1);
            amps[i] = amplitude / count * (0.5 + rng.nextDouble());
            phases[i] = rng.nextDouble() * 2 * Math.PI;
            twists[i] = (rng.nextDouble() * 2 - 1) * twistPerMm;
        }
        return new Lobulation(orders, amps, phases, twists);
    }

    /**
     * Radius factor in the direction (u, v) of the shape's own frame, at height dz from its centre. Not thread-safe
     * (it remembers the phase trigonometry of the last planes): a scene is rendered by one thread.
     */
    public double scale(double u, double v, double dz) {
        if (orders.length == 0) {
            return 1;
        }
        double[] trig = trig(dz);
        double r = Math.sqrt(u * u + v * v);
        double c1 = r > 0 ? u / r : 1;
        double s1 = r > 0 ? v / r : 0;
        // cos(k theta), sin(k theta) for k = 1..maxOrder by repeated rotation (no atan2, no cos per pixel)
        double[] ck = cosK;
        double[] sk = sinK;
        ck[0] = 1;
        sk[0] = 0;
        for (int k = 1; k <= maxOrder; k++) {
            ck[k] = ck[k - 1] * c1 - sk[k - 1] * s1;
            sk[k] = sk[k - 1] * c1 + ck[k - 1] * s1;
        }
        double s = 1;
        for (int i = 0; i < orders.length; i++) {
            int k = orders[i];
            s += amplitudes[i] * (ck[k] * trig[2 * i] - sk[k] * trig[2 * i + 1]);
        }
        return s;
    }

    private static final int CACHE = 16;
    private final double[] cacheDz = new double[CACHE];
    private final double[][] cacheTrig = new double[CACHE][];
    private int cacheNext;

    /** cos and sin of every harmonic's phase at height dz, interleaved; the last sixteen heights are remembered. */
    private double[] trig(double dz) {
        for (int i = 0; i < CACHE; i++) {
            if (cacheTrig[i] != null && cacheDz[i] == dz) {
                return cacheTrig[i];
            }
        }
        double[] t = new double[2 * orders.length];
        for (int i = 0; i < orders.length; i++) {
            double phase = phases[i] + twists[i] * dz;
            t[2 * i] = Math.cos(phase);
            t[2 * i + 1] = Math.sin(phase);
        }
        int slot = cacheNext;
        cacheNext = (cacheNext + 1) % CACHE;
        cacheDz[slot] = dz;
        cacheTrig[slot] = t;
        return t;
    }

    public double maxAmplitude() {
        return maxAmplitude;
    }
}
