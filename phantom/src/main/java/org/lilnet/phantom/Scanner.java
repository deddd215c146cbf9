package org.lilnet.phantom;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The scanner a study came from, with the way its vendor stores pixels: GE writes signed 16-bit values, Siemens
 * and Philips unsigned 12-bit with intercept -1024, United Imaging unsigned 16-bit.
 */
record Scanner(String manufacturer, String model, String kernel, String software, boolean signed, int bitsStored,
               double intercept, double slope) {

    static Scanner draw(RandomGenerator rng) {
        return switch (rng.nextInt(4)) {
            case 0 -> new Scanner("GE MEDICAL SYSTEMS", pick(rng, List.of("Revolution CT", "Discovery CT750 HD", "LightSpeed VCT", "Optima CT660")),
                    "STANDARD", "gmp_vct.44", true, 16, rng.nextDouble() < 0.3 ? 0 : -1024, 1);
            case 1 -> new Scanner("SIEMENS", pick(rng, List.of("SOMATOM Definition AS+", "SOMATOM Force", "SOMATOM go.Top")),
                    pick(rng, List.of("B30f", "Br40d", "I30f\\3")), "syngo CT VA48A", false, 12, -1024, 1);
            case 2 -> new Scanner("Philips", pick(rng, List.of("Brilliance 64", "IQon - Spectral CT", "Ingenuity CT")),
                    pick(rng, List.of("B", "C")), "4.1.6", false, 12, -1024, 1);
            default -> new Scanner("UIH", pick(rng, List.of("uCT 760", "uCT 960+", "uCT 530")), "B_SOFT_B", "R002", false, 16, -1024, 1);
        };
    }

    /** Stored value of a Hounsfield value in this scanner's representation (clamped to what it can store). */
    int stored(double hu) {
        long v = Math.round((hu - intercept) / slope);
        long lo = signed ? -(1L << (bitsStored - 1)) : 0;
        long hi = signed ? (1L << (bitsStored - 1)) - 1 : (1L << bitsStored) - 1;
        return (int) Math.max(lo, Math.min(hi, v));
    }

    static <T> T pick(RandomGenerator rng, List<T> options) {
        return options.get(rng.nextInt(options.size()));
    }
}
