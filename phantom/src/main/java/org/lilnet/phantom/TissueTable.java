package org.lilnet.phantom;

import org.lilnet.events.Phase;

import java.util.EnumMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Hounsfield units of each background tissue in each phase for one patient, drawn from the ranges of
 * PHANTOM-GUIDE.md. Arterial values follow the contrast timing (an early arterial scan has a darker portal vein and
 * liver than a late one); a cirrhotic liver enhances less.
 */
public final class TissueTable {

    private final double[][] hu = new double[Tissue.values().length][Phase.values().length];

    private TissueTable() {
    }

    /**
     * @param apSeconds  arterial acquisition, seconds after the contrast start (18-40)
     * @param pvpSeconds portal venous acquisition, seconds after the contrast start (55-100)
     */
    public static TissueTable draw(RandomGenerator rng, boolean cirrhotic, double apSeconds, double pvpSeconds) {
        TissueTable t = new TissueTable();
        double ap = clamp01((apSeconds - 18) / 22); // 0 early arterial, 1 late arterial
        double pvpPeak = 1 - Math.abs(pvpSeconds - 70) / 40; // enhancement of the liver peaks around 70 s

        t.all(Tissue.AIR, -1000);
        double lung = u(rng, -870, -820);
        t.all(Tissue.LUNG, lung);
        double fat = u(rng, -115, -85);
        t.all(Tissue.FAT, fat);
        t.set(Tissue.MUSCLE, u(rng, 45, 58), u(rng, 52, 68), u(rng, 62, 78), u(rng, 60, 72));

        double liverNc = cirrhotic ? u(rng, 45, 60) : u(rng, 52, 65);
        double liverAp = cirrhotic ? 60 + 20 * mix(rng, ap) : 65 + 20 * mix(rng, ap);
        double liverPvp = cirrhotic ? 90 + 25 * mix(rng, pvpPeak) : 100 + 30 * mix(rng, pvpPeak);
        t.set(Tissue.LIVER, liverNc, liverAp, liverPvp, liverPvp - u(rng, 8, 20));
        t.set(Tissue.SPLEEN, u(rng, 45, 55), u(rng, 110, 150), u(rng, 110, 130), u(rng, 100, 115));
        double aortaAp = u(rng, 250, 400);
        t.set(Tissue.AORTA, u(rng, 35, 45), aortaAp, u(rng, 140, 190), u(rng, 110, 145));
        t.set(Tissue.PORTAL_VEIN, u(rng, 35, 45), 80 + 50 * mix(rng, ap), u(rng, 160, 220), u(rng, 120, 150));
        t.set(Tissue.HEPATIC_VEIN, u(rng, 35, 45), u(rng, 40, 60), u(rng, 150, 200), u(rng, 115, 145));
        t.set(Tissue.IVC, u(rng, 35, 45), u(rng, 60, 110), u(rng, 130, 170), u(rng, 110, 140));
        t.set(Tissue.KIDNEY_CORTEX, u(rng, 30, 40), u(rng, 150, 250), u(rng, 150, 200), u(rng, 130, 180));
        t.set(Tissue.KIDNEY_MEDULLA, u(rng, 28, 38), u(rng, 70, 110), u(rng, 140, 190), u(rng, 150, 220));
        double cortex = u(rng, 500, 900);
        t.all(Tissue.BONE_CORTEX, cortex);
        t.all(Tissue.BONE_MARROW, u(rng, 180, 320));
        t.all(Tissue.DISC, u(rng, 70, 100));
        t.all(Tissue.CSF, u(rng, 5, 15));
        t.all(Tissue.FLUID, u(rng, 0, 15));
        t.set(Tissue.BOWEL_WALL, u(rng, 35, 50), u(rng, 70, 110), u(rng, 80, 110), u(rng, 70, 95));
        t.set(Tissue.STOMACH_WALL, u(rng, 35, 50), u(rng, 90, 130), u(rng, 80, 110), u(rng, 70, 95));
        t.set(Tissue.HEART, u(rng, 35, 45), u(rng, 180, 300), u(rng, 130, 170), u(rng, 110, 140));
        t.set(Tissue.PANCREAS, u(rng, 35, 50), u(rng, 100, 140), u(rng, 90, 120), u(rng, 75, 95));
        return t;
    }

    public double hu(Tissue tissue, Phase phase) {
        return hu[tissue.ordinal()][phase.ordinal()];
    }

    /** The values of one phase, by tissue (for the ground truth). */
    public Map<Tissue, Double> phase(Phase phase) {
        Map<Tissue, Double> values = new EnumMap<>(Tissue.class);
        for (Tissue t : Tissue.values()) {
            values.put(t, hu(t, phase));
        }
        return values;
    }

    private void set(Tissue tissue, double nonContrast, double arterial, double portal, double delayed) {
        double[] row = hu[tissue.ordinal()];
        row[Phase.NON_CONTRAST.ordinal()] = nonContrast;
        row[Phase.AP.ordinal()] = arterial;
        row[Phase.PVP.ordinal()] = portal;
        row[Phase.DELAYED.ordinal()] = delayed;
        row[Phase.UNKNOWN.ordinal()] = nonContrast;
    }

    private void all(Tissue tissue, double value) {
        set(tissue, value, value, value, value);
    }

    static double u(RandomGenerator rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** A value near {@code centre} (0..1) with jitter, kept in 0..1. */
    private static double mix(RandomGenerator rng, double centre) {
        return clamp01(0.6 * clamp01(centre) + 0.4 * rng.nextDouble());
    }

    private static double clamp01(double v) {
        return v < 0 ? 0 : Math.min(v, 1);
    }
}
