package org.lilnet.ingest.cases;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lilnet.events.Phase;

import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real-world SeriesDescription and timing combinations (scanner defaults and what technologists type, in English,
 * abbreviations, Chinese and Japanese) with the phase and decision we expect.
 */
class PhaseRecognizerTest {

    /**
     * One row: description, ImageType, ContrastBolusAgent, ContrastBolusStartTime, AcquisitionTime, expected phase,
     * expected skip reason ("-" = processed), a word the evidence must contain.
     */
    record Row(String description, String imageType, String agent, String start, String acquired, Phase phase, String skip,
               String evidence) {
        @Override
        public String toString() {
            return "'" + description + "' " + (imageType.isEmpty() ? "" : imageType + " ") + (start == null ? "" : start + "->" + acquired)
                    + " => " + phase + (skip.equals("-") ? "" : " skipped " + skip);
        }
    }

    static Row row(String description, String imageType, String agent, String start, String acquired, Phase phase, String skip, String evidence) {
        return new Row(description, imageType, agent, start, acquired, phase, skip, evidence);
    }

    static Stream<Row> table() {
        return Stream.of(
                // descriptions that name the arterial phase
                row("ART 1.25mm", "", null, null, null, Phase.AP, "-", "arterial"),
                row("Arterial Phase 1.25mm", "", "Iopromide", null, null, Phase.AP, "-", "arterial"),
                row("AP", "", null, null, null, Phase.AP, "-", "'AP'"),
                row("动脉期", "", null, null, null, Phase.AP, "-", "动脉期"),
                row("肝动脉期 1.25mm", "", null, null, null, Phase.AP, "-", "arterial"),
                row("Late Arterial 2.5 mm", "", null, null, null, Phase.AP, "-", "arterial"),
                row("LAP 0.625 STND", "", null, null, null, Phase.AP, "-", "arterial"),
                row("HAP Liver 1.0 Br40", "", null, null, null, Phase.AP, "-", "arterial"),
                row("ＡＲＴ　５ｍｍ", "", null, null, null, Phase.AP, "-", "arterial"),
                row("動脈相 2mm", "", null, null, null, Phase.AP, "-", "arterial"),
                row("A-phase 2.5", "", null, null, null, Phase.AP, "-", "arterial"),
                // portal venous
                row("PV", "", null, null, null, Phase.PVP, "-", "portal venous"),
                row("Portal Venous", "", null, null, null, Phase.PVP, "-", "portal venous"),
                row("门脉期", "", null, null, null, Phase.PVP, "-", "门脉期"),
                row("静脉期", "", null, null, null, Phase.PVP, "-", "portal venous"),
                row("门静脉期 5mm", "", null, null, null, Phase.PVP, "-", "portal venous"),
                row("5.0 PVP", "", null, null, null, Phase.PVP, "-", "portal venous"),
                row("PVP5mm", "", null, null, null, Phase.PVP, "-", "portal venous"),
                row("Venous 3.0 B30f", "", null, null, null, Phase.PVP, "-", "portal venous"),
                row("Portal-venous phase 1.0 Br40", "", null, null, null, Phase.PVP, "-", "portal venous"),
                row("Venous phase 静脉期", "", null, null, null, Phase.PVP, "-", "portal venous"),
                // skipped phases
                row("Delayed 5mm", "", null, null, null, Phase.DELAYED, "DELAYED", "delayed"),
                row("延迟期", "", null, null, null, Phase.DELAYED, "DELAYED", "delayed"),
                row("Equilibrium phase 3 min", "", null, null, null, Phase.DELAYED, "DELAYED", "delayed"),
                row("平扫", "", null, null, null, Phase.NON_CONTRAST, "NON_CONTRAST", "non-contrast"),
                row("NC 5mm", "", null, null, null, Phase.NON_CONTRAST, "NON_CONTRAST", "non-contrast"),
                row("Non-Contrast Abdomen", "", null, null, null, Phase.NON_CONTRAST, "NON_CONTRAST", "non-contrast"),
                row("Plain CT 5.0", "", null, null, null, Phase.NON_CONTRAST, "NON_CONTRAST", "non-contrast"),
                row("ABD W/O CONTRAST", "", null, null, null, Phase.NON_CONTRAST, "NON_CONTRAST", "non-contrast"),
                row("Pre-contrast 5.0 B30f", "", "Ultravist", null, null, Phase.NON_CONTRAST, "NON_CONTRAST", "non-contrast"),
                // localizers and projections, whatever else the description says
                row("Topogram 0.6 T20f", "ORIGINAL\\PRIMARY\\LOCALIZER", null, null, null, Phase.UNKNOWN, "LOCALIZER", "LOCALIZER"),
                row("Scout AP/LAT", "", null, null, null, Phase.UNKNOWN, "LOCALIZER", "localizer"),
                row("", "ORIGINAL\\PRIMARY\\LOCALIZER", null, null, null, Phase.UNKNOWN, "LOCALIZER", "LOCALIZER"),
                row("定位像", "", null, null, null, Phase.UNKNOWN, "LOCALIZER", "localizer"),
                row("ART MIP 10mm", "DERIVED\\SECONDARY\\MIP", null, null, null, Phase.UNKNOWN, "PROJECTION", "projection"),
                // no useful description: the clocks decide
                row("", "", "Iopromide", "100000", "100027", Phase.AP, "-", "27 s after contrast start"),
                row(null, "", null, "100000", "100110", Phase.PVP, "-", "70 s after"),
                row("Abdomen 5.0 B30f", "", "Omnipaque", "100000", "100330", Phase.DELAYED, "DELAYED", "210 s after"),
                row("Abdomen 5.0 B30f", "", null, "100000", "095800", Phase.NON_CONTRAST, "NON_CONTRAST", "120 s before"),
                row("Liver 1.25", "", null, "235950", "000020", Phase.AP, "-", "30 s after"),
                row("Abdomen 5.0", "", null, "100000", "100010", Phase.UNKNOWN, "UNKNOWN_PHASE", "too early"),
                row("Abdomen 5.0", "", null, "070000", "100000", Phase.UNKNOWN, "UNKNOWN_PHASE", "implausible"),
                // words that look like phases but are not
                row("CT CAP W CONTRAST", "", null, "100000", "100035", Phase.AP, "-", "35 s after"),
                row("A/P 5mm", "", null, null, null, Phase.UNKNOWN, "UNKNOWN_PHASE", "no contrast timing"),
                row("Abdomen 5.0 B30f", "", null, null, null, Phase.UNKNOWN, "UNKNOWN_PHASE", "no contrast agent"),
                row("C+ 5mm", "", null, null, null, Phase.UNKNOWN, "UNKNOWN_PHASE", "says contrast"),
                row("Abdomen", "", "NONE", null, null, Phase.NON_CONTRAST, "NON_CONTRAST", "ContrastBolusAgent"),
                // several phases named: the clocks break the tie, or nothing does
                row("AP/PV fusion", "", null, "100000", "100025", Phase.AP, "-", "several phases"),
                row("动脉期+门脉期", "", null, null, null, Phase.UNKNOWN, "UNKNOWN_PHASE", "several phases"),
                // the description wins over a clock that disagrees, and says so
                row("Arterial", "", "Iopromide", "100000", "100115", Phase.AP, "-", "would say portal venous"));
    }

