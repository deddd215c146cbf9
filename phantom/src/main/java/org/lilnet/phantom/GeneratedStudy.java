package org.lilnet.phantom;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A study written by the generator.
 *
 * @param directory   the study's directory (ground-truth.json and one directory per series)
 * @param truth       its ground truth
 * @param files       DICOM files by SeriesInstanceUID, in slice index order (position along the normal)
 * @param sliceCount  axial slices written
 */
public record GeneratedStudy(Path directory, GroundTruth truth, Map<String, List<Path>> files, int sliceCount) {

    public Path groundTruthFile() {
        return directory.resolve(GroundTruth.FILE_NAME);
    }

    /** Every DICOM file of the study. */
    public List<Path> allFiles() {
        return files.values().stream().flatMap(List::stream).toList();
    }
}
