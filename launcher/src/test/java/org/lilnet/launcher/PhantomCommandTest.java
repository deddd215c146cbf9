package org.lilnet.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.phantom.GroundTruth;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class PhantomCommandTest {

    @Test
    void writesStudiesWithTheAskedSeriesAndSlices(@TempDir Path out) throws Exception {
        int exit = new CommandLine(new PhantomCommand()).execute("--studies", "1", "--first", "4", "--seed", "9", "--out", out.toString(),
                "--slices", "8", "--thickness", "5", "--phases", "AP,PVP", "--localizer", "never", "--class-mix", "CYST", "--lesions", "2",
                "--lesion-size", "15..20");

        assertThat(exit).isZero();
        List<GroundTruth> truths = GroundTruth.readAll(out);
        assertThat(truths).hasSize(1);
        GroundTruth t = truths.get(0);
        assertThat(t.studyIndex()).isEqualTo(4);
        assertThat(t.patientClass()).isEqualTo("CYST");
        assertThat(t.lesions()).hasSize(2).allSatisfy(l -> assertThat(l.sizeMm()).isBetween(13.0, 23.0));
        assertThat(t.series()).extracting(GroundTruth.Series::phase).containsExactly("AP", "PVP");
        assertThat(t.series()).allSatisfy(s -> assertThat(s.sliceThicknessMm()).isEqualTo(5.0));
        try (Stream<Path> files = Files.walk(out)) {
            assertThat(files.filter(f -> f.toString().endsWith(".dcm")).count()).isEqualTo(16);
        }
    }

    @Test
    void aBadRangeIsRefusedWithTheOptionNamed() {
        var err = new java.io.StringWriter();
        CommandLine cl = new CommandLine(new PhantomCommand());
        cl.setErr(new java.io.PrintWriter(err));
        int exit = cl.execute("--studies", "1", "--out", "x", "--thickness", "thick");
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--thickness");
    }
}
