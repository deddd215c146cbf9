package org.lilnet.bench;

import org.lilnet.bench.e2e.EndToEndBench;
import org.lilnet.bench.ingest.IngestBench;
import org.lilnet.bench.report.PerformanceReport;
import org.lilnet.bench.report.Target;
import org.lilnet.bench.support.Files2;
import org.lilnet.bench.support.KafkaTools;
import org.lilnet.bench.support.LoadSampler;
import org.lilnet.bench.support.Machine;
import org.lilnet.bench.support.ModelSet;
import org.lilnet.bench.support.ModelSets;
import org.lilnet.bench.support.ProcessControl;
import org.lilnet.bench.workers.WorkersBench;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.StackOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code lilnet bench}: every benchmark of the issue in one run, each figure next to its same-run baseline, written to
 * {@code docs/PERFORMANCE.md}. Run through {@code bench/run-bench} (which builds the module), which the launcher calls.
 */
@Command(name = "lilnet bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures LiLNet Stream on this machine, each figure against a baseline in the same run, and writes docs/PERFORMANCE.md:",
                "ingest (C-STORE from storescu, STOW-RS), the workers through Kafka against a bare ONNX Runtime loop and against PyTorch eager,",
                "end-to-end latency at an offered load, memory and cost growth with study size; with the phantom-trained models and with",
                "LiLNet-architecture classifiers (random weights, the real compute cost).",
                "The full mode takes " + BenchMain.FULL_MODE_TIME + "; --quick checks in a few minutes that everything works (small sizes,",
                "written to bench/target/PERFORMANCE-quick.md)."})
public final class BenchMain implements Callable<Integer> {

    /** How long a full run takes (the help text and the quick report's preamble say it). */
    static final String FULL_MODE_TIME = "about 30 minutes on a quiet 2-core machine";

    @Option(names = "--quick", description = "Small sizes: checks that every part works (a few minutes); the figures mean little.")
    boolean quick;

    @Option(names = "--only", split = ",", paramLabel = "PART", description = "Parts to run: ingest, workers, e2e (default: all).")
    List<String> only = List.of("ingest", "workers", "e2e");

    @Option(names = "--models", split = ",", paramLabel = "SET", description = "Model sets: phantom, lilnet (default: both).")
    List<String> models = List.of("phantom", "lilnet");

    @Option(names = "--phantom-manifest", paramLabel = "FILE", description = "The phantom-trained models. Default: models/manifest.json.")
    Path phantomManifest;

    @Option(names = "--torch-tools", paramLabel = "DIR", description = "Where the PyTorch network definitions are. Default: models/tools.")
    Path torchTools;

    @Option(names = "--threads", description = "ONNX Runtime threads per worker (split between its inference streams), and PyTorch "
            + "threads. Default: the core count.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--streams", description = "worker.inference.streams of the workers in the shared layout (batches at once, each with "
            + "threads / streams intra-op threads); above 1 the bare loop is also measured as one stream of all the threads, and the faster "
            + "is the baseline. Default: as many as --threads (one thread per stream).")
    Integer streams;

    @Option(names = "--out", paramLabel = "FILE", description = "Report file. Default: docs/PERFORMANCE.md (full), bench/target/PERFORMANCE-quick.md (--quick).")
    Path out;

    @Option(names = "--work", paramLabel = "DIR", description = "Work directory (emptied first). Default: bench/target/bench-run.")
    Path work;

    @Option(names = "--e2e-studies", description = "Studies at the offered load (default 10 with the phantom models, 4 with the LiLNet ones; quick 2).")
    Integer e2eStudies;

    @Option(names = "--e2e-slices", description = "Slices per study at the offered load (default 200 with the phantom models, 50 with the LiLNet "
            + "ones, whose ResNet50 classifiers take about 0.25 s a crop on 2 cores; quick 20).")
    Integer e2eSlices;

    @Option(names = "--sizes", split = ",", description = "Slices per study of the growth measurement (default 50,200,800; quick 10,20,40).")
    List<Integer> sizes;

    @Option(names = "--prepare-threads", split = ",", paramLabel = "N", description = "worker.prepare.threads values to measure the "
            + "detector-worker with (default 0, the service's default; e.g. 0,1 adds a variant that reads the next slices while the model runs).")
    List<Integer> prepareThreads = List.of(0);

    @Option(names = "--core-layouts", split = ",", paramLabel = "LAYOUT", description = "How the workers benchmark places the processes: "
            + "shared (every process on every core), split (the worker and its bare loop on the last core, the broker, the registry and the "
            + "benchmark on the others, pinned with taskset; needs 2+ cores). Default: shared,split.")
    List<String> coreLayouts = List.of("shared", "split");

