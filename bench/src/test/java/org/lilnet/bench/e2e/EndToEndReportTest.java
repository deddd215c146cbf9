package org.lilnet.bench.e2e;

import org.lilnet.bench.report.PerformanceReport;
import org.lilnet.bench.report.Target;
import org.lilnet.bench.support.ModelSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndToEndReportTest {

    private static final ModelSet SET = new ModelSet("phantom", "phantom models", Path.of("models/manifest.json"), "phantom", "phantom");
    private static final EndToEndBench.Settings SETTINGS = new EndToEndBench.Settings(3, 200, 0.5, List.of(50, 200, 800), 2, Duration.ofSeconds(2));

    @Test
    void theQuietPeriodIsNotCountedAsOverhead() {
        // 2.1 s waiting for the study to be complete, 1.5 s models, 0.4 s reading: 0.5 s of everything else
        EndToEndBench.StudyFigures f = study(4.5, 2.1, 1.5, 0.4);
        assertEquals(0.5, f.other(), 1e-9);
        assertEquals(2.4, f.afterQuiet(), 1e-9);
        assertEquals(1.9, f.compute(), 1e-9);
    }

    @Test
    void targetsComeFromTheP95OfTheOverheadTheFitAndTheHeapGrowth() {
        List<EndToEndBench.StudyFigures> studies = List.of(study(4.0, 2.0, 1.5, 0.3), study(4.4, 2.0, 1.5, 0.3), study(6.2, 2.0, 1.5, 0.3));
        List<EndToEndBench.SizeFigures> sizes = new ArrayList<>();
        for (int slices : List.of(50, 200, 800)) {
            // CPU exactly linear in slices; the detector's heap after GC grows by 30 MB from the smallest to the largest study
            Map<String, Double> cpu = new LinkedHashMap<>(Map.of("detector-worker", 0.01 * slices));
            Map<String, Long> heap = new LinkedHashMap<>(Map.of("detector-worker", 20_000_000L + (slices == 800 ? 30_000_000L : 0)));
            sizes.add(new EndToEndBench.SizeFigures(slices, study(2.0 + 0.01 * slices, 2.0, 0.005 * slices, 0.001 * slices), cpu,
                    Map.of("detector-worker", 400_000_000L), heap));
        }
        EndToEndBench.Result result = new EndToEndBench.Result(SET, 6.0, studies.get(0), studies, Map.of("detector-worker", 400_000_000L), sizes,
                "mean 1.0", "mean 1.0", SETTINGS);
        PerformanceReport doc = new PerformanceReport("Performance");
        List<Target> targets = new ArrayList<>();

        EndToEndBench.report(List.of(result), doc.section("latency"), doc.section("growth"), targets);

        // overheads 0.2, 0.6, 2.4 s: p95 interpolates between the two largest (0.6 + 0.9 x 1.8 = 2.22)
        Target overhead = targets.get(0);
        assertEquals(2.22, overhead.value(), 1e-9);
        assertFalse(overhead.met());
        Target linear = targets.get(1);
        assertEquals(1.0, linear.value(), 1e-9);
        assertTrue(linear.met());
        Target memory = targets.get(2);
        assertEquals(30.0, memory.value(), 1e-9);
        assertFalse(memory.met());
        String md = doc.toMarkdown();
        assertTrue(md.contains("one 200-slice study every 6.0 s"), md);
        assertTrue(md.contains("not overhead"), "the document says how the quiet period is treated: " + md);
    }

    private static EndToEndBench.StudyFigures study(double total, double quiet, double model, double read) {
        return new EndToEndBench.StudyFigures("2.25.1", 200, "COMPLETE", 10, total, quiet, model, read, total + 0.1);
    }
}
