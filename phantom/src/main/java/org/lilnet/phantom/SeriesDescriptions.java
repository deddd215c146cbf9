package org.lilnet.phantom;

import org.lilnet.events.Phase;

import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * SeriesDescription as sites write it: English words, abbreviations, Chinese, with or without the thickness, and
 * sometimes nothing useful at all (then only the contrast timing tells the phase).
 */
final class SeriesDescriptions {

    private static final List<String> ARTERIAL = List.of("ART", "Arterial Phase %smm", "AP", "动脉期", "ART %smm", "Arterial",
            "%s ART", "Liver Arterial %s", "动脉期 %smm", "A-phase %s");
    private static final List<String> PORTAL = List.of("PV", "Portal Venous", "门脉期", "静脉期", "%s PVP", "PORTAL %smm",
            "Venous Phase %s", "PVP", "门静脉期 %smm", "PV %smm");
    private static final List<String> PLAIN = List.of("Non-contrast", "Plain", "平扫", "NC %smm", "Pre-contrast", "WO %s", "平扫 %smm");
    private static final List<String> DELAYED = List.of("Delayed", "延迟期", "DELAY %smm", "Equilibrium", "DL 3min %s");
    private static final List<String> UNINFORMATIVE = List.of("Abdomen %s B30f", "Body %s STND", "Recon 2", "", "Liver %s", "腹部 %smm");

    private SeriesDescriptions() {
    }

    /**
     * A description for a series of the phase; the empty string means the attribute is left out. Without
     * {@code allowUninformative} it always names the phase (used when the header has no contrast timing).
     */
    static String draw(RandomGenerator rng, Phase phase, double thicknessMm, boolean allowUninformative) {
        boolean uninformative = rng.nextDouble() < 0.12;
        List<String> forms = uninformative && allowUninformative ? UNINFORMATIVE : switch (phase) {
            case AP -> ARTERIAL;
            case PVP -> PORTAL;
            case NON_CONTRAST -> PLAIN;
            case DELAYED -> DELAYED;
            default -> UNINFORMATIVE;
        };
        String form = forms.get(rng.nextInt(forms.size()));
        return form.contains("%s") ? form.formatted(thickness(thicknessMm)) : form;
    }

    static String thickness(double mm) {
        return Math.abs(mm - Math.rint(mm)) < 1e-6 ? String.format(Locale.ROOT, "%.1f", mm) : String.format(Locale.ROOT, "%.2f", mm).replaceAll("0$", "");
    }
}
