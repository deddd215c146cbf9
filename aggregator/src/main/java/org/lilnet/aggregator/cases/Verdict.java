package org.lilnet.aggregator.cases;

import org.lilnet.events.DiagnosisStatus;

/** What a case calls for at a given moment. */
public sealed interface Verdict {

    /** Nothing to emit; look again at {@code until} (wall clock, ms), or when the next event comes ({@link Long#MAX_VALUE}). */
    record Wait(long until) implements Verdict {
    }

    /**
     * Emit a diagnosis.
     *
     * @param closesRevision every chunk is in: the revision is done (a timeout report does not close it)
     */
    record Diagnose(DiagnosisStatus status, String reason, boolean closesRevision) implements Verdict {
    }
}
