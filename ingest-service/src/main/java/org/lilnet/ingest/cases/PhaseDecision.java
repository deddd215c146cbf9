package org.lilnet.ingest.cases;

import org.lilnet.events.Phase;

/**
 * The phase recognised for a series, and whether it is processed.
 *
 * @param phase      AP or PVP for processed series; NON_CONTRAST, DELAYED or UNKNOWN otherwise
 * @param skipReason null when the series goes to the detector; else LOCALIZER, PROJECTION, NON_CONTRAST, DELAYED or
 *                   UNKNOWN_PHASE
 * @param evidence   why, for people: "description 'ART 1.25mm' (arterial)", "acquired 27 s after contrast start"
 */
public record PhaseDecision(Phase phase, String skipReason, String evidence) {

    public boolean processed() {
        return skipReason == null;
    }

    static PhaseDecision processed(Phase phase, String evidence) {
        return new PhaseDecision(phase, null, evidence);
    }

    static PhaseDecision skipped(Phase phase, String reason, String evidence) {
        return new PhaseDecision(phase, reason, evidence);
    }
}
