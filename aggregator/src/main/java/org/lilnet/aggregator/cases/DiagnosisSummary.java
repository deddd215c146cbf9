package org.lilnet.aggregator.cases;

import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Phase;

import java.util.List;
import java.util.Map;

/**
 * What the case's last diagnosis said, kept to number the next one and to say what changed.
 *
 * @param phases        phases the revision listed
 * @param slicesByPhase slices per listed phase
 * @param emittedAt     wall-clock time it was produced
 */
public record DiagnosisSummary(int version, int revision, DiagnosisStatus status, List<Phase> phases, Map<Phase, Integer> slicesByPhase,
                               String malignancy, String subtype, int lesionCount, long emittedAt) {

    public DiagnosisSummary {
        phases = List.copyOf(phases);
        slicesByPhase = Map.copyOf(slicesByPhase);
    }
}