    @ParameterizedTest
    @MethodSource("table")
    void recognisesThePhase(Row row) {
        SeriesFacts facts = new SeriesFacts(row.description(),
                row.imageType().isEmpty() ? List.of() : Arrays.asList(row.imageType().split("\\\\")), row.agent(),
                time(row.start()), time(row.acquired()));

        PhaseDecision decision = new PhaseRecognizer().recognize(facts);

        assertThat(decision.phase()).as(row.toString()).isEqualTo(row.phase());
        assertThat(decision.skipReason()).as(row.toString()).isEqualTo(row.skip().equals("-") ? null : row.skip());
        assertThat(decision.evidence()).as(row.toString()).containsIgnoringCase(row.evidence());
    }

    @org.junit.jupiter.api.Test
    void agreesWithThePhantomGeneratorOnItsHeaderVariety() {
        org.lilnet.phantom.PhantomGenerator generator = new org.lilnet.phantom.PhantomGenerator(org.lilnet.phantom.PhantomOptions.defaults());
        LocalTime contrastStart = LocalTime.of(9, 30);
        int series = 0;
        for (int i = 0; i < 150; i++) {
            for (var s : generator.truthOf(11, i).series()) {
                // as the planner sees it: the study's contrast start when the series has none (the non-contrast series)
                boolean timed = s.secondsAfterContrast() != null;
                SeriesFacts facts = new SeriesFacts(s.description(), s.localizer() ? List.of("ORIGINAL", "PRIMARY", "LOCALIZER") : List.of(),
                        s.contrastInHeader() ? "Iohexol" : null, timed ? contrastStart : null,
                        timed ? contrastStart.plusNanos(Math.round(s.secondsAfterContrast() * 1e9)) : null);
                PhaseDecision d = new PhaseRecognizer().recognize(facts);
                if (s.localizer()) {
                    assertThat(d.skipReason()).as("study %d %s", i, s.description()).isEqualTo("LOCALIZER");
                } else {
                    assertThat(d.phase()).as("study %d '%s' %s s", i, s.description(), s.secondsAfterContrast()).isEqualTo(Phase.valueOf(s.phase()));
                }
                series++;
            }
        }
        assertThat(series).isGreaterThan(300);
    }

    @org.junit.jupiter.api.Test
    void theTableHasAtLeastThirtyCombinations() {
        assertThat(table().count()).isGreaterThanOrEqualTo(30);
    }

    @org.junit.jupiter.api.Test
    void tokensSplitLettersFromDigits() {
        assertThat(PhaseRecognizer.tokens("5.0pvp art1.25mm w/o")).containsExactly("5", "0", "pvp", "art", "1", "25", "mm", "w", "o");
    }

    private static LocalTime time(String tm) {
        return tm == null ? null : org.lilnet.dicom.DicomTimes.parseTime(tm);
    }
}
