package org.lilnet.phantom;

import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;

/** Everything drawn for one study before any pixel is rendered: the patient, the scanner, the series. */
record StudyPlan(int index, long seed, Patient patient, Scanner scanner, String patientId, String patientName,
                 LocalDate birthDate, String sex, int age, String studyInstanceUid, String accessionNumber, String frameOfReferenceUid,
                 LocalDate studyDate, LocalTime studyTime, String studyDescription, String institution, String station,
                 String contrastAgent, LocalTime contrastStart, double contrastVolumeMl, double contrastRateMlPerS,
                 double pixelSpacing, double x0, double y0, int kvp, int tubeCurrent, List<SeriesPlan> series) {

    /** Directory name of the study under the output directory. */
    String directoryName() {
        return String.format("study-%04d-%s", index, patientId);
    }
}
