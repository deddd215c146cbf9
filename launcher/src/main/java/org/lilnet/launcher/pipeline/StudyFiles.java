package org.lilnet.launcher.pipeline;

import org.lilnet.dicom.DicomHeaderReader;
import org.lilnet.phantom.GeneratedStudy;
import org.lilnet.phantom.GroundTruth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of one study to send, with its ground truth when there is one (phantom studies).
 *
 * @param studyInstanceUid the study (the case id), null for files that are not readable DICOM
 * @param files            its files, in the order they are sent
 * @param truth            its ground truth, or null
 */
public record StudyFiles(String studyInstanceUid, List<Path> files, GroundTruth truth) {

    public StudyFiles {
        files = List.copyOf(files);
    }

    public static StudyFiles of(GeneratedStudy study) {
        return new StudyFiles(study.truth().studyInstanceUid(), study.allFiles(), study.truth());
    }

    /**
     * Every file under a directory, grouped by StudyInstanceUID (in order of discovery; files sorted by path); files that
     * are not readable DICOM form one group without a study, sent all the same (the ingest-service says why it refuses
     * them). {@code ground-truth.json} files (from {@code lilnet phantom}) give their studies' truth.
     */
    public static List<StudyFiles> scan(Path directory) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(directory)) {
            all = walk.filter(Files::isRegularFile).sorted().toList();
        }
        Map<String, GroundTruth> truths = new HashMap<>();
        for (GroundTruth t : GroundTruth.readAll(directory)) {
            truths.put(t.studyInstanceUid(), t);
        }
        Map<String, List<Path>> byStudy = new LinkedHashMap<>();
        List<Path> unreadable = new ArrayList<>();
        for (Path f : all) {
            String name = f.getFileName().toString();
            if (name.equals(GroundTruth.FILE_NAME) || name.equalsIgnoreCase("DICOMDIR")) {
                continue;
            }
            String study;
            try {
                study = DicomHeaderReader.read(f).studyInstanceUid();
            } catch (Exception e) {
                study = null;
            }
            if (study == null) {
                unreadable.add(f);
            } else {
                byStudy.computeIfAbsent(study, s -> new ArrayList<>()).add(f);
            }
        }
        List<StudyFiles> studies = new ArrayList<>();
        byStudy.forEach((uid, files) -> studies.add(new StudyFiles(uid, files, truths.get(uid))));
        if (!unreadable.isEmpty()) {
            studies.add(new StudyFiles(null, unreadable, null));
        }
        return studies;
    }

    /** How the study is named in the output: the patient of its truth, else the end of its UID. */
    public String label() {
        if (truth != null) {
            return truth.patientId();
        }
        if (studyInstanceUid == null) {
            return "(not DICOM)";
        }
        return studyInstanceUid.length() > 14 ? "..." + studyInstanceUid.substring(studyInstanceUid.length() - 11) : studyInstanceUid;
    }
}
