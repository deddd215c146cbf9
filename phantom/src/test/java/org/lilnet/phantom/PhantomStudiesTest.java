package org.lilnet.phantom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.dicom.CtSlice;
import org.lilnet.dicom.CtSliceReader;
import org.lilnet.events.Phase;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Writes a few small studies once (every kind of series: non-contrast, arterial, portal venous, delayed, localizer;
 * Chinese and English descriptions) and checks them with the real DICOM validator, against the ground truth and
 * against the guide's attenuation values.
 */
class PhantomStudiesTest {

    static final long SEED = 11;
    static final PhantomOptions OPTIONS = PhantomOptions.defaults().withSlicesPerSeries(20)
            .withPhases(EnumSet.of(Phase.NON_CONTRAST, Phase.AP, Phase.PVP, Phase.DELAYED)).withLocalizerProbability(1.0)
            .withClassMix(ClassMix.BALANCED).withLesionSize(22, 40).withLesionCount(1, 2);

    @TempDir
    static Path out;
    static List<GeneratedStudy> studies = new ArrayList<>();

    @BeforeAll
    static void writeStudies() throws IOException {
        PhantomGenerator generator = new PhantomGenerator(OPTIONS);
        // one study of each class (the balanced mix cycles through them), plus one with a Chinese description
        int chinese = -1;
        for (int i = 6; i < 60 && chinese < 0; i++) {
            if (generator.truthOf(SEED, i).series().stream().anyMatch(s -> !s.description().chars().allMatch(c -> c < 128))) {
                chinese = i;
            }
        }
        assertThat(chinese).as("a study with a Chinese SeriesDescription among the first 60").isPositive();
        for (int i = 0; i < 6; i++) {
            studies.add(generator.generateStudy(SEED, i, out));
        }
        studies.add(generator.generateStudy(SEED, chinese, out));
        assertThat(studies.stream().map(s -> s.truth().patientClass()).distinct()).hasSize(6);
    }