    @Option(names = "--ingest-slices", description = "Instances per ingest transfer (default 500; quick 100).")
    Integer ingestSlices;

    private final List<String> args = new ArrayList<>();

    public static void main(String[] args) {
        BenchMain main = new BenchMain();
        main.args.addAll(List.of(args));
        System.exit(new CommandLine(main).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isDirectory(root.resolve("bench")) || !Files.isRegularFile(root.resolve("pom.xml"))) {
            System.err.println("run from the repository root (bin/lilnet bench does)");
            return 2;
        }
        Path phantom = phantomManifest != null ? phantomManifest.toAbsolutePath() : root.resolve("models/manifest.json");
        Path tools = torchTools != null ? torchTools.toAbsolutePath() : root.resolve("models/tools");
        Path report = out != null ? out.toAbsolutePath() : root.resolve(quick ? "bench/target/PERFORMANCE-quick.md" : "docs/PERFORMANCE.md");
        Path dir = work != null ? work.toAbsolutePath() : root.resolve("bench/target/bench-run");
        Files2.deleteTree(dir);
        Files.createDirectories(dir);

        long started = System.nanoTime();
        ZonedDateTime date = ZonedDateTime.now();
        String command = "bin/lilnet bench" + (args.isEmpty() ? "" : " " + String.join(" ", args));
        System.out.println("[bench] " + command + " (" + (quick ? "quick" : "full") + " mode), load average " + LoadSampler.now());
        List<Target> targets = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        PerformanceReport doc = new PerformanceReport(quick ? "Performance (quick mode: sizes too small for the figures to mean much)" : "Performance");

        try (LoadSampler load = LoadSampler.start()) {
            long runMark = load.mark();
            long modelsStart = System.nanoTime();
            List<ModelSet> sets = (only.contains("workers") || only.contains("e2e"))
                    ? ModelSets.prepare(root, phantom, root.resolve("bench/target/bench-models"), models) : List.of();
            // the LiLNet-architecture models are made once (about a minute) and kept under bench/target/bench-models
            durations.add(String.format(Locale.ROOT, "model sets %.1f min", (System.nanoTime() - modelsStart) / 60e9));
            List<WorkersBench.Result> workers = new ArrayList<>();
            List<EndToEndBench.Result> e2e = new ArrayList<>();
            long stackStart = System.nanoTime();
            try (LocalStack stack = LocalStack.start(StackOptions.onFreePorts(dir.resolve("stack")))) {
                System.out.printf(Locale.ROOT, "[bench] broker and registry ready in %.1f s%n", (System.nanoTime() - stackStart) / 1e9);
                durations.add(String.format(Locale.ROOT, "broker and registry %.1f min", (System.nanoTime() - stackStart) / 60e9));
                KafkaTools kafka = new KafkaTools(stack);
                if (only.contains("ingest")) {
                    attempt("ingest", failures, () -> {
                        long mark = load.mark();
                        int n = ingestSlices != null ? ingestSlices : quick ? 100 : 500;
                        IngestBench.Result r = new IngestBench(stack, dir.resolve("ingest"), new IngestBench.Settings(n, quick ? 2 : 8, 10, !quick)).run();
                        IngestBench.report(r, doc.section("Ingest"), targets, load.since(mark));
                    });
                }
                if (only.contains("workers")) {
                    int workerStreams = streams != null ? Math.max(1, Math.min(streams, threads)) : threads;
                    int perStream = Math.max(1, threads / workerStreams);
                    WorkersBench.Settings ws = quick
                            ? new WorkersBench.Settings(8, 4, 8, 4, perStream, workerStreams, 4, 16, 1, 2, 1, prepareThreads, 4, true, WorkersBench.CoreLayout.SHARED)
                            : new WorkersBench.Settings(64, 8, 24, 8, perStream, workerStreams, 4, 16, 3, 5, 8, prepareThreads, 16, true,
                            WorkersBench.CoreLayout.SHARED);
                    for (WorkersBench.CoreLayout layout : layouts()) {
                        List<String> detectorsMeasured = new ArrayList<>();
                        for (ModelSet set : sets) {
                            // the sets share their detector when the phantom models are there: measure it once
                            ModelSet measured = set.forWorkers();
                            String detector = ModelSets.detectorSha(measured.manifest());
                            boolean measure = !detectorsMeasured.contains(detector);
                            detectorsMeasured.add(detector);
                            String name = set.key() + (layout.split() ? ", worker on its own core" : "");
                            attempt("workers (" + name + ")", failures, () -> workers.add(new WorkersBench(stack, kafka, root, tools,
                                    dir.resolve("workers-" + set.key() + (layout.split() ? "-split" : "")), measured, ws.on(layout).withDetector(measure)).run(load)));
                        }
                    }
                }
                if (only.contains("e2e")) {
                    for (ModelSet set : sets) {
                        boolean lilnet = set.key().equals("lilnet");
                        EndToEndBench.Settings es = new EndToEndBench.Settings(
                                e2eStudies != null ? e2eStudies : quick ? 2 : lilnet ? 4 : 10,
                                e2eSlices != null ? e2eSlices : quick ? 20 : lilnet ? 50 : 200, 0.5,
                                sizes != null ? sizes : quick ? List.of(10, 20, 40) : List.of(50, 200, 800), threads, Duration.ofSeconds(2));
                        attempt("end to end (" + set.key() + ")", failures, () ->
                                e2e.add(new EndToEndBench(stack, kafka, dir.resolve("e2e-" + set.key()), dir.resolve("studies"), set, es).run(load)));
                    }
                }
            }
            WorkersBench.report(workers, doc.section("Workers: through Kafka, bare ONNX Runtime, PyTorch eager"), targets);
            EndToEndBench.report(e2e, doc.section("End to end: last instance to diagnosis"), doc.section("Growth with study size"), targets);
            Files2.deleteTree(dir.resolve("studies"));

            double minutes = (System.nanoTime() - started) / 60e9;
            doc.preamble("Command: `" + command + "` (" + (quick ? "quick" : "full") + " mode), run on " + date.format(DateTimeFormatter.RFC_1123_DATE_TIME)
                    + ", " + String.format(Locale.ROOT, "%.0f", minutes) + " minutes. Every figure is measured next to its baseline in the same run "
                    + "(rounds alternate where it matters): the ratios are what to compare across machines, the absolute figures are for this "
                    + "machine. The machine may be shared: the load average during each part is given with it.");
            if (quick) {
                doc.preamble("**A quick run**: every part at small sizes, to show that it works. Its figures are not the performance of "
                        + "LiLNet Stream (rounds of a few seconds, studies of a few dozen slices, a single round per contender); `bin/lilnet bench` "
                        + "(full mode, " + FULL_MODE_TIME + ") gives those.");
            }
            for (ModelSet set : sets) {
                doc.preamble("Models `" + set.key() + "`: " + set.title() + "."
                        + (set.workersDiffer() && only.contains("workers") ? " In the workers benchmark: " + set.workersTitle() + "." : ""));
            }
            if (sets.stream().noneMatch(x -> x.key().equals("phantom")) && models.contains("phantom") && (only.contains("workers") || only.contains("e2e"))) {
                doc.preamble("The phantom-trained models (" + phantom + ") were not there: their figures are missing from this run.");
            }
            Machine.describe(dir).forEach(doc::machine);
            doc.machine("load average over the run", load.since(runMark) + " (1-minute load average sampled every 2 s)");
            doc.preamble("Time per part: " + String.join(", ", durations) + ".");
            failures.forEach(f -> doc.preamble("**Part of the run failed**: " + f));
            targets.forEach(doc::target);
            doc.write(report);
        }
        System.out.println();
        System.out.println(Files.readString(report));
        System.out.println("[bench] wrote " + report);
        return failures.isEmpty() ? 0 : 1;
    }

