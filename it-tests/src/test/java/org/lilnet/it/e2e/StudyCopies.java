package org.lilnet.it.e2e;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import org.lilnet.dicom.DicomUids;
import org.lilnet.phantom.GeneratedStudy;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A phantom study again under new UIDs (another patient visit with the very same images), so that a failure scenario
 * can be compared with the diagnosis of the original sent while nothing failed. Optionally one slice is corrupted.
 *
 * @param studyInstanceUid the copy's study (its case id)
 * @param files            the copy's files, by series in slice order like the original
 * @param seriesUids       original SeriesInstanceUID -> the copy's
 * @param original         the study copied
 */
record StudyCopies(String studyInstanceUid, Map<String, List<Path>> files, Map<String, String> seriesUids, GeneratedStudy original) {

    List<Path> allFiles() {
        return files.values().stream().flatMap(List::stream).toList();
    }

    /** Copies every file of the study under {@code out} with new study, series and instance UIDs. */
    static StudyCopies of(GeneratedStudy study, Path out) throws Exception {
        String studyUid = DicomUids.random();
        Map<String, String> seriesUids = new HashMap<>();
        Map<String, List<Path>> files = new LinkedHashMap<>();
        for (var series : study.files().entrySet()) {
            String newSeries = DicomUids.random();
            seriesUids.put(series.getKey(), newSeries);
            List<Path> copied = new ArrayList<>();
            Path dir = out.resolve(newSeries);
            Files.createDirectories(dir);
            for (Path f : series.getValue()) {
                AttributeList list = read(f);
                list.replaceWithValueIfPresent(TagFromName.StudyInstanceUID, studyUid);
                list.replaceWithValueIfPresent(TagFromName.SeriesInstanceUID, newSeries);
                list.replaceWithValueIfPresent(TagFromName.SOPInstanceUID, DicomUids.random());
                Path target = dir.resolve(f.getFileName());
                write(list, target);
                copied.add(target);
            }
            files.put(newSeries, List.copyOf(copied));
        }
        return new StudyCopies(studyUid, files, Map.copyOf(seriesUids), study);
    }

    /**
     * Rewrites one file with half of its pixel data left out (a well-formed DICOM object whose pixel data is too short
     * for its rows and columns: a sender's disk or network error). dcmtk sends it as it is; the ingest-service refuses it.
     */
    static void cutPixelData(Path file) throws Exception {
        AttributeList list = read(file);
        Attribute pixels = list.getPixelData();
        short[] values = pixels.getShortValues();
        OtherWordAttribute cut = new OtherWordAttribute(TagFromName.PixelData);
        cut.setValues(Arrays.copyOf(values, values.length / 2));
        list.put(cut);
        write(list, file);
    }

    private static AttributeList read(Path f) throws Exception {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(f.toFile())) {
            list.read(in);
        }
        return list;
    }

    private static void write(AttributeList list, Path target) throws Exception {
        list.removeGroupLengthAttributes();
        list.removeMetaInformationHeaderAttributes();
        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "LILNET-IT");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target))) {
            list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
        } catch (IOException e) {
            throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
