package org.lilnet.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Lesion;
import org.lilnet.phantom.GroundTruth;
import org.lilnet.phantom.eval.DiagnosisJson;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code lilnet eval --run}: a phantom study through the services' stage code with the committed phantom models, and
 * the figures of the diagnosis it produced.
 */
class EvalRunTest {

    private static final Path MANIFEST = Path.of(System.getProperty("lilnet.repo.root", "..")).resolve("models/manifest.json")
            .toAbsolutePath().normalize();

    @Test
    void diagnosesAStudyThroughTheStagesAndEvaluatesIt(@TempDir Path dir) throws Exception {
        Path studies = dir.resolve("studies");
        assertThat(new CommandLine(new PhantomCommand()).execute("--studies", "1", "--seed", "11", "--out", studies.toString(),
                "--slices", "12", "--thickness", "5", "--phases", "AP,PVP", "--localizer", "never", "--class-mix", "CYST",
                "--lesions", "1", "--lesion-size", "40..50")).isZero();
        Path saved = dir.resolve("diagnoses.jsonl");
        Path crops = dir.resolve("crops.jsonl");
        Path report = dir.resolve("report.json");

        int exit = new CommandLine(new EvalCommand()).execute("--run", studies.toString(), "--models", MANIFEST.toString(),
                "--threads", "1", "--save", saved.toString(), "--crops", crops.toString(), "--json", report.toString(), "--bootstrap", "20");

        assertThat(exit).isZero();
        GroundTruth truth = GroundTruth.readAll(studies).get(0);
        List<Diagnosis> diagnoses = DiagnosisJson.read(saved);
        assertThat(diagnoses).hasSize(1);
        Diagnosis d = diagnoses.get(0);
        assertThat(d.getCaseId()).isEqualTo(truth.studyInstanceUid());
        assertThat(d.getStatus()).isEqualTo(DiagnosisStatus.COMPLETE);
        assertThat(d.getPhasesUsed()).extracting(Enum::name).containsExactlyInAnyOrder("AP", "PVP");

        // the fused BM logits are the mean over every crop of both phases, as the crops left the classifier stage
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> cropLines = new ArrayList<>();
        for (String line : Files.readAllLines(crops)) {
            cropLines.add(json.readTree(line));
        }
        assertThat(cropLines).isNotEmpty();
        assertThat(d.getPhases().stream().mapToInt(p -> p.getCropCount()).sum()).isEqualTo(cropLines.size());
        for (int k = 0; k < 2; k++) {
            int index = k;
            double mean = cropLines.stream().mapToDouble(c -> c.path("bm").get(index).asDouble()).average().orElseThrow();
            assertThat((double) d.getBm().getMeanLogits().get(k)).isCloseTo(mean, within(1e-4));
        }

        // a 4-5 cm cyst is found where the ground truth has it, in at least one phase
        boolean found = false;
        for (Lesion l : d.getLesions()) {
            GroundTruth.Extent e = truth.lesions().get(0).extentIn(l.getSeriesInstanceUid());
            if (e != null && overlaps(e.box(), l) && l.getFirstSliceIndex() <= e.lastSliceIndex() && l.getLastSliceIndex() >= e.firstSliceIndex()) {
                found = true;
            }
        }
        assertThat(found).as("a lesion of the diagnosis on the cyst: %s", d.getLesions()).isTrue();

        JsonNode figures = json.readTree(report.toFile());
        assertThat(figures.path("patients").asInt()).isEqualTo(1);
        assertThat(figures.path("diagnosed").asInt()).isEqualTo(1);
        assertThat(figures.path("detection").get(0).path("recallAtLeast1cm").asDouble()).isGreaterThan(0);
    }

    @Test
    void aFolderWithoutStudiesIsAnErrorNotEmptyFigures(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        int exit = new CommandLine(new EvalCommand()).execute("--run", dir.resolve("empty").toString(), "--models", MANIFEST.toString());
        assertThat(exit).isEqualTo(2);
    }

    private static boolean overlaps(GroundTruth.Box b, Lesion l) {
        var x = l.getLargestBox();
        return x.getX1() < b.x2() && b.x1() < x.getX2() && x.getY1() < b.y2() && b.y1() < x.getY2();
    }
}
