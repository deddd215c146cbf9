package org.lilnet.bench.e2e;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.lilnet.bench.report.PerformanceReport;
import org.lilnet.bench.report.Stats;
import org.lilnet.bench.report.Table;
import org.lilnet.bench.report.Target;
import org.lilnet.bench.support.Files2;
import org.lilnet.bench.support.KafkaTools;
import org.lilnet.bench.support.LoadSampler;
import org.lilnet.bench.support.ModelSet;
import org.lilnet.bench.support.ProcessMemory;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.Phase;
import org.lilnet.events.StudyArrived;
import org.lilnet.phantom.GeneratedStudy;
import org.lilnet.phantom.PhantomGenerator;
import org.lilnet.phantom.PhantomOptions;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.ServiceProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline (ingest-service, detector-worker, classifier-worker, aggregator, one process each) on phantom
 * studies sent with dcmtk's storescu:
 * <ul>
 * <li>Latency at an offered load: one study every {@code interval} seconds, where the interval is the compute time of
 * a study measured alone divided by the target utilisation. Per study, from its Diagnosis: seconds from the last
 * instance received to the diagnosis produced ({@code producedAt - lastInstanceAt}), split into the stability quiet
 * period as applied (last instance to case opened, from the case's StudyArrived), the models ({@code detect.inference + classify.inference}), reading the
 * slices' files ({@code detect.read}), and everything else (Kafka, queues, transactions, aggregation).</li>
 * <li>Growth with study size: one study at a time of each size; latency, CPU seconds of each service, peak resident
 * memory of each service (its peak reset before each study) and heap after a full GC.</li>
 * </ul>
 */
public final class EndToEndBench {

    /**
     * @param studies        studies at the offered load
     * @param slicesPerStudy slices per study (two phases, half each) at the offered load
     * @param utilisation    offered load as a share of the compute time of one study (0.5: a study every 2x its compute)
     * @param sizes          slices per study of the growth measurement
     * @param threads        cores of each worker: as many inference streams of one ONNX Runtime thread
     * @param quiet          the ingest-service's stability quiet period
     */
    public record Settings(int studies, int slicesPerStudy, double utilisation, List<Integer> sizes, int threads, Duration quiet) {
    }

    /** One study's figures, seconds. */
    public record StudyFigures(String caseId, int slices, String status, int crops, double total, double quiet, double model, double read,
                               double seenByConsumer) {
        /** Everything beyond the quiet period, the models and the reading: Kafka, queues, transactions, aggregation. */
        public double other() {
            return total - quiet - model - read;
        }

        public double compute() {
            return model + read;
        }

        public double afterQuiet() {
            return total - quiet;
        }
    }

    public record SizeFigures(int slices, StudyFigures study, Map<String, Double> cpuSeconds, Map<String, Long> peakRss, Map<String, Long> heapAfterGc) {
    }

    public record Result(ModelSet set, double interval, StudyFigures warmUp, List<StudyFigures> studies, Map<String, Long> peakRss,
                         List<SizeFigures> sizes, String loadLatency, String loadSizes, Settings settings) {
    }

    private final LocalStack stack;
    private final KafkaTools kafka;
    private final Path work;
    private final Path studiesDir;
    private final ModelSet set;
    private final Settings s;

    /** @param studiesDir where the phantom studies are written (shared by the model sets: the same inputs for each) */
    public EndToEndBench(LocalStack stack, KafkaTools kafka, Path work, Path studiesDir, ModelSet set, Settings settings) {
        this.stack = stack;
        this.kafka = kafka;
        this.work = work;
        this.studiesDir = studiesDir;
        this.set = set;
        this.s = settings;
    }

    private record Study(String caseId, List<Path> files) {
    }

    public Result run(LoadSampler load) throws Exception {
        Study warm = study("warm-up", 0, s.slicesPerStudy);
        List<Study> loadStudies = new ArrayList<>();
        for (int i = 0; i < s.studies; i++) {
            loadStudies.add(study("load", 1 + i, s.slicesPerStudy));
        }
        List<Study> sized = new ArrayList<>();
        for (int size : s.sizes) {
            sized.add(study("size", 1000 + size, size));
        }
        kafka.emptyTopics();
        Files2.deleteTree(work);
        Files.createDirectories(work);
        System.out.printf("[bench] end to end (%s): starting the pipeline%n", set.key());
        try (BenchPipeline pipeline = BenchPipeline.start(stack, work, set.manifest(), s.threads, s.quiet);
             Diagnoses diagnoses = new Diagnoses(kafka)) {
            List<ServiceProcess> services = pipeline.services();

            long mark = load.mark();
            StudyFigures warmUp = awaitDiagnosis(diagnoses, warm, send(pipeline.dicomPort(), warm), pipeline);
            System.out.printf(Locale.ROOT, "[bench] warm-up study: %s%n", describe(warmUp));
            double interval = Math.max(1.0, warmUp.compute() / s.utilisation);
            System.out.printf(Locale.ROOT, "[bench] offered load: one %d-slice study every %.1f s (%d studies)%n", s.slicesPerStudy, interval, s.studies);

            services.forEach(p -> ProcessMemory.resetPeak(p.process().pid()));
            ExecutorService senders = Executors.newCachedThreadPool();
            List<Future<Long>> sent = new ArrayList<>();
            long start = System.nanoTime();
            try {
                for (int i = 0; i < loadStudies.size(); i++) {
                    long due = start + (long) (i * interval * 1e9);
                    while (System.nanoTime() < due) {
                        Thread.sleep(Math.max(1, Math.min(200, (due - System.nanoTime()) / 1_000_000)));
                    }
                    Study study = loadStudies.get(i);
                    sent.add(senders.submit(() -> send(pipeline.dicomPort(), study)));
                }
                List<StudyFigures> figures = new ArrayList<>();
                for (int i = 0; i < loadStudies.size(); i++) {
                    StudyFigures f = awaitDiagnosis(diagnoses, loadStudies.get(i), sent.get(i).get(30, TimeUnit.MINUTES), pipeline);
                    System.out.printf(Locale.ROOT, "[bench] study %d: %s%n", i + 1, describe(f));
                    figures.add(f);
                }
                Map<String, Long> peak = new LinkedHashMap<>();
                services.forEach(p -> peak.put(p.name(), ProcessMemory.peakRss(p.process().pid())));
                peak.put("Kafka broker", ProcessMemory.peakRss(stack.brokerProcess().pid()));
                peak.put("schema registry", ProcessMemory.peakRss(stack.registryProcess().pid()));
                String loadLatency = load.since(mark);

                mark = load.mark();
                List<SizeFigures> sizes = new ArrayList<>();
                for (Study study : sized) {
                    sizes.add(oneSize(pipeline, diagnoses, study));
                }
                return new Result(set, interval, warmUp, figures, peak, sizes, loadLatency, load.since(mark), s);
            } finally {
                senders.shutdownNow();
            }
        } finally {
            Files2.deleteTree(work.resolve("blobs"));
        }
    }

    private SizeFigures oneSize(BenchPipeline pipeline, Diagnoses diagnoses, Study study) throws Exception {
        List<ServiceProcess> services = pipeline.services();
        for (ServiceProcess p : services) {
            fullGc(p);
            ProcessMemory.resetPeak(p.process().pid());
        }
        Map<String, Double> cpuBefore = cpu(services);
        StudyFigures f = awaitDiagnosis(diagnoses, study, send(pipeline.dicomPort(), study), pipeline);
        Thread.sleep(1000);   // the last commits and the case's bookkeeping after the diagnosis
        Map<String, Double> cpuAfter = cpu(services);
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpuBefore.forEach((k, v) -> cpu.put(k, cpuAfter.get(k) - v));
        Map<String, Long> peak = new LinkedHashMap<>();
        Map<String, Long> heap = new LinkedHashMap<>();
        for (ServiceProcess p : services) {
            peak.put(p.name(), ProcessMemory.peakRss(p.process().pid()));
            fullGc(p);
            heap.put(p.name(), (long) p.metric("jvm_memory_used_bytes", "area=\"heap\""));
        }
        System.out.printf(Locale.ROOT, "[bench] %d slices: %s; CPU %s%n", study.files().size(), describe(f), cpu);
        return new SizeFigures(study.files().size(), f, cpu, peak, heap);
    }

    private static Map<String, Double> cpu(List<ServiceProcess> services) {
        Map<String, Double> out = new LinkedHashMap<>();
        services.forEach(p -> out.put(p.name(), p.process().handle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN)));
        return out;
    }

    private static void fullGc(ServiceProcess p) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(p.process().pid()), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(60, TimeUnit.SECONDS);
    }

    private static String describe(StudyFigures f) {
        return String.format(Locale.ROOT, "%s, %d crops, %.1f s from the last instance to the diagnosis (quiet %.1f, models %.1f, reading %.1f, other %.1f)",
                f.status(), f.crops(), f.total(), f.quiet(), f.model(), f.read(), f.other());
    }

    /** A phantom study of both phases (no extra series, no localizer): the same for every model set and run. */
    private Study study(String kind, int index, int slices) throws IOException {
        int perSeries = Math.max(1, slices / 2);
        Path dir = studiesDir.resolve(kind + "-" + index + "-" + slices);
        PhantomOptions options = PhantomOptions.defaults().withSlicesPerSeries(perSeries).withPhases(EnumSet.of(Phase.AP, Phase.PVP))
                .withRandomExtraPhases(false).withLocalizerProbability(0);
        Path marker = dir.resolve("study.txt");
        if (Files.isRegularFile(marker)) {
            List<String> lines = Files.readAllLines(marker);
            return new Study(lines.get(0), lines.subList(1, lines.size()).stream().map(Path::of).toList());
        }
        Files2.deleteTree(dir);
        GeneratedStudy g = new PhantomGenerator(options).generateStudy(2024, index, dir);
        List<Path> files = g.allFiles();
        List<String> lines = new ArrayList<>(List.of(g.truth().studyInstanceUid()));
        files.forEach(f -> lines.add(f.toString()));
        Files.write(marker, lines);
        return new Study(g.truth().studyInstanceUid(), files);
    }

    /** storescu, one association, TCP_NODELAY; returns when it is done (epoch millis). */
    private long send(int port, Study study) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("storescu", "-aet", "BENCH", "-aec", "LILNET", "127.0.0.1", String.valueOf(port)));
        study.files().forEach(f -> command.add(f.toString()));
        Path log = work.resolve("logs").resolve("storescu-" + study.caseId() + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().put("TCP_NODELAY", "1");
        Process p = b.start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("storescu failed for study " + study.caseId() + ": " + Files.readString(log));
        }
        return System.currentTimeMillis();
    }

    private StudyFigures awaitDiagnosis(Diagnoses diagnoses, Study study, long sentAt, BenchPipeline pipeline) throws InterruptedException {
        Duration timeout = Duration.ofMinutes(20);
        long deadline = System.nanoTime() + timeout.toNanos();
        Diagnoses.Seen seen;
        while ((seen = diagnoses.first(study.caseId())) == null) {
            if (!pipeline.allAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("no diagnosis for " + study.caseId() + (pipeline.allAlive() ? " within " + timeout.toMinutes()
                        + " min" : ": a service exited") + ":\n" + pipeline.logTails());
            }
            Thread.sleep(50);
        }
        Diagnosis d = seen.diagnosis();
        Map<String, Long> t = d.getTimingsMillis();
        // the StudyArrived is written before the diagnosis: it is there or arrives within a poll
        Long opening = diagnoses.opening(study.caseId());
        for (int i = 0; opening == null && i < 100; i++) {
            Thread.sleep(50);
            opening = diagnoses.opening(study.caseId());
        }
        double total = d.getLastInstanceAt() == null ? t.getOrDefault("total.lastInstanceToDiagnosis", 0L) / 1000.0
                : (d.getProducedAt().toEpochMilli() - d.getLastInstanceAt().toEpochMilli()) / 1000.0;
        int crops = d.getPhases().stream().mapToInt(p -> p.getCropCount()).sum();
        return new StudyFigures(study.caseId(), study.files().size(), d.getStatus().name(), crops, total, (opening != null ? opening : t.getOrDefault("ingest.quiet", 0L)) / 1000.0,
                // each worker runs s.threads batches at once: the chunks' inference times overlap that many at a time
                (t.getOrDefault("detect.inference", 0L) + t.getOrDefault("classify.inference", 0L)) / 1000.0 / s.threads,
                t.getOrDefault("detect.read", 0L) / 1000.0,
                (seen.readAtMillis() - sentAt) / 1000.0);
    }

    /**
     * Diagnoses as a read_committed consumer sees them, with the time it read each; and, per case, how long the
     * ingest-service waited from the last instance to opening the case (StudyArrived {@code openedAt - lastInstanceAt}
     * of its first revision): the stability quiet period as it was actually applied.
     */
    private static final class Diagnoses implements AutoCloseable {
        record Seen(Diagnosis diagnosis, long readAtMillis) {
        }

        private final Map<String, Seen> firstByCase = new ConcurrentHashMap<>();
        private final Map<String, Long> openingMillis = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        Diagnoses(KafkaTools kafka) {
            KafkaConsumer<String, Diagnosis> consumer = kafka.openReader(Topics.DIAGNOSES);
            KafkaConsumer<String, StudyArrived> studies = kafka.openReader(Topics.STUDIES);
            thread = new Thread(() -> {
                try (consumer; studies) {
                    while (running) {
                        for (ConsumerRecord<String, StudyArrived> r : studies.poll(Duration.ofMillis(20))) {
                            StudyArrived a = r.value();   // the first one read is the first revision: a study is sent once here
                            openingMillis.putIfAbsent(a.getCaseId(), a.getOpenedAt().toEpochMilli() - a.getLastInstanceAt().toEpochMilli());
                        }
                        for (ConsumerRecord<String, Diagnosis> r : consumer.poll(Duration.ofMillis(80))) {
                            firstByCase.putIfAbsent(r.value().getCaseId(), new Seen(r.value(), System.currentTimeMillis()));
                        }
                    }
                }
            }, "diagnoses-reader");
            thread.setDaemon(true);
            thread.start();
        }

        Seen first(String caseId) {
            return firstByCase.get(caseId);
        }

        /** Last instance -> case opened, milliseconds; null when the StudyArrived has not been read (yet). */
        Long opening(String caseId) {
            return openingMillis.get(caseId);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
        }
    }

    // ---- report ------------------------------------------------------------------------------------------------

    public static void report(List<Result> results, PerformanceReport.Section latency, PerformanceReport.Section growth, List<Target> targets) {
        if (results.isEmpty()) {
            return;
        }
        Settings s = results.get(0).settings();
        latency.paragraph("The four services as processes (one each, heaps as in `lilnet run`, " + s.threads() + " inference streams of one "
                + "ONNX Runtime thread per worker, worker.inference.streams' automatic value on this machine) on the run's broker and registry. Phantom studies (AP and PVP, half the slices each; slices per study in the table: fewer with the LiLNet "
                + "classifiers, whose three ResNet50 cost about 0.25 s a crop on 2 cores) sent with storescu, one association per study. A warm-up study alone gives the compute time of a study; the offered "
                + "load is then one study every (that compute time / " + s.utilisation() + ") seconds, i.e. the workers are busy about "
                + Math.round(100 * s.utilisation()) + "% of the time. Per study, from its Diagnosis: last instance received -> diagnosis produced "
                + "(`producedAt - lastInstanceAt`), split into the stability quiet period as the ingest-service applied it (last instance -> case opened, "
                + "`openedAt - lastInstanceAt` of the case's StudyArrived: the configured `ingest.quiet-period`, " + s.quiet().toMillis() / 1000.0
                + " s here instead of the default 30 s to keep the run short, plus up to one check interval), the models (`detect.inference + classify.inference`, summed over the chunks and divided by the " + s.threads()
                + " streams that run them at once; the detector's includes windowing the slices into its input), reading the slices' DICOM files (`detect.read`), and everything else (Kafka, queues behind other chunks, transactions, aggregation). "
                + "The quiet period is a deliberate wait for the study to be complete, not overhead: it is subtracted before the overhead "
                + "target is applied ('everything else' = total - quiet period - models - reading; 'after the quiet period' = total - quiet period). "
                + "'Seen' is when a read_committed consumer in the benchmark read the diagnosis, from the moment storescu finished.");
        Table t = Table.of("models", "offered load", "studies (status)", "crops per study", "last instance -> diagnosis, p50 / p95",
                "after the quiet period, p50 / p95", "models, p50", "reading, p50", "everything else, p50 / p95 (target <= 2 s)",
                "seen by a consumer after storescu ended, p50 / p95");
        for (Result r : results) {
            List<StudyFigures> f = r.studies();
            t.row(r.set().key(), String.format(Locale.ROOT, "one %d-slice study every %.1f s", r.settings().slicesPerStudy(), r.interval()),
                    f.size() + " (" + statuses(f) + ")", String.format(Locale.ROOT, "%.0f", Stats.mean(f.stream().map(StudyFigures::crops).toList())),
                    p(f, StudyFigures::total), p(f, StudyFigures::afterQuiet), sec(Stats.percentile(f.stream().map(StudyFigures::model).toList(), 50)),
                    sec(Stats.percentile(f.stream().map(StudyFigures::read).toList(), 50)), "**" + p(f, StudyFigures::other) + "**",
                    p(f, StudyFigures::seenByConsumer));
        }
        latency.table(t);
        Table rss = Table.of("models", "peak resident memory over the offered-load run", "");
        for (Result r : results) {
            StringBuilder cells = new StringBuilder();
            r.peakRss().forEach((k, v) -> cells.append(k).append(' ').append(mb(v)).append("; "));
            rss.row(r.set().key(), cells.toString().replaceAll("; $", ""), "load average " + r.loadLatency());
        }
        latency.table(rss);
        for (Result r : results) {
            double otherP95 = Stats.percentile(r.studies().stream().map(StudyFigures::other).toList(), 95);
            StudyFigures median = r.studies().get(0);
            targets.add(Target.atMost("end to end (" + r.set().key() + " models): time beyond compute after the quiet period, p95", otherP95, 2.0, " s")
                    .explained(String.format(Locale.ROOT, "the rest is queueing behind other chunks and studies on one detector and one "
                            + "classifier sharing 2 cores with the broker, registry, ingest and aggregator (models took %.1f s and reading %.1f s of "
                            + "study 1's %.1f s after the quiet period).", median.model(), median.read(), median.afterQuiet()),
                            "rerun on a quiet machine; add worker instances (one per core) so that chunks of a study run in parallel."));
        }

        growth.paragraph("One study at a time per size through the same pipeline (two phases, half the slices each). Latency after the quiet "
                + "period, CPU seconds each service spent on the study, the peak resident memory of each service during the study (its peak "
                + "reset before), and each service's heap after a full GC following the study. A straight line through latency and CPU against "
                + "slices tells whether cost is linear (r squared near 1); memory should not follow the slices.");
        for (Result r : results) {
            if (r.sizes().isEmpty()) {
                continue;
            }
            List<String> names = new ArrayList<>(r.sizes().get(0).cpuSeconds().keySet());
            List<String> header = new ArrayList<>(List.of("slices per study", "crops", "after the quiet period", "per slice"));
            names.forEach(n -> header.add(n + ": CPU s / peak RSS / heap after GC"));
            Table g = Table.of(header.toArray(String[]::new));
            for (SizeFigures z : r.sizes()) {
                List<Object> row = new ArrayList<>(List.of(z.slices(), z.study().crops(), sec(z.study().afterQuiet()),
                        String.format(Locale.ROOT, "%.0f ms", 1000 * z.study().afterQuiet() / z.slices())));
                names.forEach(n -> row.add(String.format(Locale.ROOT, "%.1f s / %s / %s", z.cpuSeconds().get(n), mb(z.peakRss().get(n)), mb(z.heapAfterGc().get(n)))));
                g.row(row.toArray());
            }
            growth.paragraph("**" + r.set().key() + " models** (load average " + r.loadSizes() + "):");
            growth.table(g);
            if (r.sizes().size() >= 2) {
                List<Integer> xs = r.sizes().stream().map(SizeFigures::slices).toList();
                Stats.LinearFit latencyFit = Stats.linearFit(xs, r.sizes().stream().map(z -> z.study().afterQuiet()).toList());
                Stats.LinearFit cpuFit = Stats.linearFit(xs, r.sizes().stream().map(z -> z.cpuSeconds().values().stream().mapToDouble(Double::doubleValue).sum()).toList());
                growth.paragraph(String.format(Locale.ROOT, "Fit: latency after the quiet period = %.2f s + %.0f ms x slices (r squared %.3f); CPU of "
                        + "all services = %.2f s + %.0f ms x slices (r squared %.3f).", latencyFit.intercept(), 1000 * latencyFit.slope(), latencyFit.rSquared(),
                        cpuFit.intercept(), 1000 * cpuFit.slope(), cpuFit.rSquared()));
                targets.add(Target.atLeast("growth with study size (" + r.set().key() + " models): CPU linear in slices, r squared", cpuFit.rSquared(), 0.98, "")
                        .explained("the per-slice cost changes with the study size.", "compare the per-slice CPU of each service across sizes."));
                SizeFigures small = r.sizes().get(0);
                SizeFigures large = r.sizes().get(r.sizes().size() - 1);
                double worst = 0;
                String worstName = "";
                for (String n : names) {
                    double growthMb = (large.heapAfterGc().get(n) - small.heapAfterGc().get(n)) / 1e6;
                    if (growthMb > worst) {
                        worst = growthMb;
                        worstName = n;
                    }
                }
                targets.add(Target.atMost("memory flat in study size (" + r.set().key() + " models): largest heap-after-GC growth from "
                        + small.slices() + " to " + large.slices() + " slices", worst, 16, " MB")
                        .explained(worstName + " keeps more after a larger study.", "take a heap histogram of " + worstName + " after a large study."));
            }
        }
    }

    private static String statuses(List<StudyFigures> f) {
        Map<String, Integer> count = new LinkedHashMap<>();
        f.forEach(x -> count.merge(x.status(), 1, Integer::sum));
        StringBuilder out = new StringBuilder();
        count.forEach((k, v) -> out.append(out.isEmpty() ? "" : ", ").append(v).append(' ').append(k));
        return out.toString();
    }

    private static String p(List<StudyFigures> f, java.util.function.ToDoubleFunction<StudyFigures> value) {
        List<Double> v = f.stream().map(value::applyAsDouble).toList();
        return String.format(Locale.ROOT, "%.2f / %.2f s", Stats.percentile(v, 50), Stats.percentile(v, 95));
    }

    private static String sec(double v) {
        return String.format(Locale.ROOT, "%.2f s", v);
    }

    private static String mb(Long bytes) {
        return bytes == null || bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }
}
