package org.lilnet.phantom;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a phantom study really contains, written as {@code ground-truth.json} in the study's directory. Boxes are in
 * the pixel coordinates of the slices (x = column, y = row, edges of pixels, as the {@code Box} event type) and
 * slice indices follow the slices' order along the normal (as {@code DetectTask.sliceIndex}).
 *
 * @param formatVersion    1
 * @param generator        generator name and version
 * @param seed             generator seed
 * @param studyIndex       index of the study within the seed's sequence
 * @param patientId        PatientID
 * @param patientName      PatientName
 * @param studyInstanceUid StudyInstanceUID (the case id)
 * @param accessionNumber  AccessionNumber
 * @param patientClass     the class of the patient's lesions (HCC, ICC, MET, FNH, HEM, CYST)
 * @param malignancy       "malignant" or "benign"
 * @param cirrhoticLiver   cirrhotic background liver
 * @param manufacturer     Manufacturer
 * @param pixelSpacingMm   PixelSpacing (rows and columns)
 * @param series           every series written, in series number order
 * @param lesions          the lesions
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroundTruth(int formatVersion, String generator, long seed, int studyIndex, String patientId, String patientName,
                          String studyInstanceUid, String accessionNumber, String patientClass, String malignancy,
                          boolean cirrhoticLiver, String manufacturer, double pixelSpacingMm, List<Series> series,
                          List<Lesion> lesions) {

    public static final String FILE_NAME = "ground-truth.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * @param seriesInstanceUid     SeriesInstanceUID
     * @param seriesNumber          SeriesNumber
     * @param phase                 AP, PVP, NON_CONTRAST, DELAYED (UNKNOWN for the localizer)
     * @param localizer             the scout image
     * @param description           SeriesDescription ("" when absent)
     * @param directory             directory of the files, relative to the study directory
     * @param sliceCount            slices
     * @param sliceThicknessMm      SliceThickness (= spacing)
     * @param firstSlicePositionMm  position of slice 0 along the normal (z), mm
     * @param secondsAfterContrast  acquisition start after the contrast start (null without contrast timing in the header)
     * @param contrastInHeader      whether ContrastBolusStartTime is in the header
     * @param noiseSigmaHu          image noise
     * @param breathingShiftMm      how far the liver moved in this series (x, y, z)
     * @param tissueHu              background tissue values of the phase, HU
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Series(String seriesInstanceUid, int seriesNumber, String phase, boolean localizer, String description,
                         String directory, int sliceCount, double sliceThicknessMm, double firstSlicePositionMm,
                         Double secondsAfterContrast, boolean contrastInHeader, double noiseSigmaHu, double[] breathingShiftMm,
                         Map<String, Double> tissueHu) {
    }

    /**
     * @param lesionId   1..n
     * @param lesionClass HCC, ICC, MET, FNH, HEM, CYST
     * @param variant    typical, or the atypical form drawn (no-washout, hypovascular, weak-rim, hypervascular, no-scar,
     *                   flash-filling, slow-filling, complicated)
     * @param sizeMm     longest axial diameter
     * @param centerMm   centre in patient coordinates before breathing shifts
     * @param appearance prescribed HU per phase
     * @param extents    where it is in each axial series (absent for a series that does not show it)
     */
    public record Lesion(int lesionId, String lesionClass, String variant, double sizeMm, double[] centerMm,
                         Map<String, Appearance> appearance, List<Extent> extents) {

        public Extent extentIn(String seriesInstanceUid) {
            return extents.stream().filter(e -> e.seriesInstanceUid().equals(seriesInstanceUid)).findFirst().orElse(null);
        }
    }

    /**
     * @param bodyHu    main lesional tissue (HCC tumour, ICC/MET rim, FNH, HEM nodules, cyst fluid)
     * @param centerHu  central part (necrosis, hypodense centre, scar), if any
     * @param capsuleHu HCC capsule, if visible in the phase
     * @param textureHu heterogeneity amplitude
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Appearance(double bodyHu, Double centerHu, Double capsuleHu, double textureHu) {
    }

    /**
     * @param seriesInstanceUid series
     * @param phase             its phase
     * @param firstSliceIndex   first slice showing the lesion
     * @param lastSliceIndex    last slice showing it
     * @param box               the union of the slice boxes
     * @param centerColumn      centre of the lesion in this series, column (pixel centres at integers)
     * @param centerRow         centre, row
     * @param centerSlice       centre, fractional slice index
     * @param slices            per-slice boxes
     * @param contrastHu        what the lesion changes in the noise-free image on its largest slice: the largest absolute
     *                          difference to the same slice without it, averaged over a 5 mm patch inside the lesion, HU
     *                          (null in older files)
     * @param visible           whether that contrast reaches the series' image noise (null in older files: treat as
     *                          visible). A lesion iso-attenuating to the liver in a phase is not visible there.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Extent(String seriesInstanceUid, String phase, int firstSliceIndex, int lastSliceIndex, Box box,
                         double centerColumn, double centerRow, double centerSlice, List<SliceBox> slices, Double contrastHu,
                         Boolean visible) {

        /** Visible in the series (older ground truth without the flag counts every lesion as visible). */
        public boolean countsAsVisible() {
            return visible == null || visible;
        }
    }

    /** A box: x = column, y = row, pixel edges (a box around pixel (r, c) alone is c, r, c+1, r+1). */
    public record Box(double x1, double y1, double x2, double y2) {

        public double width() {
            return x2 - x1;
        }

        public double height() {
            return y2 - y1;
        }
    }

    public record SliceBox(int sliceIndex, Box box) {
    }

    public void write(Path studyDirectory) throws IOException {
        JSON.writeValue(studyDirectory.resolve(FILE_NAME).toFile(), this);
    }

    public static GroundTruth read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), GroundTruth.class);
    }

    /** Every ground truth under a directory (studies written by the generator), by StudyInstanceUID order of discovery. */
    public static List<GroundTruth> readAll(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().equals(FILE_NAME)).sorted().toList();
            List<GroundTruth> out = new java.util.ArrayList<>();
            for (Path f : found) {
                out.add(read(f));
            }
            return out;
        }
    }

    public LesionClass lesionClassValue() {
        return LesionClass.valueOf(patientClass);
    }

    /** The largest lesion's size, mm (the patient's size for accuracy by size). */
    public double largestLesionMm() {
        return lesions.stream().mapToDouble(Lesion::sizeMm).max().orElse(0);
    }
}
