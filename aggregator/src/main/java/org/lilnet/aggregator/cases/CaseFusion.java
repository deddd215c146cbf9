package org.lilnet.aggregator.cases;

import org.lilnet.aggregator.cases.CaseOutputs.InputOutcome;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.StudyArrived;

import java.util.List;

/**
 * The aggregator's stage logic, without Kafka: feeds StudyArrived events, chunk predictions and the passing of
 * time into a case's state and emits the diagnoses the rules of {@link CaseState#verdict} call for.
 * <ul>
 *   <li>Revisions are never mixed: a newer StudyArrived drops what came for older revisions; chunks of an older
 *       revision are ignored; chunks of a revision not yet opened are kept until its StudyArrived comes (or dead-lettered
 *       after the case timeout).</li>
 *   <li>A chunk counts once per (series, chunk index); a chunk the revision does not list is dead-lettered; a chunk
 *       whose predictions are unusable counts as failed and is dead-lettered.</li>
 *   <li>Every diagnosis of a case has the next version number and, from version 2, says what changed.</li>
 * </ul>
 */
public final class CaseFusion {

    private final CaseSettings settings;
    private final ChunkArchive archive;
    private final CaseOutputs out;
    private final DiagnosisComposer composer;

    public CaseFusion(CaseSettings settings, ChunkArchive archive, CaseOutputs out) {
        this.settings = settings;
        this.archive = archive;
        this.out = out;
        this.composer = new DiagnosisComposer(settings.lesionRule());
    }

    public CaseSettings settings() {
        return settings;
    }

    public void onStudy(CaseState state, StudyArrived arrived, long now) {
        StudyExpectation current = state.study();
        int revision = arrived.getCaseRevision();
        if (current != null && revision <= current.revision()) {
            out.input(revision == current.revision() ? InputOutcome.STUDY_DUPLICATE : InputOutcome.STUDY_STALE);
            return;
        }
        if (current != null) {
            archive.deleteRevision(state.caseId(), current.revision());
        }
        for (int early : state.pending().keySet()) {
            if (early < revision) {
                archive.deleteRevision(state.caseId(), early);
            }
        }
        boolean chunksCameFirst = state.pending().containsKey(revision);
        state.open(StudyExpectation.from(arrived), now);
        out.input(InputOutcome.STUDY_OPENED);
        if (chunksCameFirst) {
            for (ArrivedChunk early : archive.revision(state.caseId(), revision)) {
                accept(state, early, now, true);
            }
        }
        decide(state, now);
    }

    public void onChunk(CaseState state, ArrivedChunk chunk, long now) {
        StudyExpectation study = state.study();
        if (study != null && chunk.revision() < study.revision()) {
            out.input(InputOutcome.CHUNK_STALE);
            return;
        }
        if (study == null || chunk.revision() > study.revision()) {
            if (archive.putIfAbsent(chunk)) {
                state.pend(chunk.revision(), now);
                out.input(InputOutcome.CHUNK_EARLY);
            } else {
                out.input(InputOutcome.CHUNK_DUPLICATE);
            }
            return;
        }
        accept(state, chunk, now, false);
        decide(state, now);
    }

    /** The passing of time: grace periods, timeouts, chunks whose study never came. False when the case can be forgotten. */
    public boolean onTime(CaseState state, long now) {
        for (int revision : state.expiredPending(now, settings)) {
            for (ArrivedChunk orphan : archive.revision(state.caseId(), revision)) {
                out.deadLetter(state.caseId(), orphan.source(), "CASE_NOT_OPENED", "chunk " + orphan.taskId() + " of case revision "
                        + revision + " waited " + CaseState.words(settings.caseTimeout()) + " for the StudyArrived of its revision, which never came");
            }
            archive.deleteRevision(state.caseId(), revision);
            state.dropPending(revision);
        }
        decide(state, now);
        if (state.expired(now, settings)) {
            if (state.study() != null) {
                archive.deleteRevision(state.caseId(), state.study().revision());
            }
            return false;
        }
        return true;
    }

    private void accept(CaseState state, ArrivedChunk chunk, long now, boolean archived) {
        StudyExpectation study = state.study();
        RevisionProgress progress = state.progress();
        SeriesExpectation series = study.series(chunk.seriesInstanceUid()).orElse(null);
        if (series == null || chunk.chunkIndex() < 0 || chunk.chunkIndex() >= series.chunkCount()) {
            String why = series == null
                    ? "series " + chunk.seriesInstanceUid() + " is not one of the series case revision " + study.revision() + " processes"
                    : "chunk index " + chunk.chunkIndex() + " is outside 0.." + (series.chunkCount() - 1) + " of series " + chunk.seriesInstanceUid();
            out.deadLetter(state.caseId(), chunk.source(), "UNEXPECTED_CHUNK", "chunk " + chunk.taskId() + ": " + why);
            out.input(InputOutcome.CHUNK_UNEXPECTED);
            if (archived) {
                archive.delete(chunk);
            }
            return;
        }
        if (progress.has(chunk.chunkKey())) {
            out.input(InputOutcome.CHUNK_DUPLICATE);
            return;
        }
        if (chunk.problem() != null) {
            out.deadLetter(state.caseId(), chunk.source(), "INVALID_PREDICTIONS", "chunk " + chunk.taskId() + ": " + chunk.problem()
                    + "; the chunk counts as failed");
        }
        progress.record(chunk, series.phase(), now, study.expectedChunks());
        state.touch(now);
        if (!archived) {
            archive.put(chunk);
        }
        out.input(InputOutcome.CHUNK_ACCEPTED);
    }

    private void decide(CaseState state, long now) {
        if (state.verdict(now, settings) instanceof Verdict.Diagnose verdict) {
            int revision = state.study().revision();
            boolean needsCrops = verdict.status() == DiagnosisStatus.COMPLETE || verdict.status() == DiagnosisStatus.SINGLE_PHASE;
            List<ArrivedChunk> chunks = needsCrops ? archive.revision(state.caseId(), revision) : List.of();
            DiagnosisComposer.Composed composed = composer.compose(state, verdict, chunks, now);
            state.diagnosed(composed.summary(), verdict.closesRevision());
            if (verdict.closesRevision()) {
                // the crops are not needed any more: the revision will not be diagnosed again
                archive.deleteRevision(state.caseId(), revision);
            }
            Diagnosis diagnosis = composed.diagnosis();
            out.diagnosis(diagnosis);
        }
    }
}
