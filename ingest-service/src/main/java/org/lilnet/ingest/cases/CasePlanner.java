package org.lilnet.ingest.cases;

import org.lilnet.dicom.SliceGeometry;
import org.lilnet.events.DetectTask;
import org.lilnet.events.Phase;
import org.lilnet.events.RefusedInstance;
import org.lilnet.events.SeriesInfo;
import org.lilnet.events.SkippedSeries;
import org.lilnet.events.SliceRef;
import org.lilnet.events.StudyArrived;

import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a stable study into a case: which series go to the detector (one arterial and one portal venous at most),
 * which are skipped and why, which instances were refused, and the detect tasks: the slices of each processed series
 * ordered by their position along the slice normal (never by InstanceNumber) and cut into chunks of K.
 */
public final class CasePlanner {

    /** A series whose slice normal is further than this from the patient's head-feet axis is not axial. */
    static final double MIN_AXIAL_COSINE = 0.8;

    private final PhaseRecognizer recognizer = new PhaseRecognizer();
    private final int chunkSlices;
    private final double preferredThicknessMm;

    public CasePlanner(int chunkSlices, double preferredThicknessMm) {
        if (chunkSlices < 1) {
            throw new IllegalArgumentException("chunks need at least one slice");
        }
        this.chunkSlices = chunkSlices;
        this.preferredThicknessMm = preferredThicknessMm;
    }

    /** A processed (or processable) series with its ordered slices. */
    private record Candidate(String seriesUid, List<InstanceRecord> slices, SeriesFacts facts, PhaseDecision decision,
                             Integer seriesNumber, Double thickness, boolean original) {
    }

