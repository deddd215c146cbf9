package org.lilnet.launcher.pipeline;

import org.lilnet.events.Diagnosis;
import org.lilnet.events.Lesion;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** A diagnosis in words, one line (and its notes), as {@code lilnet run} prints it. */
public final class DiagnosisText {

    private static final int LESIONS_SHOWN = 3;

    private DiagnosisText() {
    }

    /** Seconds from the study's last instance to the diagnosis, as the pipeline measured it; NaN when unknown. */
    public static double secondsToDiagnosis(Diagnosis d) {
        Long total = d.getTimingsMillis().get("total.lastInstanceToDiagnosis");
        if (total != null) {
            return total / 1000.0;
        }
        return d.getLastInstanceAt() == null ? Double.NaN : (d.getProducedAt().toEpochMilli() - d.getLastInstanceAt().toEpochMilli()) / 1000.0;
    }

    /** The case as people name it: patient id and the end of the case id (a StudyInstanceUID). */
    public static String caseName(Diagnosis d) {
        String id = d.getCaseId();
        String tail = id.length() > 14 ? "..." + id.substring(id.length() - 11) : id;
        return (d.getPatientId() == null ? "?" : d.getPatientId()) + " (case " + tail + ")";
    }

    /** Benign/malignant and subtype with their probabilities, or the status when there is no result. */
    public static String result(Diagnosis d) {
        if (d.getMalignancy() == null) {
            return "no result";
        }
        String text = String.format(Locale.ROOT, "%s %.2f", d.getMalignancy(), d.getMalignancyProbability());
        if (d.getSubtype() != null) {
            text += String.format(Locale.ROOT, ", %s %.2f", d.getSubtype(), d.getSubtypeProbability());
        }
        return text;
    }

    /** Lesions by size, largest first: "2 lesions: 32 mm (AP), 30 mm (PVP)". */
    public static String lesions(Diagnosis d) {
        List<Lesion> sorted = new ArrayList<>(d.getLesions());
        if (sorted.isEmpty()) {
            return "no lesion";
        }
        sorted.sort(Comparator.comparingDouble(Lesion::getSizeMm).reversed());
        List<String> shown = new ArrayList<>();
        for (Lesion l : sorted.subList(0, Math.min(LESIONS_SHOWN, sorted.size()))) {
            shown.add(String.format(Locale.ROOT, "%.0f mm (%s)", l.getSizeMm(), l.getPhase()));
        }
        String more = sorted.size() > LESIONS_SHOWN ? " and " + (sorted.size() - LESIONS_SHOWN) + " more" : "";
        return sorted.size() + (sorted.size() == 1 ? " lesion: " : " lesions: ") + String.join(", ", shown) + more;
    }

    /** The whole line, then the status reason and notes indented below it. */
    public static String describe(Diagnosis d) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s v%d %s: %s; %s; %.1f s after the last instance", caseName(d), d.getVersion(),
                d.getStatus(), result(d), lesions(d), secondsToDiagnosis(d)));
        if (d.getStatusReason() != null) {
            out.append("\n      ").append(d.getStatusReason());
        }
        if (d.getRefusedInstances() > 0) {
            out.append("\n      ").append(d.getRefusedInstances()).append(d.getRefusedInstances() == 1 ? " instance" : " instances")
                    .append(" of the study refused at ingest");
        }
        for (String note : d.getNotes()) {
            out.append("\n      note: ").append(note);
        }
        return out.toString();
    }
}
