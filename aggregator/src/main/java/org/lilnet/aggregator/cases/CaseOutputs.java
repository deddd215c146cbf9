package org.lilnet.aggregator.cases;

import org.lilnet.events.Diagnosis;

/** What {@link CaseFusion} hands out: diagnoses, dead letters, and what happened to each input (for the metrics). */
public interface CaseOutputs {

    /** What became of an input. */
    enum InputOutcome {
        /** A StudyArrived opened a newer revision. */
        STUDY_OPENED,
        /** A StudyArrived of a revision already open (ignored). */
        STUDY_DUPLICATE,
        /** A StudyArrived older than the open revision (ignored). */
        STUDY_STALE,
        /** An expected chunk, recorded. */
        CHUNK_ACCEPTED,
        /** A chunk already recorded for its revision (ignored). */
        CHUNK_DUPLICATE,
        /** A chunk of a superseded revision (ignored: revisions are never mixed). */
        CHUNK_STALE,
        /** A chunk that came before its StudyArrived, kept until it comes. */
        CHUNK_EARLY,
        /** A chunk the revision does not expect (dead-lettered). */
        CHUNK_UNEXPECTED
    }

    void diagnosis(Diagnosis diagnosis);

    /** Something that cannot be used; {@code source} says where the original is (may be null). */
    void deadLetter(String caseId, SourceRef source, String reasonCode, String detail);

    void input(InputOutcome outcome);
}
