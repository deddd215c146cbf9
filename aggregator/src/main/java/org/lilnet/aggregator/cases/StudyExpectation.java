package org.lilnet.aggregator.cases;

import org.lilnet.events.Phase;
import org.lilnet.events.RefusedInstance;
import org.lilnet.events.SkippedSeries;
import org.lilnet.events.StudyArrived;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What one revision of a case expects (from its StudyArrived): its series, phases and chunks, and notes for the reader. */
public record StudyExpectation(int revision, String patientId, String studyInstanceUid, String accessionNumber,
                               List<SeriesExpectation> series, int refusedInstances, List<String> notes,
                               long firstInstanceAt, long lastInstanceAt, long openedAt) {

    /** Notes beyond this many are summarised in one line: a study with 500 refused files must not make a huge diagnosis. */
    static final int MAX_NOTES = 20;

    public StudyExpectation {
        series = List.copyOf(series);
        notes = List.copyOf(notes);
    }

    public static StudyExpectation from(StudyArrived s) {
        List<String> notes = new ArrayList<>();
        for (SkippedSeries skipped : s.getSkippedSeries()) {
            notes.add("series " + describe(skipped.getDescription(), skipped.getSeriesInstanceUid()) + " (" + skipped.getInstanceCount()
                    + " instances) not used: " + skipped.getReasonCode() + " - " + skipped.getDetail());
        }
        for (RefusedInstance refused : s.getRefusedInstances()) {
            notes.add("instance " + (refused.getSopInstanceUid() == null ? "(unreadable)" : refused.getSopInstanceUid()) + " refused: "
                    + refused.getReasonCode() + " - " + refused.getDetail());
        }
        if (notes.size() > MAX_NOTES) {
            int more = notes.size() - (MAX_NOTES - 1);
            notes = new ArrayList<>(notes.subList(0, MAX_NOTES - 1));
            notes.add("... and " + more + " more skipped series or refused instances (see the StudyArrived event of revision "
                    + s.getCaseRevision() + ")");
        }
        return new StudyExpectation(s.getCaseRevision(), s.getPatientId(), s.getStudyInstanceUid(), s.getAccessionNumber(),
                s.getSeries().stream().map(SeriesExpectation::from).toList(), s.getRefusedInstances().size(), notes,
                s.getFirstInstanceAt().toEpochMilli(), s.getLastInstanceAt().toEpochMilli(), s.getOpenedAt().toEpochMilli());
    }

    private static String describe(String description, String uid) {
        return description == null ? uid : "'" + description + "' " + uid;
    }

    public Optional<SeriesExpectation> series(String seriesInstanceUid) {
        return series.stream().filter(s -> s.seriesInstanceUid().equals(seriesInstanceUid)).findFirst();
    }

    /** Phases of the processed series, in the enum's order (AP before PVP). */
    public List<Phase> phases() {
        Set<Phase> phases = EnumSet.noneOf(Phase.class);
        series.forEach(s -> phases.add(s.phase()));
        return List.copyOf(phases);
    }

    /** Both phases of the paper are listed: the case can be complete without waiting for another revision. */
    public boolean bothPhases() {
        List<Phase> phases = phases();
        return phases.contains(Phase.AP) && phases.contains(Phase.PVP);
    }

    public int expectedChunks() {
        return series.stream().mapToInt(SeriesExpectation::chunkCount).sum();
    }

    public int sliceCount() {
        return series.stream().mapToInt(SeriesExpectation::sliceCount).sum();
    }
}
