package org.lilnet.phantom;

import org.lilnet.events.Phase;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What the generator makes of each study. Defaults keep tests fast (40 slices per series at 5 mm) and follow the
 * paper's class mix; every study has an arterial and a portal venous series, sometimes also a non-contrast and a
 * delayed one and a localizer.
 *
 * @param slicesPerSeries     axial slices per series
 * @param thicknessMinMm      smallest slice thickness drawn, mm; NaN: chosen so that the series covers the liver
 * @param thicknessMaxMm      largest slice thickness drawn, mm; NaN with thicknessMinMm
 * @param classMix            how often each class is the patient's class
 * @param phases              axial series always present (in scan order: NON_CONTRAST, AP, PVP, DELAYED)
 * @param randomExtraPhases   true: also a non-contrast (35%) and a delayed series (25%) at random
 * @param localizerProbability probability of a localizer (scout) image in the study
 * @param lesionCountMin      fewest lesions per patient; 0: by class (MET and CYST often several)
 * @param lesionCountMax      most lesions per patient; 0: by class
 * @param lesionSizeMinMm     smallest lesion diameter, mm; 0: by class (0.5-8 cm overall)
 * @param lesionSizeMaxMm     largest lesion diameter, mm; 0: by class
 * @param noiseScale          multiplies the image noise (1: sigma 8-20 HU as on real scanners; 0: none, for tests)
 */
