package org.lilnet.aggregator.cases;

import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Phase;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What changed between two diagnoses of a case, in words: "portal venous phase arrived; malignancy benign -> malignant". */
final class Changes {

    private Changes() {
    }

    static String between(DiagnosisSummary before, DiagnosisSummary now) {
        List<String> parts = new ArrayList<>();
        if (before.revision() == now.revision() && before.status() == DiagnosisStatus.FAILED) {
            parts.add("the missing chunks arrived after the case timeout");
        }
        for (Phase phase : List.of(Phase.AP, Phase.PVP)) {
            boolean had = before.phases().contains(phase);
            boolean has = now.phases().contains(phase);
            String name = PhaseNames.of(phase) + " phase";
            if (!had && has) {
                parts.add(name + " arrived");
            } else if (had && !has) {
                parts.add(name + " no longer present");
            } else if (had && !Objects.equals(before.slicesByPhase().get(phase), now.slicesByPhase().get(phase))) {
                parts.add(name + " " + before.slicesByPhase().get(phase) + " -> " + now.slicesByPhase().get(phase) + " slices");
            }
        }
        if (before.status() != now.status()) {
            parts.add("status " + before.status() + " -> " + now.status());
        }
        if (!Objects.equals(before.malignancy(), now.malignancy())) {
            parts.add("malignancy " + text(before.malignancy()) + " -> " + text(now.malignancy()));
        }
        if (!Objects.equals(before.subtype(), now.subtype())) {
            parts.add("subtype " + text(before.subtype()) + " -> " + text(now.subtype()));
        }
        if (before.lesionCount() != now.lesionCount()) {
            parts.add("lesions " + before.lesionCount() + " -> " + now.lesionCount());
        }
        if (parts.isEmpty()) {
            return "case revision " + now.revision() + " (instances received later) processed again; result unchanged";
        }
        return String.join("; ", parts);
    }

    private static String text(String value) {
        return value == null ? "none" : value;
    }
}
