package org.lilnet.phantom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Synthetic multiphase liver CT studies written as real DICOM, with their ground truth. Study {@code i} of a seed
 * is always the same (for the same options), whatever the number of studies asked for.
 *
 * <pre>{@code
 * List<GeneratedStudy> studies = new PhantomGenerator(PhantomOptions.defaults()).generate(3, 7, outDir);
 * }</pre>
 */
public final class PhantomGenerator {

    private final PhantomOptions options;

    public PhantomGenerator(PhantomOptions options) {
        this.options = options;
    }

    public PhantomOptions options() {
        return options;
    }

    /** Writes studies 0..count-1 of the seed under {@code out}, one directory per study. */
    public List<GeneratedStudy> generate(int count, long seed, Path out) throws IOException {
        return generate(0, count, seed, out, s -> { });
    }

    /** Writes studies first..first+count-1 of the seed, telling {@code onStudy} about each as it is done. */
    public List<GeneratedStudy> generate(int first, int count, long seed, Path out, Consumer<GeneratedStudy> onStudy) throws IOException {
        List<GeneratedStudy> studies = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            GeneratedStudy study = generateStudy(seed, i, out);
            onStudy.accept(study);
            studies.add(study);
        }
        return studies;
    }

    /** The ground truth of study {@code index} without rendering or writing anything. */
    public GroundTruth truthOf(long seed, int index) {
        return TruthBuilder.build(StudyPlanner.plan(options, seed, index), options.noiseScale());
    }

    /**
     * Writes only the ground truth of study {@code index} into {@code out/<study directory>} (no DICOM): refreshes the
     * truth of a set written earlier with the same seed and options. Returns the study directory.
     */
    public Path writeTruth(long seed, int index, Path out) throws IOException {
        StudyPlan plan = StudyPlanner.plan(options, seed, index);
        Path dir = out.resolve(plan.directoryName());
        Files.createDirectories(dir);
        TruthBuilder.build(plan, options.noiseScale()).write(dir);
        return dir;
    }

    /** Writes study {@code index} of the seed into {@code out/<study directory>}. */
    public GeneratedStudy generateStudy(long seed, int index, Path out) throws IOException {
        StudyPlan plan = StudyPlanner.plan(options, seed, index);
        Path dir = out.resolve(plan.directoryName());
        Files.createDirectories(dir);
        GroundTruth truth = TruthBuilder.build(plan, options.noiseScale());
        CtDicomWriter writer = new CtDicomWriter(plan);
        Map<String, List<Path>> files = new LinkedHashMap<>();
        int slices = 0;
        for (SeriesPlan series : plan.series()) {
            Path seriesDir = dir.resolve(TruthBuilder.seriesDirectory(series));
            List<Path> written = new ArrayList<>();
            if (series.localizer()) {
                double zSpan = SliceRenderer.SIZE * plan.pixelSpacing();
                double topZ = plan.patient().liverCenterZ + zSpan / 2;
                float[] pixels = LocalizerRenderer.render(plan, series, topZ, zSpan);
                Path file = seriesDir.resolve("IM0001.dcm");
                writer.writeLocalizer(series, pixels, SliceRenderer.SIZE, SliceRenderer.SIZE, zSpan / SliceRenderer.SIZE,
                        plan.pixelSpacing(), topZ, file);
                written.add(file);
            } else {
                SliceRenderer renderer = new SliceRenderer(plan, series, options.noiseScale());
                for (int k = 0; k < series.sliceCount(); k++) {
                    Path file = seriesDir.resolve(String.format("IM%04d.dcm", series.instanceNumber(k)));
                    writer.writeAxial(series, k, renderer.render(k), file);
                    written.add(file);
                    slices++;
                }
            }
            files.put(series.seriesInstanceUid(), List.copyOf(written));
        }
        truth.write(dir);
        return new GeneratedStudy(dir, truth, files, slices);
    }
}