public record PhantomOptions(int slicesPerSeries, double thicknessMinMm, double thicknessMaxMm, ClassMix classMix,
                             Set<Phase> phases, boolean randomExtraPhases, double localizerProbability,
                             int lesionCountMin, int lesionCountMax, double lesionSizeMinMm, double lesionSizeMaxMm,
                             double noiseScale) {

    public static final int DEFAULT_SLICES_PER_SERIES = 40;

    public PhantomOptions {
        if (slicesPerSeries < 4 || slicesPerSeries > 4000) {
            throw new IllegalArgumentException("slices per series must be 4..4000, not " + slicesPerSeries);
        }
        if (Double.isNaN(thicknessMinMm) != Double.isNaN(thicknessMaxMm)) {
            throw new IllegalArgumentException("give both slice thickness bounds or none");
        }
        if (!Double.isNaN(thicknessMinMm) && !(thicknessMinMm >= 0.5 && thicknessMaxMm >= thicknessMinMm && thicknessMaxMm <= 10)) {
            throw new IllegalArgumentException("slice thickness range must be within 0.5..10 mm: " + thicknessMinMm + ".." + thicknessMaxMm);
        }
        phases = phases.isEmpty() ? EnumSet.noneOf(Phase.class) : EnumSet.copyOf(phases);
        if (phases.isEmpty() || phases.contains(Phase.UNKNOWN)) {
            throw new IllegalArgumentException("phases must be some of NON_CONTRAST, AP, PVP, DELAYED: " + phases);
        }
        if (localizerProbability < 0 || localizerProbability > 1) {
            throw new IllegalArgumentException("localizer probability must be 0..1");
        }
        if (lesionCountMin < 0 || lesionCountMax < lesionCountMin || lesionCountMax > 12) {
            throw new IllegalArgumentException("lesion count range must be within 0..12: " + lesionCountMin + ".." + lesionCountMax);
        }
        if (lesionSizeMinMm < 0 || lesionSizeMaxMm < lesionSizeMinMm || lesionSizeMaxMm > 100) {
            throw new IllegalArgumentException("lesion size range must be within 0..100 mm: " + lesionSizeMinMm + ".." + lesionSizeMaxMm);
        }
        if (noiseScale < 0 || noiseScale > 5) {
            throw new IllegalArgumentException("noise scale must be 0..5");
        }
    }

    public static PhantomOptions defaults() {
        return new PhantomOptions(DEFAULT_SLICES_PER_SERIES, Double.NaN, Double.NaN, ClassMix.PAPER,
                EnumSet.of(Phase.AP, Phase.PVP), true, 0.3, 0, 0, 0, 0, 1.0);
    }

    public PhantomOptions withSlicesPerSeries(int n) {
        return new PhantomOptions(n, thicknessMinMm, thicknessMaxMm, classMix, phases, randomExtraPhases, localizerProbability,
                lesionCountMin, lesionCountMax, lesionSizeMinMm, lesionSizeMaxMm, noiseScale);
    }

    public PhantomOptions withThickness(double minMm, double maxMm) {
        return new PhantomOptions(slicesPerSeries, minMm, maxMm, classMix, phases, randomExtraPhases, localizerProbability,
                lesionCountMin, lesionCountMax, lesionSizeMinMm, lesionSizeMaxMm, noiseScale);
    }

    public PhantomOptions withClassMix(ClassMix mix) {
        return new PhantomOptions(slicesPerSeries, thicknessMinMm, thicknessMaxMm, mix, phases, randomExtraPhases, localizerProbability,
                lesionCountMin, lesionCountMax, lesionSizeMinMm, lesionSizeMaxMm, noiseScale);
    }

    /** Exactly these axial phases, no random extras. */
    public PhantomOptions withPhases(Set<Phase> exactly) {
        return new PhantomOptions(slicesPerSeries, thicknessMinMm, thicknessMaxMm, classMix, exactly, false, localizerProbability,
                lesionCountMin, lesionCountMax, lesionSizeMinMm, lesionSizeMaxMm, noiseScale);
    }

    public PhantomOptions withRandomExtraPhases(boolean extras) {
        return new PhantomOptions(slicesPerSeries, thicknessMinMm, thicknessMaxMm, classMix, phases, extras, localizerProbability,
                lesionCountMin, lesionCountMax, lesionSizeMinMm, lesionSizeMaxMm, noiseScale);
    }

    public PhantomOptions withLocalizerProbability(double p) {
        return new PhantomOptions(slicesPerSeries, thicknessMinMm, thicknessMaxMm, classMix, phases, randomExtraPhases, p,
                lesionCountMin, lesionCountMax, lesionSizeMinMm, lesionSizeMaxMm, noiseScale);
    }

    public PhantomOptions withLesionCount(int min, int max) {
        return new PhantomOptions(slicesPerSeries, thicknessMinMm, thicknessMaxMm, classMix, phases, randomExtraPhases, localizerProbability,
                min, max, lesionSizeMinMm, lesionSizeMaxMm, noiseScale);
    }

    public PhantomOptions withLesionSize(double minMm, double maxMm) {
        return new PhantomOptions(slicesPerSeries, thicknessMinMm, thicknessMaxMm, classMix, phases, randomExtraPhases, localizerProbability,
                lesionCountMin, lesionCountMax, minMm, maxMm, noiseScale);
    }

    public PhantomOptions withNoiseScale(double scale) {
        return new PhantomOptions(slicesPerSeries, thicknessMinMm, thicknessMaxMm, classMix, phases, randomExtraPhases, localizerProbability,
                lesionCountMin, lesionCountMax, lesionSizeMinMm, lesionSizeMaxMm, scale);
    }

    /** Parses "AP,PVP" (also "arterial", "portal", "nc", "delayed" spellings). */
    public static Set<Phase> parsePhases(String text) {
        Set<Phase> phases = EnumSet.noneOf(Phase.class);
        for (String part : text.split(",")) {
            String p = part.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            phases.add(switch (p) {
                case "AP", "ART", "ARTERIAL" -> Phase.AP;
                case "PVP", "PV", "PORTAL", "VENOUS" -> Phase.PVP;
                case "NC", "NON_CONTRAST", "PLAIN" -> Phase.NON_CONTRAST;
                case "DELAYED", "DL", "DELAY" -> Phase.DELAYED;
                default -> throw new IllegalArgumentException("unknown phase '" + part.trim() + "' (AP, PVP, NON_CONTRAST, DELAYED)");
            });
        }
        return phases;
    }
}
