package org.lilnet.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerformanceReportTest {

    @Test
    void targetsSayWhetherTheyAreMetAndByHowMuch() {
        Target ratio = Target.atLeast("detector through Kafka / bare loop", 0.81, 0.90, "");
        assertFalse(ratio.met());
        assertEquals(0.1, ratio.shortfall(), 1e-9);
        assertEquals("MISSED by 0.09 (10%)", ratio.status());
        assertEquals(">= 0.90", ratio.condition());

        Target overhead = Target.atMost("overhead beyond compute, p95", 2.6, 2.0, " s");
        assertEquals("MISSED by 0.60 s (30%)", overhead.status());
        assertTrue(Target.atMost("overhead beyond compute, p95", 1.2, 2.0, " s").met());
        assertEquals("met", Target.atLeast("ingest", 250, 200, " instances/s").status());
        assertEquals("not measured", Target.atLeast("ingest", Double.NaN, 200, " instances/s").status());
        assertFalse(Target.atLeast("ingest", Double.NaN, 200, "").met());
    }

    @Test
    void theDocumentHasMachineCommandTargetsAndTables(@TempDir Path dir) throws Exception {
        PerformanceReport report = new PerformanceReport("Performance")
                .preamble("Command: `lilnet bench`. Date: 2026-11-26.")
                .machine("CPU", "2 cores")
                .machine("load average during the run", "3.1 (max 8.2)")
                .target(Target.atLeast("classifier through Kafka / bare loop", 0.97, 0.90, ""))
                .target(Target.atLeast("detector through Kafka / bare loop", 0.81, 0.90, "")
                        .explained("it reads the DICOM files.", "read on a second thread."));
        report.section("Workers").paragraph("Alternating rounds.").table(Table.of("worker", "slices/s").row("detector | stand-in", 5.04));
        report.section("Workers").paragraph("Same section again.");

        Path file = dir.resolve("docs/PERFORMANCE.md");
        report.write(file);
        String md = Files.readString(file);
        assertTrue(md.startsWith("# Performance\n"), md);
        assertTrue(md.contains("Command: `lilnet bench`. Date: 2026-11-26."), md);
        assertTrue(md.contains("| CPU | 2 cores |"), md);
        assertTrue(md.contains("| classifier through Kafka / bare loop >= 0.90 | 0.97 | met |"), md);
        assertTrue(md.contains("| detector through Kafka / bare loop >= 0.90 | 0.81 | MISSED by 0.09 (10%) |"), md);
        assertTrue(md.contains("- **detector through Kafka / bare loop**: 0.81 against >= 0.90, by 0.09 (10%). Why: it reads the DICOM files. "
                + "Next step: read on a second thread."), md);
        assertTrue(md.contains("| detector \\| stand-in | 5.04 |"), "pipes in cells are escaped: " + md);
        assertEquals(1, md.split("## Workers", -1).length - 1, "one section per heading: " + md);
        assertTrue(md.indexOf("Alternating rounds.") < md.indexOf("Same section again."), md);
        assertFalse(md.contains("\n\n\n"), md);
        assertFalse(Files.exists(dir.resolve("docs/PERFORMANCE.md.tmp")));
    }

    @Test
    void rowsMustFitTheColumns() {
        assertThrows(IllegalArgumentException.class, () -> Table.of("a", "b").row("only one"));
    }
}
