package org.lilnet.ingest.cases;

import org.lilnet.events.Phase;

import java.text.Normalizer;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Recognises the contrast phase of a CT series from its header, in this order:
 * <ol>
 *   <li>localizers (ImageType LOCALIZER, or a description such as "Scout", "Topogram", "定位") and projections
 *   (MIP, MinIP, VR) are skipped;</li>
 *   <li>the SeriesDescription, when it names exactly one phase: English words and abbreviations (arterial, ART, AP,
 *   HAP, portal, venous, PV, PVP, delayed, equilibrium, non-contrast, plain, NC, w/o, ...), Chinese and Japanese
 *   (动脉, 门脉, 门静脉, 静脉, 延迟, 平扫, 動脈, 門脈, ...). What technologists name the series is more reliable than the
 *   clocks: the description wins over the timing, and a disagreement is noted in the evidence;</li>
 *   <li>the acquisition time after ContrastBolusStartTime: before it non-contrast, {@value #AP_FROM_S}-{@value #PVP_FROM_S}
 *   s arterial (typical 25-35 s), {@value #PVP_FROM_S}-{@value #DELAYED_FROM_S} s portal venous (typical 60-90 s),
 *   later delayed;</li>
 *   <li>a ContrastBolusAgent of "none" means non-contrast; otherwise the phase is unknown and the series is skipped.</li>
 * </ol>
 * Words are matched whole ("CAP", chest-abdomen-pelvis, is not "AP"; "A/P", abdomen-pelvis, neither); letters and
 * digits are split ("5.0PVP" holds "PVP"); full-width characters are folded (NFKC).
 */
public final class PhaseRecognizer {

    /** Arterial from this many seconds after the contrast start. */
    public static final int AP_FROM_S = 15;
    /** Portal venous from this many seconds. */
    public static final int PVP_FROM_S = 45;
    /** Delayed from this many seconds. */
    public static final int DELAYED_FROM_S = 120;
    /** Beyond this the bolus time belongs to another injection or a wrong clock. */
    public static final Duration PLAUSIBLE = Duration.ofHours(2);

    enum Category { LOCALIZER, PROJECTION, DELAYED, NON_CONTRAST, AP, PVP, CONTRAST }

    private record Words(Category category, List<String> tokens) {
    }

    private record Ideograms(Category category, String text) {
    }

    private static final List<Words> WORDS = new ArrayList<>();
    private static final List<Ideograms> IDEOGRAMS = new ArrayList<>();

    private static void words(Category c, String... phrases) {
        for (String p : phrases) {
            WORDS.add(new Words(c, List.of(p.split(" "))));
        }
    }

    private static void ideograms(Category c, String... texts) {
        for (String t : texts) {
            IDEOGRAMS.add(new Ideograms(c, t));
        }
    }

    static {
        words(Category.LOCALIZER, "scout", "scouts", "topogram", "topo", "surview", "localizer", "localiser", "locator", "scanogram",
                "pilot", "survey", "scano");
        ideograms(Category.LOCALIZER, "定位");
        words(Category.PROJECTION, "mip", "minip", "mpvr", "vr", "vrt", "3 d", "volume rendering");
        ideograms(Category.PROJECTION, "最大密度投影", "容积再现");
        words(Category.DELAYED, "delay", "delayed", "delays", "dly", "equilibrium", "equil", "eq", "dp", "dl", "hbp", "hepatobiliary",
                "excretory", "late phase", "3 min", "5 min", "10 min");
        ideograms(Category.DELAYED, "延迟", "延时", "平衡期", "排泄期", "遅延", "平衡相");
        words(Category.NON_CONTRAST, "nc", "ncct", "noncontrast", "non contrast", "noncon", "non con", "nonenhanced", "non enhanced",
                "unenhanced", "plain", "native", "nativ", "precontrast", "pre contrast", "pre", "w o", "wo", "without contrast",
                "no contrast", "sans", "leer");
        ideograms(Category.NON_CONTRAST, "平扫", "平掃", "非增强", "未增强", "単純");
        words(Category.AP, "arterial", "art", "arterielle", "arteriell", "arteriel", "arteria", "ap", "hap", "lap", "eap",
                "arterial phase", "late arterial", "early arterial", "a phase");
        ideograms(Category.AP, "动脉", "動脈");
        words(Category.PVP, "portal", "portalvenous", "portovenous", "porto venous", "venous", "venos", "venose", "pv", "pvp", "vp",
                "ven", "portale", "portal venous", "v phase", "pv phase", "p phase");
        ideograms(Category.PVP, "门脉", "门静脉", "静脉", "門脈", "靜脈", "静脈", "門靜脈");
        words(Category.CONTRAST, "c", "ce", "cect", "contrast", "enhanced", "kontrast", "km", "iv");
        ideograms(Category.CONTRAST, "增强", "造影");
    }

    private static final Set<String> NO_AGENT = Set.of("none", "no", "n/a", "na", "nil", "无", "無", "0");

    /** The decision for one series. */
    public PhaseDecision recognize(SeriesFacts facts) {
        String description = facts.description() == null ? "" : facts.description().strip();
        String quoted = description.isEmpty() ? "no description" : "description '" + description + "'";
        EnumSet<Category> named = categories(description);

        if (facts.imageType().contains("LOCALIZER") || named.contains(Category.LOCALIZER)) {
            return PhaseDecision.skipped(Phase.UNKNOWN, "LOCALIZER", facts.imageType().contains("LOCALIZER")
                    ? "ImageType " + String.join("\\", facts.imageType()) : quoted + " names a localizer");
        }
        if (facts.imageType().contains("MIP") || facts.imageType().contains("MINIP") || facts.imageType().contains("PROJECTION IMAGE")
                || named.contains(Category.PROJECTION)) {
            return PhaseDecision.skipped(Phase.UNKNOWN, "PROJECTION", quoted + " / ImageType " + String.join("\\", facts.imageType())
                    + ": a projection (MIP, VR), not slices");
        }

        Timing timing = Timing.of(facts);
        EnumSet<Category> phases = EnumSet.copyOf(named);
        phases.retainAll(EnumSet.of(Category.DELAYED, Category.NON_CONTRAST, Category.AP, Category.PVP));
        if (phases.size() == 1) {
            Category c = phases.iterator().next();
            Phase phase = phaseOf(c);
            String evidence = quoted + " (" + words(phase) + ")";
            if (timing.phase != null && timing.phase != phase) {
                evidence += "; timing " + timing.describe() + " would say " + words(timing.phase);
            }
            return decide(phase, evidence);
        }
        String conflict = phases.size() > 1 ? quoted + " names several phases; " : "";
        if (timing.phase != null) {
            return decide(timing.phase, conflict + timing.describe());
        }
        if (timing.explanation != null) {
            return PhaseDecision.skipped(Phase.UNKNOWN, "UNKNOWN_PHASE", conflict + timing.explanation);
        }
        String agent = facts.contrastAgent() == null ? null : facts.contrastAgent().strip().toLowerCase(Locale.ROOT);
        if (agent != null && NO_AGENT.contains(agent) && phases.isEmpty()) {
            return decide(Phase.NON_CONTRAST, "ContrastBolusAgent '" + facts.contrastAgent() + "'");
        }
        String contrast = agent != null ? "ContrastBolusAgent '" + facts.contrastAgent() + "' but no"
                : named.contains(Category.CONTRAST) ? quoted + " says contrast but no" : quoted + ", no contrast agent and no";
        return PhaseDecision.skipped(Phase.UNKNOWN, "UNKNOWN_PHASE", conflict + (phases.size() > 1 ? "no" : contrast)
                + " contrast timing (ContrastBolusStartTime and AcquisitionTime)");
    }

    private static PhaseDecision decide(Phase phase, String evidence) {
        return switch (phase) {
            case AP, PVP -> PhaseDecision.processed(phase, evidence);
            case NON_CONTRAST -> PhaseDecision.skipped(phase, "NON_CONTRAST", evidence);
            case DELAYED -> PhaseDecision.skipped(phase, "DELAYED", evidence);
            default -> PhaseDecision.skipped(Phase.UNKNOWN, "UNKNOWN_PHASE", evidence);
        };
    }

    private static Phase phaseOf(Category c) {
        return switch (c) {
            case AP -> Phase.AP;
            case PVP -> Phase.PVP;
            case DELAYED -> Phase.DELAYED;
            case NON_CONTRAST -> Phase.NON_CONTRAST;
            default -> Phase.UNKNOWN;
        };
    }

    private static String words(Phase phase) {
        return switch (phase) {
            case AP -> "arterial";
            case PVP -> "portal venous";
            case DELAYED -> "delayed";
            case NON_CONTRAST -> "non-contrast";
            default -> "unknown";
        };
    }

    /** Categories the description names, by whole words (tokens) and by ideogram substrings. */
    static EnumSet<Category> categories(String description) {
        EnumSet<Category> found = EnumSet.noneOf(Category.class);
        if (description == null || description.isBlank()) {
            return found;
        }
        String folded = Normalizer.normalize(description, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        List<String> tokens = tokens(folded);
        for (Words w : WORDS) {
            if (containsPhrase(tokens, w.tokens())) {
                found.add(w.category());
            }
        }
        for (Ideograms i : IDEOGRAMS) {
            if (folded.contains(i.text())) {
                found.add(i.category());
            }
        }
        // "门静脉" holds "静脉": both say portal venous; "动静脉" (arteriovenous) is not a phase
        if (folded.contains("动静脉") || folded.contains("動靜脈")) {
            found.remove(Category.AP);
            found.remove(Category.PVP);
        }
        return found;
    }

    /** Words and numbers: split on anything else and between letters and digits ("5.0pvp" -> 5, 0, pvp). */
    static List<String> tokens(String folded) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int kind = 0; // 1 letter, 2 digit
        for (int i = 0; i < folded.length(); ) {
            int cp = folded.codePointAt(i);
            int k = Character.isLetter(cp) ? 1 : Character.isDigit(cp) ? 2 : 0;
            if (k == 0 || k != kind) {
                if (current.length() > 0) {
                    out.add(current.toString());
                    current.setLength(0);
                }
            }
            if (k != 0) {
                current.appendCodePoint(cp);
            }
            kind = k;
            i += Character.charCount(cp);
        }
        if (current.length() > 0) {
            out.add(current.toString());
        }
        return out;
    }

    private static boolean containsPhrase(List<String> tokens, List<String> phrase) {
        for (int i = 0; i + phrase.size() <= tokens.size(); i++) {
            if (tokens.subList(i, i + phrase.size()).equals(phrase)) {
                return true;
            }
        }
        return false;
    }

    /** The phase the clocks suggest, or why they suggest none. */
    private record Timing(Phase phase, long seconds, String explanation) {

        static Timing of(SeriesFacts facts) {
            LocalTime start = facts.contrastStart();
            LocalTime acquired = facts.acquisitionStart();
            if (start == null || acquired == null) {
                return new Timing(null, 0, null);
            }
            long seconds = Duration.between(start, acquired).toSeconds();
            if (seconds < -12 * 3600) {
                seconds += 24 * 3600; // acquired after midnight, contrast before
            } else if (seconds > 12 * 3600) {
                seconds -= 24 * 3600;
            }
            if (seconds < 0) {
                return new Timing(Phase.NON_CONTRAST, seconds, null);
            }
            if (seconds < AP_FROM_S) {
                return new Timing(null, seconds, "acquired " + seconds + " s after contrast start: too early for the arterial phase");
            }
            if (seconds < PVP_FROM_S) {
                return new Timing(Phase.AP, seconds, null);
            }
            if (seconds < DELAYED_FROM_S) {
                return new Timing(Phase.PVP, seconds, null);
            }
            if (seconds <= PLAUSIBLE.toSeconds()) {
                return new Timing(Phase.DELAYED, seconds, null);
            }
            return new Timing(null, seconds, "acquired " + seconds + " s after ContrastBolusStartTime: implausible, ignored");
        }

        String describe() {
            return seconds < 0 ? "acquired " + (-seconds) + " s before contrast start" : "acquired " + seconds + " s after contrast start";
        }
    }
}
