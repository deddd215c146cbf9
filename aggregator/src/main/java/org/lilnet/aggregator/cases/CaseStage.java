package org.lilnet.aggregator.cases;

/** Where a case stands, for the open-cases metric and the timers. */
public enum CaseStage {
    /** Chunks arrived for a revision whose StudyArrived has not been seen. */
    AWAITING_STUDY,
    /** Chunks of the latest revision are missing. */
    COLLECTING,
    /** Every chunk of a one-phase revision is in; waiting for the other phase during the grace period. */
    AWAITING_PHASE,
    /** Reported FAILED after the timeout; a late chunk can still complete it. */
    TIMED_OUT,
    /** The latest revision has its diagnosis; kept for the retention period. */
    DIAGNOSED;

    public boolean open() {
        return this != DIAGNOSED;
    }
}
