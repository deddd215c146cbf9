package org.lilnet.phantom;

import org.lilnet.events.Phase;
import org.lilnet.phantom.render.Lobulation;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import static org.lilnet.phantom.TissueTable.u;

/**
 * Draws a lesion's shape and per-phase appearance for its class, from the ranges of PHANTOM-GUIDE.md, including
 * the atypical forms that make classes overlap in real CT: small HCC without washout, hypovascular HCC, ICC with a
 * weak rim, hypervascular metastases, FNH without a scar, slowly filling haemangioma, complicated cysts.
 */
final class LesionFactory {

    private LesionFactory() {
    }

    /** Typical diameter range of a class, mm (the guide's sizes, within the 0.5-8 cm). */
    static double[] sizeRange(LesionClass c) {
        return switch (c) {
            case HCC -> new double[] {10, 80};
            case ICC -> new double[] {20, 80};
            case MET -> new double[] {5, 50};
            case FNH -> new double[] {10, 60};
            case HEM -> new double[] {5, 80};
            case CYST -> new double[] {5, 80};
        };
    }

    /**
     * @param patientStyle a per-patient draw in 0..1 so that lesions of one patient look alike (the metastases of
     *                     one primary tumour)
     */
    static Lesion draw(RandomGenerator rng, int id, LesionClass c, double diameterMm, double[] center, TissueTable t,
                       double patientStyle) {
        double r = diameterMm / 2;
        double elong = c == LesionClass.ICC ? 0.25 : 0.12;
        double[] axes = {r * u(rng, 1 - elong / 2, 1 + elong), r * u(rng, 1 - elong, 1 + elong / 2), r * u(rng, 0.85, 1.15)};
        double rotation = rng.nextDouble() * Math.PI;
        Map<Phase, LesionLook> looks = new EnumMap<>(Phase.class);
        double liverNc = t.hu(Tissue.LIVER, Phase.NON_CONTRAST);
        double liverAp = t.hu(Tissue.LIVER, Phase.AP);
        double liverPvp = t.hu(Tissue.LIVER, Phase.PVP);
        double liverDl = t.hu(Tissue.LIVER, Phase.DELAYED);
        long textureSeed = rng.nextLong();
        List<double[]> ducts = new ArrayList<>();
        String variant = "typical";
        double rim = 0, centerFraction = 0, capsule = 0, feature = 4;
        double edge = 0.6;
        double[] spokes = new double[0];
        double[][] nodules = new double[0][];
        Lobulation lobes;
        switch (c) {
            case HCC -> {
                lobes = Lobulation.random(rng, 2, 2, 4, u(rng, 0.0, 0.06), 0.01);
                feature = u(rng, 3, 6);
                double roll = rng.nextDouble();
                boolean noWashout = diameterMm < 20 ? roll < 0.45 : roll < 0.08;
                boolean hypovascular = !noWashout && rng.nextDouble() < 0.12;
                variant = noWashout ? "no-washout" : hypovascular ? "hypovascular" : "typical";
                double ap = hypovascular ? liverAp + u(rng, -15, 5) : Math.max(u(rng, 100, 150), liverAp + 20);
                double pvp = noWashout ? liverPvp + u(rng, -6, 4) : Math.min(u(rng, 70, 100), liverPvp - 12);
                double dl = noWashout ? liverDl + u(rng, -10, 0) : Math.min(u(rng, 60, 90), liverDl - 10);
                double tex = hypovascular ? u(rng, 4, 8) : u(rng, 8, 20);
                boolean necrotic = diameterMm > 30 && rng.nextDouble() < 0.5;
                double necrosis = necrotic ? u(rng, 15, 40) : Double.NaN;
                centerFraction = necrotic ? u(rng, 0.25, 0.5) : 0;
                boolean hasCapsule = !noWashout && rng.nextDouble() < 0.7;
                capsule = u(rng, 1, 2);
                double capPvp = hasCapsule ? Math.max(u(rng, 110, 140), pvp + 20) : Double.NaN;
                double capDl = hasCapsule ? Math.max(u(rng, 100, 130), dl + 20) : Double.NaN;
                looks.put(Phase.NON_CONTRAST, LesionLook.of(u(rng, 35, 50), necrosis, Double.NaN, u(rng, 2, 5)));
                looks.put(Phase.AP, LesionLook.of(ap, necrosis, Double.NaN, tex));
                looks.put(Phase.PVP, LesionLook.of(pvp, necrosis, capPvp, tex * 0.6));
                looks.put(Phase.DELAYED, LesionLook.of(dl, necrosis, capDl, tex * 0.5));
            }
            case ICC -> {
                lobes = Lobulation.random(rng, 3, 2, 6, u(rng, 0.12, 0.25), 0.03);
                edge = u(rng, 1.5, 2.5);
                feature = u(rng, 4, 7);
                rim = u(rng, 0.2, 0.35);
                boolean weakRim = rng.nextDouble() < 0.25;
                variant = weakRim ? "weak-rim" : "typical";
                double rimAp = weakRim ? u(rng, 60, 80) : u(rng, 80, 110);
                double centerAp = u(rng, 40, 60);
                double rimPvp = Math.min(u(rng, 85, 110), liverPvp - 5);
                double centerPvp = Math.min(u(rng, 60, 90), liverPvp - 15);
                double tex = u(rng, 5, 10);
                looks.put(Phase.NON_CONTRAST, LesionLook.of(u(rng, 35, 50), u(rng, 30, 45), Double.NaN, 3));
                looks.put(Phase.AP, LesionLook.of(rimAp, centerAp, Double.NaN, tex));
                looks.put(Phase.PVP, LesionLook.of(rimPvp, centerPvp, Double.NaN, tex));
                looks.put(Phase.DELAYED, LesionLook.of(Math.min(rimPvp, liverDl), Math.min(centerPvp + u(rng, 10, 25), liverDl - 3), Double.NaN, tex));
                if (rng.nextDouble() < 0.6) { // dilated ducts upstream, towards the periphery
                    int n = 1 + rng.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        double a = rng.nextDouble() * 2 * Math.PI;
                        double len = u(rng, 15, 40);
                        double dz = u(rng, -0.3, 0.3);
                        double[] dir = {Math.cos(a), Math.sin(a), dz};
                        double start = r * 0.8;
                        ducts.add(new double[] {dir[0] * start, dir[1] * start, dir[2] * start,
                                dir[0] * (start + len), dir[1] * (start + len), dir[2] * (start + len), u(rng, 1.5, 3)});
                    }
                }
            }
            case MET -> {
                lobes = Lobulation.random(rng, 2, 2, 5, u(rng, 0.02, 0.08), 0.02);
                edge = u(rng, 0.7, 1.2);
                feature = u(rng, 3, 5);
                boolean hypervascular = patientStyle < 0.15;
                variant = hypervascular ? "hypervascular" : "typical";
                rim = hypervascular ? u(rng, 0.6, 0.8) : u(rng, 0.25, 0.45);
                double rimAp = hypervascular ? u(rng, 120, 170) : u(rng, 80, 110);
                double centerAp = hypervascular ? u(rng, 70, 100) : u(rng, 30, 60);
                double rimPvp = Math.min(hypervascular ? u(rng, 80, 110) : u(rng, 85, 115), liverPvp - 5);
                double centerPvp = Math.min(u(rng, 40, 70), liverPvp - 25);
                double tex = u(rng, 3, 8);
                looks.put(Phase.NON_CONTRAST, LesionLook.of(u(rng, 30, 45), u(rng, 25, 40), Double.NaN, 3));
                looks.put(Phase.AP, LesionLook.of(rimAp, centerAp, Double.NaN, tex));
                looks.put(Phase.PVP, LesionLook.of(rimPvp, centerPvp, Double.NaN, tex));
                looks.put(Phase.DELAYED, LesionLook.of(Math.min(rimPvp, liverDl - 5), centerPvp + u(rng, 0, 10), Double.NaN, tex));
            }
            case FNH -> {
                lobes = Lobulation.random(rng, 2, 3, 5, u(rng, 0.04, 0.1), 0.02);
                feature = u(rng, 4, 8);
                double ap = Math.max(u(rng, 120, 160), liverAp + 35);
                double pvp = Math.max(100, Math.min(130, liverPvp + u(rng, -6, 8)));
                boolean scar = rng.nextDouble() < (diameterMm >= 30 ? 0.65 : 0.3);
                variant = scar ? "typical" : "no-scar";
                centerFraction = scar ? u(rng, 0.1, 0.2) : 0;
                spokes = new double[scar ? 3 + rng.nextInt(3) : 0];
                for (int i = 0; i < spokes.length; i++) {
                    spokes[i] = rng.nextDouble() * 2 * Math.PI;
                }
                double scarAp = scar ? u(rng, 40, 60) : Double.NaN;
                double scarPvp = scar ? u(rng, 40, 60) : Double.NaN;
                double tex = u(rng, 2, 5);
                looks.put(Phase.NON_CONTRAST, LesionLook.of(liverNc - u(rng, 0, 8), scar ? u(rng, 30, 45) : Double.NaN, Double.NaN, 2));
                looks.put(Phase.AP, LesionLook.of(ap, scarAp, Double.NaN, tex));
                looks.put(Phase.PVP, LesionLook.of(pvp, scarPvp, Double.NaN, tex));
                looks.put(Phase.DELAYED, LesionLook.of(liverDl + u(rng, -5, 5), scar ? u(rng, 90, 120) : Double.NaN, Double.NaN, tex));
            }
            case HEM -> {
                lobes = Lobulation.random(rng, 2, 2, 4, u(rng, 0.0, 0.05), 0.01);
                edge = 0.5;
                feature = u(rng, 4, 6);
                double aortaAp = t.hu(Tissue.AORTA, Phase.AP);
                boolean flash = diameterMm < 15 && rng.nextDouble() < 0.5;
                boolean slow = !flash && rng.nextDouble() < 0.15;
                variant = flash ? "flash-filling" : slow ? "slow-filling" : "typical";
                double centerNc = u(rng, 35, 45);
                if (flash) {
                    looks.put(Phase.NON_CONTRAST, LesionLook.of(centerNc, Double.NaN, Double.NaN, 2));
                    looks.put(Phase.AP, LesionLook.of(clamp(aortaAp * u(rng, 0.55, 0.8), 180, 300), Double.NaN, Double.NaN, 6));
                    looks.put(Phase.PVP, LesionLook.of(u(rng, 150, 190), Double.NaN, Double.NaN, 5));
                    looks.put(Phase.DELAYED, LesionLook.of(u(rng, 120, 150), Double.NaN, Double.NaN, 4));
                } else {
                    int count = slow ? 2 + rng.nextInt(2) : 5 + rng.nextInt(6);
                    nodules = new double[count][];
                    double start = rng.nextDouble() * 2 * Math.PI;
                    for (int i = 0; i < count; i++) {
                        double theta = start + 2 * Math.PI * (i + u(rng, -0.25, 0.25)) / count;
                        nodules[i] = new double[] {theta, u(rng, -0.3, 0.3), u(rng, 0.15, 0.28)};
                    }
                    double nodAp = clamp(aortaAp * u(rng, 0.75, 0.95), 200, 350);
                    double centerAp = u(rng, 40, 55);
                    double fillPvp = slow ? u(rng, 0.05, 0.15) : u(rng, 0.25, 0.5);
                    double growPvp = slow ? u(rng, 1.1, 1.3) : u(rng, 1.6, 2.2);
                    double tex = u(rng, 3, 6);
                    looks.put(Phase.NON_CONTRAST, new LesionLook(centerNc, centerNc, Double.NaN, 2, 1, 0));
                    looks.put(Phase.AP, new LesionLook(nodAp, centerAp, Double.NaN, tex, 1, 0));
                    looks.put(Phase.PVP, new LesionLook(u(rng, 150, 200), u(rng, 45, 70), Double.NaN, tex, growPvp, fillPvp));
                    looks.put(Phase.DELAYED, new LesionLook(u(rng, 110, 150), u(rng, 60, 90), Double.NaN, tex,
                            growPvp * u(rng, 1.3, 1.6), Math.min(1, fillPvp + u(rng, 0.3, 0.5))));
                }
            }
            case CYST -> {
                lobes = Lobulation.NONE;
                axes = new double[] {r * u(rng, 0.92, 1.08), r * u(rng, 0.92, 1.08), r * u(rng, 0.9, 1.1)};
                edge = 0.4;
                boolean complicated = rng.nextDouble() < 0.08;
                variant = complicated ? "complicated" : "typical";
                double fluid = complicated ? u(rng, 20, 35) : u(rng, 0, 20);
                double tex = complicated ? 3 : 0;
                looks.put(Phase.NON_CONTRAST, LesionLook.of(fluid, Double.NaN, Double.NaN, tex));
                for (Phase p : new Phase[] {Phase.AP, Phase.PVP, Phase.DELAYED}) {
                    double v = complicated ? fluid + u(rng, -2, 3) : clamp(fluid + u(rng, -2, 3), 0, 20);
                    looks.put(p, LesionLook.of(v, Double.NaN, Double.NaN, tex));
                }
            }
            default -> throw new IllegalStateException();
        }
        looks.put(Phase.UNKNOWN, looks.get(Phase.NON_CONTRAST));
        return new Lesion(id, c, variant, center, axes, rotation, lobes, edge, looks, rim, centerFraction, capsule, feature,
                spokes, nodules, textureSeed, ducts);
    }

    static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : Math.min(v, hi);
    }
}
