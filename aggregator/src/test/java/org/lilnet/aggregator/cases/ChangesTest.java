package org.lilnet.aggregator.cases;

import org.junit.jupiter.api.Test;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Phase;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a new version of a diagnosis says changed. */
class ChangesTest {

    private static DiagnosisSummary summary(int version, int revision, DiagnosisStatus status, Map<Phase, Integer> slices, String malignancy,
                                            String subtype, int lesions) {
        return new DiagnosisSummary(version, revision, status, List.copyOf(slices.keySet().stream().sorted().toList()), slices, malignancy,
                subtype, lesions, 0);
    }

    @Test
    void aLatePhaseThatChangesTheResult() {
        DiagnosisSummary before = summary(1, 1, DiagnosisStatus.SINGLE_PHASE, Map.of(Phase.AP, 48), "benign", "FNH", 1);
        DiagnosisSummary after = summary(2, 2, DiagnosisStatus.COMPLETE, Map.of(Phase.AP, 48, Phase.PVP, 50), "malignant", "HCC", 2);
        assertThat(Changes.between(before, after))
                .isEqualTo("portal venous phase arrived; status SINGLE_PHASE -> COMPLETE; malignancy benign -> malignant; subtype FNH -> HCC; lesions 1 -> 2");
    }

    @Test
    void lateInstancesOfAPhaseAndAnUnchangedResult() {
        DiagnosisSummary before = summary(1, 1, DiagnosisStatus.COMPLETE, Map.of(Phase.AP, 48, Phase.PVP, 48), "malignant", "HCC", 2);
        assertThat(Changes.between(before, summary(2, 2, DiagnosisStatus.COMPLETE, Map.of(Phase.AP, 60, Phase.PVP, 48), "malignant", "HCC", 2)))
                .isEqualTo("arterial phase 48 -> 60 slices");
        assertThat(Changes.between(before, summary(2, 2, DiagnosisStatus.COMPLETE, Map.of(Phase.AP, 48, Phase.PVP, 48), "malignant", "HCC", 2)))
                .isEqualTo("case revision 2 (instances received later) processed again; result unchanged");
        assertThat(Changes.between(before, summary(2, 2, DiagnosisStatus.NO_LESION, Map.of(Phase.AP, 48), null, null, 0)))
                .isEqualTo("portal venous phase no longer present; status COMPLETE -> NO_LESION; malignancy malignant -> none; "
                        + "subtype HCC -> none; lesions 2 -> 0");
    }
}