    @Test
    void dciodvfyReportsNoErrorOnAnySeries() throws Exception {
        List<Path> checked = new ArrayList<>();
        for (GeneratedStudy study : studies) {
            for (List<Path> files : study.files().values()) {
                checked.add(files.get(files.size() / 2));
            }
        }
        for (Path file : checked) {
            Process p = new ProcessBuilder("dciodvfy", file.toString()).redirectErrorStream(true).start();
            String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(report).as("dciodvfy " + file).doesNotContain("Error").contains("CTImage");
            assertThat(p.exitValue()).as("dciodvfy exit code for " + file).isZero();
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(7 * 5);
    }

    @Test
    void lesionPixelsHaveTheAttenuationTheGroundTruthPrescribes() throws Exception {
        int measured = 0;
        for (GeneratedStudy study : studies) {
            GroundTruth truth = study.truth();
            for (GroundTruth.Lesion lesion : truth.lesions()) {
                for (GroundTruth.Extent e : lesion.extents()) {
                    GroundTruth.Series series = series(truth, e.seriesInstanceUid());
                    List<Path> files = study.files().get(e.seriesInstanceUid());
                    int k = (int) Math.round(e.centerSlice());
                    CtSlice slice = CtSliceReader.read(files.get(k));
                    GroundTruth.Appearance look = lesion.appearance().get(e.phase());
                    double rPx = lesion.sizeMm() / 2 / truth.pixelSpacingMm();
                    double tolerance = 4 * series.noiseSigmaHu() / Math.sqrt(ringOrDiscPixels(rPx)) + look.textureHu() + 6;
                    String what = truth.patientClass() + "/" + lesion.variant() + " lesion " + lesion.lesionId() + " " + e.phase();
                    switch (LesionClass.valueOf(lesion.lesionClass())) {
                        case CYST -> assertThat(disc(slice, e, 0.0, 0.45 * rPx)).as(what).isCloseTo(look.bodyHu(), within(tolerance));
                        case HCC -> {
                            if (look.centerHu() == null) {
                                assertThat(disc(slice, e, 0, 0.3 * rPx)).as(what).isCloseTo(look.bodyHu(), within(tolerance));
                            } else {
                                assertThat(disc(slice, e, 0, 0.12 * rPx)).as(what + " necrosis").isCloseTo(look.centerHu(), within(tolerance + 10));
                            }
                        }
                        case ICC, MET -> {
                            if (lesion.variant().equals("hypervascular")) { // mostly enhancing tissue, a small centre
                                assertThat(ringMedian(slice, e, 0.8 * rPx)).as(what + " rim").isCloseTo(look.bodyHu(), within(tolerance + 8));
                            } else {
                                assertThat(disc(slice, e, 0, 0.2 * rPx)).as(what + " centre").isCloseTo(look.centerHu(), within(tolerance + 8));
                            }
                        }
                        case FNH -> assertThat(ringMedian(slice, e, 0.45 * rPx)).as(what).isCloseTo(look.bodyHu(), within(tolerance));
                        case HEM -> {
                            if (!e.phase().equals("DELAYED")) { // by the delayed phase the centre has filled in
                                assertThat(disc(slice, e, 0, 0.15 * rPx)).as(what + " centre")
                                        .isCloseTo(look.centerHu() == null ? look.bodyHu() : look.centerHu(), within(tolerance + 12));
                            }
                        }
                    }
                    measured++;
                }
            }
        }
        assertThat(measured).isGreaterThanOrEqualTo(7 * 4);
    }

    @Test
    void backgroundOrgansHaveTheirPhaseAttenuation() throws Exception {
        for (GeneratedStudy study : studies.subList(0, 3)) {
            StudyPlan plan = StudyPlanner.plan(OPTIONS, SEED, study.truth().studyIndex());
            Patient patient = plan.patient();
            for (GroundTruth.Series series : study.truth().series()) {
                if (series.localizer()) {
                    continue;
                }
                Phase phase = Phase.valueOf(series.phase());
                List<Path> files = study.files().get(series.seriesInstanceUid());
                CtSlice slice = CtSliceReader.read(files.get(files.size() / 2));
                // the aorta does not move with breathing: a disc in its middle
                int col = (int) Math.round((patient.aortaX - plan.x0()) / plan.pixelSpacing());
                int row = (int) Math.round((patient.aortaY - plan.y0()) / plan.pixelSpacing());
                double aortaRadiusPx = patient.aortaR / plan.pixelSpacing();
                double aorta = mean(slice, row, col, 0.5 * aortaRadiusPx);
                double expected = series.tissueHu().get("AORTA");
                assertThat(aorta).as("aorta " + phase).isCloseTo(expected, within(4 * series.noiseSigmaHu() / Math.sqrt(aortaRadiusPx * aortaRadiusPx * 0.6) + 4));
                assertThat(expected).as("aorta in the guide's range for " + phase).isBetween(switch (phase) {
                    case AP -> 250.0;
                    case PVP -> 140.0;
                    default -> 30.0;
                }, switch (phase) {
                    case AP -> 400.0;
                    case PVP -> 190.0;
                    default -> 150.0;
                });
                // air outside the body, through the stored representation and rescale of the scanner
                // (noise is correlated over about 2.7 pixels, so a mean over n pixels varies like sigma * sqrt(2.7 / n))
                assertThat(mean(slice, 8, 8, 6)).as("air").isCloseTo(-1000, within(4 * series.noiseSigmaHu() * Math.sqrt(2.7 / 113) + 2));
            }
        }
    }

    @Test
    void drawnValuesFollowTheGuideForEveryClass() {
        PhantomGenerator generator = new PhantomGenerator(PhantomOptions.defaults().withClassMix(ClassMix.BALANCED));
        int lesions = 0;
        for (int i = 0; i < 240; i++) {
            GroundTruth t = generator.truthOf(3, i);
            Map<String, Double> ap = tissues(t, "AP");
            Map<String, Double> pvp = tissues(t, "PVP");
            double liverAp = ap.get("LIVER");
            double liverPvp = pvp.get("LIVER");
            assertThat(liverAp).isBetween(t.cirrhoticLiver() ? 60.0 : 65.0, t.cirrhoticLiver() ? 80.0 : 85.0);
            assertThat(liverPvp).isBetween(t.cirrhoticLiver() ? 90.0 : 100.0, t.cirrhoticLiver() ? 115.0 : 130.0);
            assertThat(pvp.get("PORTAL_VEIN")).isBetween(160.0, 220.0);
            assertThat(ap.get("HEPATIC_VEIN")).isBetween(40.0, 60.0);
            for (GroundTruth.Lesion l : t.lesions()) {
                GroundTruth.Appearance a = l.appearance().get("AP");
                GroundTruth.Appearance p = l.appearance().get("PVP");
                boolean typical = l.variant().equals("typical");
                switch (LesionClass.valueOf(l.lesionClass())) {
                    case HCC -> {
                        if (!l.variant().equals("hypovascular")) {
                            assertThat(a.bodyHu()).as("HCC arterial hyperenhancement").isGreaterThan(liverAp + 15).isBetween(100.0, 150.0);
                        }
                        if (!l.variant().equals("no-washout")) {
                            assertThat(p.bodyHu()).as("HCC portal washout").isLessThan(liverPvp - 10).isBetween(60.0, 100.0);
                        }
                        if (p.capsuleHu() != null) {
                            assertThat(p.capsuleHu()).isGreaterThan(p.bodyHu()).isBetween(110.0, 160.0);
                        }
                    }
                    case ICC -> {
                        assertThat(a.centerHu()).isBetween(40.0, 60.0);
                        assertThat(p.centerHu()).as("ICC centre fills in but stays below the liver").isGreaterThan(a.centerHu() - 1)
                                .isLessThan(liverPvp).isBetween(40.0, 90.0);
                        if (typical) {
                            assertThat(a.bodyHu()).as("ICC rim").isBetween(80.0, 110.0);
                        }
                    }
                    case MET -> {
                        if (typical) {
                            assertThat(a.bodyHu()).as("MET rim").isBetween(80.0, 110.0);
                            assertThat(a.centerHu()).isBetween(30.0, 60.0);
                        }
                        assertThat(p.centerHu()).isLessThan(liverPvp);
                    }
                    case FNH -> {
                        assertThat(a.bodyHu()).as("FNH strong homogeneous arterial enhancement").isBetween(120.0, 165.0);
                        assertThat(p.bodyHu()).as("FNH iso in PVP").isCloseTo(liverPvp, within(10.0));
                        if (a.centerHu() != null) {
                            assertThat(a.centerHu()).as("FNH scar").isBetween(40.0, 60.0);
                            assertThat(p.centerHu()).isBetween(40.0, 60.0);
                        }
                    }
                    case HEM -> {
                        if (typical) {
                            assertThat(a.bodyHu()).as("HEM nodules like the aorta").isBetween(200.0, 350.0);
                            assertThat(a.centerHu()).isBetween(40.0, 55.0);
                            assertThat(p.bodyHu()).isBetween(150.0, 200.0);
                        }
                    }
                    case CYST -> {
                        if (typical) {
                            for (String phase : List.of("NON_CONTRAST", "AP", "PVP", "DELAYED")) {
                                assertThat(l.appearance().get(phase).bodyHu()).as("cyst fluid").isBetween(0.0, 20.0);
                            }
                        }
                    }
                }
                lesions++;
            }
        }
        assertThat(lesions).isGreaterThan(240);
    }

    @Test
    void groundTruthBoxesContainTheLesionCentreOnContiguousSlices() {
        for (GeneratedStudy study : studies) {
            for (GroundTruth.Lesion lesion : study.truth().lesions()) {
                assertThat(lesion.extents()).as("lesion seen in every axial series").hasSize(4);
                for (GroundTruth.Extent e : lesion.extents()) {
                    assertThat(e.slices()).hasSize(e.lastSliceIndex() - e.firstSliceIndex() + 1);
                    GroundTruth.SliceBox middle = e.slices().stream()
                            .filter(s -> s.sliceIndex() == (int) Math.round(e.centerSlice())).findFirst().orElseThrow();
                    assertThat(e.centerColumn()).isBetween(middle.box().x1(), middle.box().x2());
                    assertThat(e.centerRow()).isBetween(middle.box().y1(), middle.box().y2());
                    double sizePx = lesion.sizeMm() / study.truth().pixelSpacingMm();
                    assertThat(Math.max(e.box().width(), e.box().height())).isBetween(0.8 * sizePx, 1.3 * sizePx);
                }
            }
        }
    }

    @Test
    void headersCarryPhaseTimingDescriptionsAndGeometry() throws Exception {
        DateTimeFormatter tm = DateTimeFormatter.ofPattern("HHmmss[.SSS]");
        for (GeneratedStudy study : studies) {
            for (GroundTruth.Series series : study.truth().series()) {
                List<Path> files = study.files().get(series.seriesInstanceUid());
                AttributeList first = read(files.get(0));
                assertThat(text(first, TagFromName.StudyInstanceUID)).isEqualTo(study.truth().studyInstanceUid()).startsWith("2.25.");
                assertThat(text(first, TagFromName.SeriesInstanceUID)).startsWith("2.25.");
                assertThat(text(first, TagFromName.SOPInstanceUID)).startsWith(series.seriesInstanceUid() + ".");
                assertThat(text(first, TagFromName.SeriesDescription)).isEqualTo(series.description());
                assertThat(text(first, TagFromName.Manufacturer)).isIn("GE MEDICAL SYSTEMS", "SIEMENS", "Philips", "UIH");
                assertThat(text(first, TagFromName.PatientID)).isEqualTo(study.truth().patientId());
                assertThat(text(first, TagFromName.AccessionNumber)).isEqualTo(study.truth().accessionNumber());
                if (series.localizer()) {
                    assertThat(Attribute.getDelimitedStringValuesOrEmptyString(first, TagFromName.ImageType)).endsWith("LOCALIZER");
                    continue;
                }
                double[] spacing = Attribute.getDoubleValues(first, TagFromName.PixelSpacing);
                assertThat(spacing[0]).isBetween(0.6, 0.9);
                assertThat(Attribute.getSingleDoubleValueOrDefault(first, TagFromName.SliceThickness, 0)).isBetween(0.625, 5.0);
                // slices come in order along z; instance numbers count from the top
                double previous = -Double.MAX_VALUE;
                for (int k = 0; k < files.size(); k++) {
                    AttributeList a = read(files.get(k));
                    double z = Attribute.getDoubleValues(a, TagFromName.ImagePositionPatient)[2];
                    assertThat(z).isGreaterThan(previous);
                    previous = z;
                    assertThat(Attribute.getSingleIntegerValueOrDefault(a, TagFromName.InstanceNumber, -1)).isEqualTo(files.size() - k);
                }
                String start = text(first, TagFromName.ContrastBolusStartTime);
                if (series.contrastInHeader()) {
                    double offset = seconds(LocalTime.parse(text(first, TagFromName.AcquisitionTime), tm))
                            - seconds(LocalTime.parse(start, tm));
                    assertThat(offset).isGreaterThanOrEqualTo(series.secondsAfterContrast() - 0.01);
                    switch (Phase.valueOf(series.phase())) {
                        case AP -> assertThat(offset).isBetween(18.0, 55.0);
                        case PVP -> assertThat(offset).isBetween(55.0, 115.0);
                        case DELAYED -> assertThat(offset).isBetween(180.0, 320.0);
                        default -> throw new AssertionError("contrast timing on a " + series.phase() + " series");
                    }
                } else {
                    assertThat(start).isEmpty();
                    if (!series.phase().equals("NON_CONTRAST")) {
                        assertThat(series.description()).as("without contrast timing the description must name the phase").isNotIn("", "Recon 2");
                    }
                }
            }
        }
    }

    @Test
    void aStudyIsTheSameForItsSeedWhateverIsGeneratedAroundIt(@TempDir Path again) throws Exception {
        GeneratedStudy original = studies.get(2);
        GeneratedStudy alone = new PhantomGenerator(OPTIONS).generateStudy(SEED, 2, again);
        assertThat(alone.truth()).usingRecursiveComparison().isEqualTo(original.truth());
        List<Path> a = original.allFiles();
        List<Path> b = alone.allFiles();
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            assertThat(Files.readAllBytes(b.get(i))).as(a.get(i).toString()).isEqualTo(Files.readAllBytes(a.get(i)));
        }
        GroundTruth other = new PhantomGenerator(OPTIONS).truthOf(SEED + 1, 2);
        assertThat(other.studyInstanceUid()).isNotEqualTo(original.truth().studyInstanceUid());
    }

