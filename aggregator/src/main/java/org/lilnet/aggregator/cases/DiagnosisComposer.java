package org.lilnet.aggregator.cases;

import org.lilnet.aggregator.cases.ArrivedChunk.ModelInfo;
import org.lilnet.aggregator.fusion.ClassScores;
import org.lilnet.aggregator.fusion.Decision;
import org.lilnet.aggregator.lesion.Crop;
import org.lilnet.aggregator.lesion.FoundLesion;
import org.lilnet.aggregator.lesion.LesionBox;
import org.lilnet.aggregator.lesion.LesionGrouper;
import org.lilnet.aggregator.lesion.LesionRule;
import org.lilnet.events.Box;
import org.lilnet.events.ClassProbabilities;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Lesion;
import org.lilnet.events.ModelRef;
import org.lilnet.events.Phase;
import org.lilnet.events.PhaseSummary;
import org.lilnet.events.WindowSetting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes the Diagnosis event of a case revision: the decision from the pooled running sums (all crops of the listed
 * phases, equal weight), lesions from the kept crops, phase summaries, models, window, notes and timings.
 * FAILED diagnoses carry no result: a decision on part of the slices would read like a whole one.
 */
final class DiagnosisComposer {

    /** The event and what the next version needs to know of it. */
    record Composed(Diagnosis diagnosis, DiagnosisSummary summary) {
    }

    private final LesionGrouper grouper;

    DiagnosisComposer(LesionRule rule) {
        this.grouper = new LesionGrouper(rule);
    }

    Composed compose(CaseState state, Verdict.Diagnose verdict, List<ArrivedChunk> chunks, long now) {
        StudyExpectation study = state.study();
        RevisionProgress progress = state.progress();
        DiagnosisStatus status = verdict.status();
        boolean withResult = status == DiagnosisStatus.COMPLETE || status == DiagnosisStatus.SINGLE_PHASE;

        Optional<Decision> decision = withResult ? progress.pooled().decide() : Optional.empty();
        List<Lesion> lesions = withResult ? lesions(study, chunks) : List.of();

        Map<Phase, Integer> slicesByPhase = new EnumMap<>(Phase.class);
        study.series().forEach(s -> slicesByPhase.merge(s.phase(), s.sliceCount(), Integer::sum));
        DiagnosisSummary previous = state.lastDiagnosis();
        int version = previous == null ? 1 : previous.version() + 1;
        DiagnosisSummary summary = new DiagnosisSummary(version, study.revision(), status, study.phases(), slicesByPhase,
                decision.map(Decision::malignancy).orElse(null), decision.map(Decision::subtype).orElse(null), lesions.size(), now);

        List<String> notes = new ArrayList<>(study.notes());
        notes.addAll(progress.notes());
        if (status == DiagnosisStatus.FAILED && progress.anyChunk()) {
            notes.add("no result is given: it would rest on part of the slices only");
        }

        Diagnosis.Builder d = Diagnosis.newBuilder()
                .setCaseId(state.caseId())
                .setVersion(version)
                .setChanges(previous == null ? null : Changes.between(previous, summary))
                .setPatientId(study.patientId())
                .setStudyInstanceUid(study.studyInstanceUid())
                .setAccessionNumber(study.accessionNumber())
                .setSeriesInstanceUids(status == DiagnosisStatus.FAILED ? List.of()
                        : study.series().stream().map(SeriesExpectation::seriesInstanceUid).toList())
                .setStatus(status)
                .setStatusReason(verdict.reason())
                .setPhasesUsed(status == DiagnosisStatus.FAILED ? List.of() : study.phases())
                .setPhases(study.series().stream().map(s -> PhaseSummary.newBuilder()
                        .setPhase(s.phase()).setSeriesInstanceUid(s.seriesInstanceUid()).setSliceCount(s.sliceCount())
                        .setChunksExpected(s.chunkCount()).setChunksReceived(progress.chunksReceived(s.seriesInstanceUid()))
                        .setChunksFailed(progress.chunksFailed(s.seriesInstanceUid())).setCropCount(progress.cropCount(s.seriesInstanceUid()))
                        .build()).toList())
                .setLesions(lesions)
                .setModels(progress.models().stream().map(DiagnosisComposer::modelRef).toList())
                .setWindow(progress.window() == null ? null
                        : WindowSetting.newBuilder().setLevel(progress.window().level()).setWidth(progress.window().width()).build())
                .setRefusedInstances(study.refusedInstances())
                .setNotes(notes)
                .setTimingsMillis(timings(study, progress, now))
                .setLastInstanceAt(Instant.ofEpochMilli(study.lastInstanceAt()))
                .setProducedAt(Instant.ofEpochMilli(now));
        decision.ifPresent(x -> d
                .setMalignancy(x.malignancy()).setMalignancyProbability(x.malignancyProbability())
                .setSubtype(x.subtype()).setSubtypeProbability(x.subtypeProbability())
                .setBm(probabilities(x.bm())).setM(probabilities(x.m())).setB(probabilities(x.b())));
        return new Composed(d.build(), summary);
    }

