package org.lilnet.phantom;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * How often each lesion class is the patient's class. Study {@code i} takes its class from a low-discrepancy
 * sequence (golden ratio), so any first N studies follow the mix closely and study i does not depend on N.
 */
public final class ClassMix {

    /** The paper's training set: HCC about 45%, ICC 20%, CYST 11%, HEM 8%, FNH 6%, MET 9%. */
    public static final ClassMix PAPER = of(Map.of(LesionClass.HCC, 45.0, LesionClass.ICC, 20.0, LesionClass.MET, 9.0,
            LesionClass.FNH, 6.0, LesionClass.HEM, 8.0, LesionClass.CYST, 11.0));

    /** Every class equally often. */
    public static final ClassMix BALANCED = of(Map.of(LesionClass.HCC, 1.0, LesionClass.ICC, 1.0, LesionClass.MET, 1.0,
            LesionClass.FNH, 1.0, LesionClass.HEM, 1.0, LesionClass.CYST, 1.0));

    private static final double GOLDEN = (Math.sqrt(5) - 1) / 2;

    private final double[] cumulative = new double[LesionClass.values().length];
    private final String text;

    private ClassMix(Map<LesionClass, Double> weights) {
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        if (!(total > 0) || weights.values().stream().anyMatch(w -> w < 0 || !Double.isFinite(w))) {
            throw new IllegalArgumentException("class weights must be non-negative and not all zero: " + weights);
        }
        double sum = 0;
        StringBuilder description = new StringBuilder();
        for (LesionClass c : LesionClass.values()) {
            double w = weights.getOrDefault(c, 0.0);
            sum += w / total;
            cumulative[c.ordinal()] = sum;
            if (w > 0) {
                description.append(description.isEmpty() ? "" : ",").append(c).append('=').append(String.format(Locale.ROOT, "%.3g", w / total));
            }
        }
        cumulative[cumulative.length - 1] = 1.0;
        text = description.toString();
    }

    public static ClassMix of(Map<LesionClass, Double> weights) {
        return new ClassMix(new EnumMap<>(weights));
    }

    /**
     * Parses "paper", "balanced", a single class ("CYST"), or weights ("HCC=45,ICC=20,MET=9,FNH=6,HEM=8,CYST=11";
     * missing classes get 0).
     */
    public static ClassMix parse(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("paper")) {
            return PAPER;
        }
        if (t.equalsIgnoreCase("balanced")) {
            return BALANCED;
        }
        Map<LesionClass, Double> weights = new EnumMap<>(LesionClass.class);
        for (String part : t.split(",")) {
            String[] kv = part.trim().split("=");
            LesionClass c;
            try {
                c = LesionClass.valueOf(kv[0].trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown lesion class '" + kv[0].trim() + "' in class mix '" + text
                        + "' (classes: " + Arrays.toString(LesionClass.values()) + ", or 'paper' / 'balanced')");
            }
            double w = kv.length > 1 ? Double.parseDouble(kv[1].trim()) : 1.0;
            weights.merge(c, w, Double::sum);
        }
        return of(weights);
    }

    /** Class of study {@code index} under this mix; {@code offset} (from the seed) shifts the sequence. */
    public LesionClass classOf(int index, double offset) {
        double u = (offset + (index + 1) * GOLDEN) % 1.0;
        for (LesionClass c : LesionClass.values()) {
            if (u < cumulative[c.ordinal()]) {
                return c;
            }
        }
        return LesionClass.CYST;
    }

    public double weight(LesionClass c) {
        int i = c.ordinal();
        return cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
    }

    @Override
    public String toString() {
        return text;
    }
}
