package org.lilnet.ingest.cases;

import org.junit.jupiter.api.Test;
import org.lilnet.events.DetectTask;
import org.lilnet.events.Phase;
import org.lilnet.events.SeriesInfo;
import org.lilnet.events.SkippedSeries;
import org.lilnet.events.SliceRef;
import org.lilnet.events.StudyArrived;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class CasePlannerTest {

    static final String STUDY = "1.2.3";

    /** A series of n axial slices 2.5 mm apart, sent in a shuffled order, InstanceNumber running against position. */
    static List<InstanceRecord> series(String seriesUid, String description, int n, int seriesNumber, long seed) {
        List<InstanceRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // InstanceNumber 1 is the highest slice: ordering by InstanceNumber would reverse the volume
            out.add(Records.withSeriesNumber(Records.slice(STUDY, seriesUid, seriesUid + "." + (i + 1), description, -100 + 2.5 * i, n - i, 1000 + i), seriesNumber));
        }
        Collections.shuffle(out, new Random(seed));
        return out;
    }

    static CaseSnapshot snapshot(int revision, List<InstanceRecord> records) {
        return new CaseSnapshot(STUDY, revision, records.size(), records, 1000, 5000);
    }

    @Test
    void picksTheArterialAndPortalVenousSeriesOrdersSlicesAlongTheNormalAndCutsChunks() {
        List<InstanceRecord> records = new ArrayList<>();
        records.addAll(series("1.2.3.2", "门脉期 5mm", 10, 4, 1));
        records.addAll(series("1.2.3.1", "ART 1.25mm", 9, 3, 2));
        records.addAll(series("1.2.3.9", "平扫", 5, 2, 3));
        records.add(Records.imageType(Records.slice(STUDY, "1.2.3.8", "1.2.3.8.1", "Topogram", 0, 1, 999), "ORIGINAL", "PRIMARY", "LOCALIZER"));
        records.add(Records.refused(STUDY, "1.2.3.7", "1.2.3.7.1", InstanceRecord.Outcome.STORED_NOT_PROCESSED, "NOT_CT", 998));
        records.add(Records.refused(STUDY, "1.2.3.7", "1.2.3.7.2", InstanceRecord.Outcome.REFUSED, "PIXEL_DATA_TRUNCATED", 997));

        CasePlan plan = new CasePlanner(4, 2.0).plan(snapshot(1, records), 6000);
        StudyArrived study = plan.study();

        assertThat(study.getCaseId()).isEqualTo(STUDY);
        assertThat(study.getCaseRevision()).isEqualTo(1);
        assertThat(study.getPatientId()).isEqualTo("P1");
        assertThat(study.getAccessionNumber()).isEqualTo("ACC1");
        assertThat(study.getSeries()).extracting(SeriesInfo::getPhase).containsExactly(Phase.AP, Phase.PVP); // series-number order
        assertThat(study.getSeries()).extracting(SeriesInfo::getSliceCount).containsExactly(9, 10);
        assertThat(study.getSeries()).extracting(SeriesInfo::getChunkCount).containsExactly(3, 3);
        assertThat(study.getSeries().get(0).getSliceSpacingMm()).isEqualTo(2.5);
        assertThat(study.getSeries().get(0).getPhaseEvidence()).contains("ART 1.25mm");
        assertThat(study.getExpectedChunks()).isEqualTo(6);
        assertThat(study.getSkippedSeries()).extracting(SkippedSeries::getReasonCode).containsExactlyInAnyOrder("NON_CONTRAST", "LOCALIZER");
        assertThat(study.getRefusedInstances()).extracting(r -> r.getReasonCode()).containsExactlyInAnyOrder("NOT_CT", "PIXEL_DATA_TRUNCATED");
        assertThat(study.getOpenedAt().toEpochMilli()).isEqualTo(6000);
        assertThat(study.getLastInstanceAt().toEpochMilli()).isEqualTo(5000);

        assertThat(plan.tasks()).hasSize(6);
        Map<String, List<DetectTask>> bySeries = plan.tasks().stream().map(CasePlan.KeyedTask::task)
                .collect(Collectors.groupingBy(t -> t.getSeriesInstanceUid()));
        List<DetectTask> pvp = bySeries.get("1.2.3.2");
        assertThat(pvp).extracting(DetectTask::getChunkIndex).containsExactly(0, 1, 2);
        assertThat(pvp).extracting(t -> t.getSlices().size()).containsExactly(4, 4, 2);
        List<SliceRef> slices = pvp.stream().flatMap(t -> t.getSlices().stream()).toList();
        assertThat(slices).extracting(SliceRef::getSliceIndex).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(slices).extracting(SliceRef::getSlicePositionMm).isSorted();
        assertThat(slices.get(0).getSlicePositionMm()).isEqualTo(-100.0);
        assertThat(slices).extracting(SliceRef::getInstanceNumber).containsExactly(10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
        assertThat(slices.get(0).getBlobKey()).isEqualTo("dicom/1.2.3/1.2.3.2/1.2.3.2.1.dcm");
        DetectTask first = pvp.get(0);
        assertThat(first.getTaskId()).isEqualTo("1.2.3/1/1.2.3.2/0");
        assertThat(first.getPhase()).isEqualTo(Phase.PVP);
        assertThat(first.getChunkCount()).isEqualTo(3);
        assertThat(first.getCaseRevision()).isEqualTo(1);
        assertThat(first.getPixelSpacingRowMm()).isEqualTo(0.7);
        assertThat(first.getEnqueuedAt().toEpochMilli()).isEqualTo(6000);
        assertThat(plan.tasks()).extracting(CasePlan.KeyedTask::key).contains("1.2.3.2/0", "1.2.3.2/2", "1.2.3.1/0");
    }

    @Test
    void aSecondSeriesOfAPhaseIsSkippedAsADuplicateAndTheThinnerOriginalOneIsKept() {
        List<InstanceRecord> records = new ArrayList<>();
        series("1.2.3.1", "ART 5mm", 6, 3, 1).forEach(r -> records.add(Records.thickness(r, 5.0)));
        series("1.2.3.2", "ART 1.25mm", 20, 4, 2).forEach(r -> records.add(Records.thickness(r, 1.25)));
        series("1.2.3.3", "ART 1.25mm MPR", 20, 5, 3).forEach(r -> records.add(Records.imageType(Records.thickness(r, 1.25), "DERIVED", "SECONDARY")));

        StudyArrived study = new CasePlanner(32, 2.0).plan(snapshot(1, records), 6000).study();

        assertThat(study.getSeries()).extracting(SeriesInfo::getSeriesInstanceUid).containsExactly("1.2.3.2");
        assertThat(study.getSkippedSeries()).extracting(SkippedSeries::getReasonCode).containsOnly("DUPLICATE_PHASE");
        assertThat(study.getSkippedSeries()).extracting(SkippedSeries::getPhase).containsOnly(Phase.AP);
        assertThat(study.getSkippedSeries().get(0).getDetail()).contains("ART 1.25mm");
    }

    @Test
    void aReformattedSeriesIsNotAxial() {
        List<InstanceRecord> records = new ArrayList<>();
        series("1.2.3.1", "PVP COR 3mm", 5, 3, 1).forEach(r -> records.add(Records.coronal(r)));

        StudyArrived study = new CasePlanner(32, 2.0).plan(snapshot(1, records), 6000).study();

        assertThat(study.getSeries()).isEmpty();
        assertThat(study.getExpectedChunks()).isZero();
        assertThat(study.getSkippedSeries()).extracting(SkippedSeries::getReasonCode).containsExactly("NOT_AXIAL");
        assertThat(study.getSkippedSeries().get(0).getPhase()).isEqualTo(Phase.PVP);
    }

    @Test
    void aRevisionNumbersItsTasks() {
        List<InstanceRecord> records = series("1.2.3.1", "PV", 3, 3, 1);

        CasePlan plan = new CasePlanner(2, 2.0).plan(snapshot(3, records), 6000);

        assertThat(plan.tasks()).extracting(t -> t.task().getTaskId()).containsExactly("1.2.3/3/1.2.3.1/0", "1.2.3/3/1.2.3.1/1");
        assertThat(plan.study().getCaseRevision()).isEqualTo(3);
    }
}