    private List<Lesion> lesions(StudyExpectation study, List<ArrivedChunk> chunks) {
        Map<String, List<Crop>> cropsBySeries = new LinkedHashMap<>();
        for (ArrivedChunk chunk : chunks) {
            if (chunk.revision() == study.revision() && !chunk.countsAsFailed()) {
                cropsBySeries.computeIfAbsent(chunk.seriesInstanceUid(), k -> new ArrayList<>()).addAll(chunk.crops());
            }
        }
        List<Lesion> lesions = new ArrayList<>();
        for (SeriesExpectation series : study.series()) {
            List<Crop> crops = cropsBySeries.getOrDefault(series.seriesInstanceUid(), List.of());
            for (FoundLesion found : grouper.find(crops, series.rowSpacingMm(), series.columnSpacingMm())) {
                Decision x = found.decision();
                LesionBox box = found.largest().box();
                lesions.add(Lesion.newBuilder()
                        .setLesionId(lesions.size() + 1)
                        .setPhase(series.phase())
                        .setSeriesInstanceUid(series.seriesInstanceUid())
                        .setFirstSliceIndex(found.first().sliceIndex())
                        .setLastSliceIndex(found.last().sliceIndex())
                        .setFirstSlicePositionMm(found.first().slicePositionMm())
                        .setLastSlicePositionMm(found.last().slicePositionMm())
                        .setLargestBox(Box.newBuilder().setX1((float) box.x1()).setY1((float) box.y1()).setX2((float) box.x2())
                                .setY2((float) box.y2()).build())
                        .setLargestBoxSliceIndex(found.largest().sliceIndex())
                        .setLargestBoxSopInstanceUid(found.largest().sopInstanceUid())
                        .setWidthMm(found.widthMm())
                        .setHeightMm(found.heightMm())
                        .setSizeMm(found.sizeMm())
                        .setCropCount(found.crops().size())
                        .setMaxDetectionScore(found.maxDetectionScore())
                        .setBm(probabilities(x.bm())).setM(probabilities(x.m())).setB(probabilities(x.b()))
                        .build());
            }
        }
        return lesions;
    }

    /**
     * Upstream timings over the chunks: {@code ingest.*} is per case (every chunk carries the same value), the others
     * are summed over the chunks (and {@code <key>.max} is the slowest chunk). Then the aggregator's own.
     */
    static Map<String, Long> timings(StudyExpectation study, RevisionProgress progress, long now) {
        Map<String, Long> timings = new TreeMap<>();
        Map<String, Long> max = progress.timingMax();
        progress.timingSums().forEach((key, sum) -> {
            if (key.startsWith("ingest.")) {
                timings.put(key, max.get(key));
            } else {
                timings.put(key, sum);
                timings.put(key + ".max", max.get(key));
            }
        });
        if (progress.anyChunk()) {
            timings.put("aggregate.collect", Math.max(0, progress.lastChunkAt() - progress.firstChunkAt()));
            timings.put("aggregate.wait", Math.max(0, now - progress.lastChunkAt()));
            timings.put("aggregate.lastPredictionToDiagnosis", Math.max(0, now - progress.lastPredictionAt()));
        }
        timings.put("total.lastInstanceToDiagnosis", Math.max(0, now - study.lastInstanceAt()));
        return timings;
    }

    private static ModelRef modelRef(ModelInfo m) {
        return ModelRef.newBuilder().setRole(m.role()).setName(m.name()).setVersion(m.version()).setSha256(m.sha256()).build();
    }

    static ClassProbabilities probabilities(ClassScores scores) {
        return ClassProbabilities.newBuilder()
                .setLabels(scores.labels())
                .setProbabilities(Arrays.stream(scores.probabilities()).boxed().toList())
                .setMeanLogits(Arrays.stream(scores.meanLogits()).boxed().toList())
                .build();
    }
}