    // --- helpers

    static GroundTruth.Series series(GroundTruth t, String uid) {
        return t.series().stream().filter(s -> s.seriesInstanceUid().equals(uid)).findFirst().orElseThrow();
    }

    static Map<String, Double> tissues(GroundTruth t, String phase) {
        return t.series().stream().filter(s -> s.phase().equals(phase)).findFirst().orElseThrow().tissueHu();
    }

    static double ringOrDiscPixels(double rPx) {
        return Math.max(4, Math.PI * Math.pow(0.2 * rPx, 2));
    }

    /** Mean HU over a disc around the lesion centre (offset along x by {@code offsetPx}). */
    static double disc(CtSlice s, GroundTruth.Extent e, double offsetPx, double radiusPx) {
        return mean(s, (int) Math.round(e.centerRow()), (int) Math.round(e.centerColumn() + offsetPx), radiusPx);
    }

    static double mean(CtSlice s, int row, int col, double radiusPx) {
        double r = Math.max(1.5, radiusPx);
        double sum = 0;
        int n = 0;
        for (int dr = (int) -r; dr <= r; dr++) {
            for (int dc = (int) -r; dc <= r; dc++) {
                if (dr * dr + dc * dc <= r * r) {
                    sum += s.hu(row + dr, col + dc);
                    n++;
                }
            }
        }
        return sum / n;
    }

    /** Median HU on a ring around the lesion centre (robust to an FNH's scar spokes). */
    static double ringMedian(CtSlice s, GroundTruth.Extent e, double radiusPx) {
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < 72; i++) {
            double a = 2 * Math.PI * i / 72;
            values.add(s.hu((int) Math.round(e.centerRow() + radiusPx * Math.sin(a)), (int) Math.round(e.centerColumn() + radiusPx * Math.cos(a))));
        }
        values.sort(Float::compare);
        return values.get(values.size() / 2);
    }

    static AttributeList read(Path file) throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toString());
        return list;
    }

    static String text(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag);
    }

    static double seconds(LocalTime t) {
        return t.toNanoOfDay() / 1e9;
    }
}