    /** The core layouts asked for; split only where taskset works and there are two cores or more (said on the console otherwise). */
    private List<WorkersBench.CoreLayout> layouts() {
        List<WorkersBench.CoreLayout> out = new ArrayList<>();
        for (String name : coreLayouts) {
            switch (name) {
                case "shared" -> out.add(WorkersBench.CoreLayout.SHARED);
                case "split" -> {
                    if (ProcessControl.canPin()) {
                        out.add(WorkersBench.CoreLayout.lastCoreForTheWorker(ProcessControl.cores()));
                    } else {
                        System.out.println("[bench] core layout split skipped: taskset is missing or there are fewer than 2 cores");
                    }
                }
                default -> throw new CommandLine.ParameterException(new CommandLine(this), "--core-layouts: shared or split, not " + name);
            }
        }
        return out;
    }

    private interface Part {
        void run() throws Exception;
    }

    /** How long each part took, for planning runs ("ingest 1.4 min"). */
    private final List<String> durations = new ArrayList<>();

    /** Runs a part; a failure is reported and the other parts still run. */
    private void attempt(String name, List<String> failures, Part part) {
        long start = System.nanoTime();
        try {
            part.run();
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            failures.add(name + ": " + message.lines().findFirst().orElse(e.toString()));
        } finally {
            String took = String.format(Locale.ROOT, "%s %.1f min", name, (System.nanoTime() - start) / 60e9);
            durations.add(took);
            System.out.println("[bench] " + took);
        }
    }
}