    public CasePlan plan(CaseSnapshot snapshot, long openedAt) {
        List<InstanceRecord> records = snapshot.records();
        String caseId = snapshot.studyUid();

        Map<String, List<InstanceRecord>> bySeries = new LinkedHashMap<>();
        List<RefusedInstance> refused = new ArrayList<>();
        for (InstanceRecord r : records) {
            if (r.outcome() == InstanceRecord.Outcome.PROCESSABLE) {
                bySeries.computeIfAbsent(r.seriesUid(), k -> new ArrayList<>()).add(r);
            } else {
                refused.add(RefusedInstance.newBuilder().setSopInstanceUid(r.sopUid()).setSeriesInstanceUid(r.seriesUid())
                        .setReasonCode(r.reasonCode() == null ? "REFUSED" : r.reasonCode())
                        .setDetail(r.detail() == null ? "" : r.detail()).build());
            }
        }

        // one injection per study: a series without ContrastBolusStartTime (often the non-contrast one) is timed
        // against the study's
        LocalTime studyContrastStart = mostCommon(records, InstanceRecord::contrastStart);
        List<SkippedSeries> skipped = new ArrayList<>();
        Map<Phase, List<Candidate>> byPhase = new HashMap<>();
        for (var e : bySeries.entrySet()) {
            List<InstanceRecord> slices = ordered(e.getValue());
            SeriesFacts facts = facts(slices, studyContrastStart);
            PhaseDecision decision = recognizer.recognize(facts);
            InstanceRecord first = slices.get(0);
            if (!decision.processed()) {
                skipped.add(skip(e.getKey(), facts, decision.phase(), decision.skipReason(), decision.evidence(), slices.size()));
                continue;
            }
            String geometryProblem = geometryProblem(slices);
            if (geometryProblem != null) {
                String reason = geometryProblem.startsWith("not axial") ? "NOT_AXIAL" : "INCONSISTENT_GEOMETRY";
                skipped.add(skip(e.getKey(), facts, decision.phase(), reason, geometryProblem, slices.size()));
                continue;
            }
            Candidate c = new Candidate(e.getKey(), slices, facts, decision, first.seriesNumber(), mostCommon(slices, InstanceRecord::sliceThicknessMm),
                    first.imageType().isEmpty() || !first.imageType().get(0).equals("DERIVED"));
            byPhase.computeIfAbsent(decision.phase(), k -> new ArrayList<>()).add(c);
        }

        List<Candidate> chosen = new ArrayList<>();
        for (Phase phase : List.of(Phase.AP, Phase.PVP)) {
            List<Candidate> candidates = byPhase.getOrDefault(phase, List.of());
            if (candidates.isEmpty()) {
                continue;
            }
            List<Candidate> ranked = new ArrayList<>(candidates);
            ranked.sort(preference());
            Candidate best = ranked.get(0);
            chosen.add(best);
            for (Candidate other : ranked.subList(1, ranked.size())) {
                skipped.add(skip(other.seriesUid(), other.facts(), phase, "DUPLICATE_PHASE", "another " + (phase == Phase.AP ? "arterial" : "portal venous")
                        + " series was chosen: " + describe(best) + " (preferred: original over derived, thickness nearest "
                        + preferredThicknessMm + " mm, more slices, lower series number)", other.slices().size()));
            }
        }
        chosen.sort(Comparator.comparing((Candidate c) -> c.seriesNumber() == null ? Integer.MAX_VALUE : c.seriesNumber())
                .thenComparing(Candidate::seriesUid));

        List<SeriesInfo> series = new ArrayList<>();
        List<CasePlan.KeyedTask> tasks = new ArrayList<>();
        int expectedChunks = 0;
        for (Candidate c : chosen) {
            int chunkCount = (c.slices().size() + chunkSlices - 1) / chunkSlices;
            expectedChunks += chunkCount;
            InstanceRecord first = c.slices().get(0);
            series.add(SeriesInfo.newBuilder()
                    .setSeriesInstanceUid(c.seriesUid())
                    .setSeriesNumber(c.seriesNumber())
                    .setDescription(c.facts().description())
                    .setPhase(c.decision().phase())
                    .setPhaseEvidence(c.decision().evidence())
                    .setSliceCount(c.slices().size())
                    .setChunkCount(chunkCount)
                    .setRows(first.rows())
                    .setColumns(first.columns())
                    .setPixelSpacingRowMm(first.pixelSpacing()[0])
                    .setPixelSpacingColumnMm(first.pixelSpacing()[1])
                    .setSliceSpacingMm(sliceSpacing(c.slices()))
                    .setSliceThicknessMm(c.thickness())
                    .setManufacturer(first.manufacturer())
                    .build());
            for (int chunk = 0; chunk < chunkCount; chunk++) {
                List<SliceRef> refs = new ArrayList<>();
                for (int i = chunk * chunkSlices; i < Math.min(c.slices().size(), (chunk + 1) * chunkSlices); i++) {
                    InstanceRecord s = c.slices().get(i);
                    refs.add(SliceRef.newBuilder().setSopInstanceUid(s.sopUid()).setBlobKey(s.blobKey()).setSliceIndex(i)
                            .setSlicePositionMm(s.geometry().positionAlongNormal()).setInstanceNumber(s.instanceNumber()).build());
                }
                String taskId = caseId + "/" + snapshot.revision() + "/" + c.seriesUid() + "/" + chunk;
                DetectTask task = DetectTask.newBuilder()
                        .setTaskId(taskId)
                        .setCaseId(caseId)
                        .setCaseRevision(snapshot.revision())
                        .setStudyInstanceUid(snapshot.studyUid())
                        .setSeriesInstanceUid(c.seriesUid())
                        .setPhase(c.decision().phase())
                        .setChunkIndex(chunk)
                        .setChunkCount(chunkCount)
                        .setSlices(refs)
                        .setPixelSpacingRowMm(first.pixelSpacing()[0])
                        .setPixelSpacingColumnMm(first.pixelSpacing()[1])
                        .setLastInstanceAt(Instant.ofEpochMilli(snapshot.lastInstanceAt()))
                        .setEnqueuedAt(Instant.ofEpochMilli(openedAt))
                        .build();
                tasks.add(new CasePlan.KeyedTask(c.seriesUid() + "/" + chunk, task));
            }
        }

        StudyArrived study = StudyArrived.newBuilder()
                .setCaseId(caseId)
                .setCaseRevision(snapshot.revision())
                .setPatientId(first(records, InstanceRecord::patientId))
                .setStudyInstanceUid(snapshot.studyUid())
                .setAccessionNumber(first(records, InstanceRecord::accessionNumber))
                .setStudyDate(first(records, InstanceRecord::studyDate))
                .setSeries(series)
                .setSkippedSeries(skipped)
                .setRefusedInstances(refused)
                .setExpectedChunks(expectedChunks)
                .setFirstInstanceAt(Instant.ofEpochMilli(snapshot.firstInstanceAt()))
                .setLastInstanceAt(Instant.ofEpochMilli(snapshot.lastInstanceAt()))
                .setOpenedAt(Instant.ofEpochMilli(openedAt))
                .build();
        return new CasePlan(study, tasks);
    }

