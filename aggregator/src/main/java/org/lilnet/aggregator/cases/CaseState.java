package org.lilnet.aggregator.cases;

import org.lilnet.events.DiagnosisStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Everything the aggregator keeps about one case: what its latest revision expects, what arrived for it, revisions
 * whose chunks came before their StudyArrived, and what the last diagnosis said. The rules that read it are in
 * {@link #verdict}; {@link CaseFusion} changes it.
 */
public final class CaseState {

    private String caseId;
    private StudyExpectation study;
    private long studySeenAt;
    private RevisionProgress progress;
    /** Revisions ahead of the study (chunks came first) and when their first chunk came. */
    private final TreeMap<Integer, Long> pending = new TreeMap<>();
    private DiagnosisSummary lastDiagnosis;
    private long lastActivityAt;

    CaseState() {
    }

    public CaseState(String caseId) {
        this.caseId = caseId;
    }

    public String caseId() {
        return caseId;
    }

    /** The latest revision's expectation, or null before the first StudyArrived. */
    public StudyExpectation study() {
        return study;
    }

    /** What arrived for the latest revision, or null before the first StudyArrived. */
    public RevisionProgress progress() {
        return progress;
    }

    public DiagnosisSummary lastDiagnosis() {
        return lastDiagnosis;
    }

    public Map<Integer, Long> pending() {
        return Map.copyOf(pending);
    }

    /** Opens a newer revision: what came for earlier revisions no longer counts. */
    void open(StudyExpectation newer, long now) {
        study = newer;
        studySeenAt = now;
        progress = new RevisionProgress(newer.revision());
        pending.headMap(newer.revision(), true).clear();
        touch(now);
    }

    void pend(int revision, long now) {
        pending.putIfAbsent(revision, now);
        touch(now);
    }

    void dropPending(int revision) {
        pending.remove(revision);
    }

    void diagnosed(DiagnosisSummary summary, boolean closesRevision) {
        lastDiagnosis = summary;
        if (closesRevision) {
            progress.diagnosed(true);
        } else {
            progress.timeoutReported(true);
        }
        touch(summary.emittedAt());
    }

    void touch(long now) {
        lastActivityAt = Math.max(lastActivityAt, now);
    }

    /** Revisions whose chunks came without their StudyArrived for longer than the timeout. */
    List<Integer> expiredPending(long now, CaseSettings settings) {
        List<Integer> expired = new ArrayList<>();
        pending.forEach((revision, since) -> {
            if (now >= since + settings.caseTimeout().toMillis()) {
                expired.add(revision);
            }
        });
        return expired;
    }

    public CaseStage stage() {
        if (study == null) {
            return CaseStage.AWAITING_STUDY;
        }
        if (progress.diagnosed()) {
            return pending.isEmpty() ? CaseStage.DIAGNOSED : CaseStage.AWAITING_STUDY;
        }
        if (progress.timeoutReported()) {
            return CaseStage.TIMED_OUT;
        }
        if (progress.allIn(study)) {
            return CaseStage.AWAITING_PHASE;
        }
        return CaseStage.COLLECTING;
    }

    /**
     * The rules, in order. Nothing before the study is known. When every chunk of the revision is in: FAILED if one
     * failed; COMPLETE (or NO_LESION without crops) when both phases are listed; with one phase, SINGLE_PHASE once the
     * grace period has passed since the last chunk. While chunks are missing: FAILED (TIMEOUT) once the revision has
     * made no progress for the case timeout, reported once; the revision stays open for late chunks.
     */
    public Verdict verdict(long now, CaseSettings settings) {
        if (study == null || progress.diagnosed()) {
            return new Verdict.Wait(Long.MAX_VALUE);
        }
        if (study.series().isEmpty()) {
            return new Verdict.Diagnose(DiagnosisStatus.FAILED,
                    "NO_PROCESSABLE_SERIES: the study has no arterial or portal venous series to examine", true);
        }
        if (progress.allIn(study)) {
            List<ChunkOutcome> failures = progress.failures();
            if (!failures.isEmpty()) {
                return new Verdict.Diagnose(DiagnosisStatus.FAILED, "CHUNK_FAILED: " + failures.size() + " of " + study.expectedChunks()
                        + " chunks failed: " + listFailures(failures), true);
            }
            boolean noLesion = progress.cropCount() == 0;
            if (study.bothPhases()) {
                return noLesion
                        ? new Verdict.Diagnose(DiagnosisStatus.NO_LESION, "no lesion found on " + sliceText(), true)
                        : new Verdict.Diagnose(DiagnosisStatus.COMPLETE, null, true);
            }
            long graceEnds = progress.completeAt() + settings.singlePhaseGrace().toMillis();
            if (now < graceEnds) {
                return new Verdict.Wait(graceEnds);
            }
            String present = PhaseNames.of(study.phases().get(0));
            String reason = PhaseNames.of(PhaseNames.other(study.phases().get(0))) + " phase did not arrive within "
                    + words(settings.singlePhaseGrace()) + " after the " + present + " phase was complete"
                    + (noLesion ? "; no lesion found on " + sliceText() : "");
            return new Verdict.Diagnose(DiagnosisStatus.SINGLE_PHASE, reason, true);
        }
        if (progress.timeoutReported()) {
            return new Verdict.Wait(Long.MAX_VALUE);
        }
        long lastProgress = Math.max(studySeenAt, progress.lastChunkAt());
        long timeoutAt = lastProgress + settings.caseTimeout().toMillis();
        if (now < timeoutAt) {
            return new Verdict.Wait(timeoutAt);
        }
        List<ChunkOutcome> missing = progress.missing(study);
        String reason = "TIMEOUT: " + missing.size() + " of " + study.expectedChunks() + " chunks did not arrive within "
                + words(settings.caseTimeout()) + " of the last progress: " + listMissing(missing);
        List<ChunkOutcome> failures = progress.failures();
        if (!failures.isEmpty()) {
            reason += "; " + failures.size() + " failed: " + listFailures(failures);
        }
        return new Verdict.Diagnose(DiagnosisStatus.FAILED, reason, false);
    }

    /** When the case must be looked at again without an event (grace, timeout, orphans, retention); MAX_VALUE for never. */
    public long nextDueAt(long now, CaseSettings settings) {
        long due = Long.MAX_VALUE;
        for (long since : pending.values()) {
            due = Math.min(due, since + settings.caseTimeout().toMillis());
        }
        if (study != null && !progress.diagnosed() && !progress.timeoutReported()) {
            if (verdict(now, settings) instanceof Verdict.Wait wait) {
                due = Math.min(due, wait.until());
            } else {
                due = Math.min(due, now);
            }
        }
        if (pending.isEmpty() && settled()) {
            due = Math.min(due, lastActivityAt + settings.retention().toMillis());
        }
        return due;
    }

    /** Nothing is awaited for the latest revision any more (diagnosed, reported as timed out, or never opened). */
    private boolean settled() {
        return study == null || progress.diagnosed() || progress.timeoutReported();
    }

    /** Nothing left to wait for and nothing happened for the retention period: the case can be forgotten. */
    boolean expired(long now, CaseSettings settings) {
        if (!pending.isEmpty()) {
            return false;
        }
        if (study == null) {
            return true; // only orphan chunks were ever seen, and they are gone
        }
        return settled() && now >= lastActivityAt + settings.retention().toMillis();
    }

    private String sliceText() {
        if (study.series().size() == 1) {
            return study.sliceCount() + " slices";
        }
        return study.sliceCount() + " slices (" + study.series().stream()
                .map(s -> PhaseNames.of(s.phase()) + " " + s.sliceCount()).collect(Collectors.joining(", ")) + ")";
    }

    private static final int LISTED = 5;

    private static String listFailures(List<ChunkOutcome> failures) {
        String listed = failures.stream().limit(LISTED)
                .map(f -> PhaseNames.of(f.phase()) + " chunk " + f.chunkIndex() + " (" + f.failure() + ")")
                .collect(Collectors.joining("; "));
        return failures.size() > LISTED ? listed + "; and " + (failures.size() - LISTED) + " more" : listed;
    }

    private static String listMissing(List<ChunkOutcome> missing) {
        Map<String, List<Integer>> bySeries = new TreeMap<>();
        Map<String, String> phaseOf = new TreeMap<>();
        for (ChunkOutcome m : missing) {
            bySeries.computeIfAbsent(m.seriesInstanceUid(), k -> new ArrayList<>()).add(m.chunkIndex());
            phaseOf.put(m.seriesInstanceUid(), PhaseNames.of(m.phase()));
        }
        return bySeries.entrySet().stream().map(e -> phaseOf.get(e.getKey()) + " chunk" + (e.getValue().size() > 1 ? "s " : " ")
                        + e.getValue().stream().limit(20).map(String::valueOf).collect(Collectors.joining(", "))
                        + (e.getValue().size() > 20 ? ", ..." : ""))
                .collect(Collectors.joining("; "));
    }

    static String words(java.time.Duration d) {
        long s = d.toSeconds();
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + " ms";
        }
        if (s % 3600 == 0) {
            return s / 3600 + " h";
        }
        if (s % 60 == 0) {
            return s / 60 + " min";
        }
        return s + " s";
    }
}
