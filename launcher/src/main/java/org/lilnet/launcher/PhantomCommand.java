package org.lilnet.launcher;

import org.lilnet.phantom.ClassMix;
import org.lilnet.phantom.GeneratedStudy;
import org.lilnet.phantom.PhantomGenerator;
import org.lilnet.phantom.PhantomOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** {@code lilnet phantom}: writes synthetic multiphase liver CT studies (DICOM) with their ground truth. */
@Command(name = "phantom", mixinStandardHelpOptions = true,
        description = {"Write synthetic multiphase liver CT studies as DICOM files, each with a ground-truth.json.",
                "Study i of a seed is always the same for the same options."})
public final class PhantomCommand implements Callable<Integer> {

    @Option(names = "--studies", required = true, description = "Number of studies (patients).")
    int studies;

    @Option(names = "--seed", defaultValue = "7", description = "Seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--out", required = true, description = "Output directory (one directory per study).")
    Path out;

    @Option(names = "--first", defaultValue = "0", description = "Index of the first study (to continue a set). Default: ${DEFAULT-VALUE}")
    int first;

    @Option(names = "--slices", defaultValue = "" + PhantomOptions.DEFAULT_SLICES_PER_SERIES,
            description = "Axial slices per series. Default: ${DEFAULT-VALUE}")
    int slices;

    @Option(names = "--thickness", description = "Slice thickness range in mm, e.g. 1..5 or 2.5 (default: chosen so that the series covers the liver).")
    String thickness;

    @Option(names = "--class-mix", defaultValue = "paper",
            description = "paper (HCC 45%%, ICC 20%%, CYST 11%%, MET 9%%, HEM 8%%, FNH 6%%), balanced, one class, or weights like HCC=2,CYST=1. Default: ${DEFAULT-VALUE}")
    String classMix;

    @Option(names = "--phases", defaultValue = "auto",
            description = "auto (AP and PVP, sometimes a non-contrast and a delayed series too) or exactly these, e.g. AP,PVP or AP. Default: ${DEFAULT-VALUE}")
    String phases;

    @Option(names = "--localizer", defaultValue = "auto", description = "auto (30%% of studies), always or never. Default: ${DEFAULT-VALUE}")
    String localizer;

    @Option(names = "--lesions", description = "Lesions per patient, e.g. 1..3 or 2 (default: by class; metastases and cysts often several).")
    String lesions;

    @Option(names = "--lesion-size", description = "Lesion diameter range in mm, e.g. 10..40 (default: by class, 5-80 mm).")
    String lesionSize;

    @Option(names = "--noise", defaultValue = "1.0", description = "Image noise scale (1: as on scanners, 0: none). Default: ${DEFAULT-VALUE}")
    double noise;

    @Option(names = "--threads", defaultValue = "1", description = "Studies written in parallel. Default: ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--truth-only", description = {"Write only each study's ground-truth.json, no DICOM: refreshes the truth of a set",
            "written earlier with the same seed and options (e.g. by an older generator)."})
    boolean truthOnly;

    @Override
    public Integer call() throws Exception {
        PhantomOptions options = options();
        PhantomGenerator generator = new PhantomGenerator(options);
        if (truthOnly) {
            for (int i = first; i < first + studies; i++) {
                System.out.println(generator.writeTruth(seed, i, out).getFileName() + "  ground truth written");
            }
            return 0;
        }
        System.out.printf(Locale.ROOT, "writing %d studies (seed %d, from %d) to %s: %d slices per series, class mix %s%n",
                studies, seed, first, out, options.slicesPerSeries(), options.classMix());
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        int slicesWritten = 0;
        try {
            List<Future<GeneratedStudy>> jobs = new ArrayList<>();
            for (int i = first; i < first + studies; i++) {
                int index = i;
                jobs.add(pool.submit(() -> generator.generateStudy(seed, index, out)));
            }
            for (Future<GeneratedStudy> job : jobs) {
                GeneratedStudy s = job.get();
                slicesWritten += s.sliceCount();
                System.out.printf(Locale.ROOT, "%s  %-4s %d lesion(s), largest %.0f mm, %d series, %d slices%n", s.directory().getFileName(),
                        s.truth().patientClass(), s.truth().lesions().size(), s.truth().largestLesionMm(), s.truth().series().size(),
                        s.sliceCount());
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "done: %d studies, %d slices in %.1f s (%.0f slices/s)%n", studies, slicesWritten, seconds,
                slicesWritten / seconds);
        return 0;
    }

    PhantomOptions options() {
        PhantomOptions o = PhantomOptions.defaults().withSlicesPerSeries(slices).withClassMix(ClassMix.parse(classMix)).withNoiseScale(noise);
        if (thickness != null) {
            double[] r = range(thickness, "--thickness");
            o = o.withThickness(r[0], r[1]);
        }
        if (!phases.equalsIgnoreCase("auto")) {
            o = o.withPhases(PhantomOptions.parsePhases(phases));
        }
        o = o.withLocalizerProbability(switch (localizer.toLowerCase(Locale.ROOT)) {
            case "auto" -> 0.3;
            case "always" -> 1.0;
            case "never" -> 0.0;
            default -> throw new IllegalArgumentException("--localizer must be auto, always or never");
        });
        if (lesions != null) {
            double[] r = range(lesions, "--lesions");
            o = o.withLesionCount((int) r[0], (int) r[1]);
        }
        if (lesionSize != null) {
            double[] r = range(lesionSize, "--lesion-size");
            o = o.withLesionSize(r[0], r[1]);
        }
        return o;
    }

    static double[] range(String text, String option) {
        try {
            String[] parts = text.split("\\.\\.");
            double lo = Double.parseDouble(parts[0].trim());
            double hi = parts.length > 1 ? Double.parseDouble(parts[1].trim()) : lo;
            return new double[] {lo, hi};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(option + " takes a number or a range like 1..5, not '" + text + "'");
        }
    }
}