    /** Slices by position along the slice normal; InstanceNumber and UID only break ties. */
    static List<InstanceRecord> ordered(List<InstanceRecord> slices) {
        List<InstanceRecord> out = new ArrayList<>(slices);
        out.sort(Comparator.comparingDouble((InstanceRecord r) -> r.geometry() == null ? 0 : r.geometry().positionAlongNormal())
                .thenComparing(r -> r.instanceNumber() == null ? Integer.MAX_VALUE : r.instanceNumber())
                .thenComparing(InstanceRecord::sopUid));
        return out;
    }

    private static SeriesFacts facts(List<InstanceRecord> slices, LocalTime studyContrastStart) {
        LocalTime acquired = slices.stream().map(InstanceRecord::acquiredAt).filter(Objects::nonNull).min(Comparator.naturalOrder()).orElse(null);
        LocalTime contrastStart = first(slices, InstanceRecord::contrastStart);
        return new SeriesFacts(mostCommon(slices, InstanceRecord::seriesDescription), mostCommon(slices, InstanceRecord::imageType),
                first(slices, InstanceRecord::contrastAgent), contrastStart != null ? contrastStart : studyContrastStart, acquired);
    }

    /** Why the slices do not make one axial volume, or null. */
    static String geometryProblem(List<InstanceRecord> slices) {
        InstanceRecord first = slices.get(0);
        SliceGeometry g = first.geometry();
        double[] normal = g.normal();
        if (Math.abs(normal[2]) < MIN_AXIAL_COSINE) {
            return String.format(java.util.Locale.ROOT, "not axial: slice normal (%.2f, %.2f, %.2f)", normal[0], normal[1], normal[2]);
        }
        for (InstanceRecord r : slices) {
            if (r.rows() != first.rows() || r.columns() != first.columns()) {
                return "slices of different sizes (" + first.rows() + "x" + first.columns() + " and " + r.rows() + "x" + r.columns() + ")";
            }
            if (Math.abs(r.pixelSpacing()[0] - first.pixelSpacing()[0]) > 1e-3 || Math.abs(r.pixelSpacing()[1] - first.pixelSpacing()[1]) > 1e-3) {
                return "slices with different pixel spacing";
            }
            double[] n = r.geometry().normal();
            if (n[0] * normal[0] + n[1] * normal[1] + n[2] * normal[2] < 0.999) {
                return "slices with different orientations";
            }
        }
        return null;
    }

    /** Median distance between neighbouring slice positions, mm; null for one slice. */
    static Double sliceSpacing(List<InstanceRecord> ordered) {
        if (ordered.size() < 2) {
            return null;
        }
        double[] gaps = new double[ordered.size() - 1];
        for (int i = 1; i < ordered.size(); i++) {
            gaps[i - 1] = ordered.get(i).geometry().positionAlongNormal() - ordered.get(i - 1).geometry().positionAlongNormal();
        }
        java.util.Arrays.sort(gaps);
        int m = gaps.length / 2;
        return gaps.length % 2 == 1 ? gaps[m] : (gaps[m - 1] + gaps[m]) / 2;
    }

    private Comparator<Candidate> preference() {
        return Comparator.comparing((Candidate c) -> !c.original())
                .thenComparingDouble(c -> c.thickness() == null ? Double.MAX_VALUE : Math.abs(c.thickness() - preferredThicknessMm))
                .thenComparing(c -> -c.slices().size())
                .thenComparing(c -> c.seriesNumber() == null ? Integer.MAX_VALUE : c.seriesNumber())
                .thenComparing(Candidate::seriesUid);
    }

    private static String describe(Candidate c) {
        return (c.facts().description() == null ? "series" : "'" + c.facts().description() + "'")
                + (c.seriesNumber() == null ? "" : " (series " + c.seriesNumber() + ")") + ", " + c.slices().size() + " slices"
                + (c.thickness() == null ? "" : ", " + c.thickness() + " mm");
    }

    private static SkippedSeries skip(String seriesUid, SeriesFacts facts, Phase phase, String reason, String detail, int count) {
        return SkippedSeries.newBuilder().setSeriesInstanceUid(seriesUid).setDescription(facts.description()).setPhase(phase)
                .setReasonCode(reason).setDetail(detail).setInstanceCount(count).build();
    }

    private static <T> T first(List<InstanceRecord> records, Function<InstanceRecord, T> field) {
        return records.stream().map(field).filter(Objects::nonNull).findFirst().orElse(null);
    }

    private static <T> T mostCommon(List<InstanceRecord> records, Function<InstanceRecord, T> field) {
        Map<T, Long> counts = records.stream().map(field).filter(Objects::nonNull)
                .collect(Collectors.groupingBy(Function.identity(), LinkedHashMap::new, Collectors.counting()));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }
}
