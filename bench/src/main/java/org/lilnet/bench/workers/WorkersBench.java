package org.lilnet.bench.workers;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.lilnet.bench.report.PerformanceReport;
import org.lilnet.bench.report.Stats;
import org.lilnet.bench.report.Table;
import org.lilnet.bench.report.Target;
import org.lilnet.bench.support.Files2;
import org.lilnet.bench.support.JitActivity;
import org.lilnet.bench.support.KafkaTools;
import org.lilnet.bench.support.LoadSampler;
import org.lilnet.bench.support.ModelSet;
import org.lilnet.bench.support.ProcessControl;
import org.lilnet.classifier.ClassifierInput;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.common.topics.Topics;
import org.lilnet.detector.DetectorInput;
import org.lilnet.detector.GreyImage;
import org.lilnet.detector.HuWindow;
import org.lilnet.detector.PlainResize;
import org.lilnet.detector.SliceRenderer;
import org.lilnet.dicom.CtSlice;
import org.lilnet.dicom.CtSliceReader;
import org.lilnet.dicom.PixelArrays;
import org.lilnet.events.Box;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.ChunkStatus;
import org.lilnet.events.DetectTask;
import org.lilnet.events.Detection;
import org.lilnet.events.ModelRef;
import org.lilnet.events.Phase;
import org.lilnet.events.SliceDetections;
import org.lilnet.events.SliceRef;
import org.lilnet.events.SliceResult;
import org.lilnet.events.WindowSetting;
import org.lilnet.inference.InferenceRuntime;
import org.lilnet.inference.InferenceSettings;
import org.lilnet.inference.ModelRole;
import org.lilnet.inference.ModelSession;
import org.lilnet.phantom.GeneratedStudy;
import org.lilnet.phantom.PhantomGenerator;
import org.lilnet.phantom.PhantomOptions;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.ServiceProcess;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Each worker's throughput through Kafka against a bare ONNX Runtime loop on the same model and the same inputs, and
 * against the authors' way of running the same networks (PyTorch eager, one image at a time), all in the same run.
 * Rounds alternate (bare, Kafka, eager, bare, Kafka, eager, ..., bare), the worker process paused (SIGSTOP) during
 * the baselines' rounds, and the ratios compare the means: the machine is shared and noisy.
 *
 * <ul>
 * <li>Through Kafka: one worker process (the real service, transactions, read_committed) drains a backlog of tasks
 * produced while it was paused (SIGSTOP); the clock runs from its resumption to the last result read back
 * (read_committed). The detector-worker reads every slice from its DICOM file in the blob store and windows it into
 * the model's input; that is part of its time.</li>
 * <li>Bare loop: in this process, the same model file, the same session options and batch size, the same images
 * already decoded (the detector's as 8-bit images, written into the input tensor before each run as the worker writes
 * its slices): nothing else but {@code OrtSession.run}.</li>
 * <li>PyTorch eager: {@link TorchEager}, the same networks, the same images (already rendered), batch 1.</li>
 * </ul>
 * Inputs: the slices of a phantom study (both phases) and sixteen synthetic 224x224 crops.
 *
 * <p>{@link CoreLayout}: either everything shares every core (the worker, the broker, the registry, this benchmark),
 * or the worker, and the bare loop during its rounds, get cores of their own while the broker, the registry and this
 * benchmark's Kafka clients run on the others (pinned with taskset), as on a GPU node whose broker is elsewhere.
 */
public final class WorkersBench {

    /**
     * @param minSlices              detector slices per round, at least (a round is sized to take about roundSeconds)
     * @param slicesPerTask          slices per detector task
     * @param minCrops               classifier crops per round, at least
     * @param cropsPerChunk          crops per classifier chunk
     * @param threads                ONNX Runtime intra-op threads of each inference stream
     * @param streams                batches run at once: the workers' worker.inference.streams, and the bare loop's threads
     *                               (each with {@code threads} intra-op threads); above 1, the bare loop is measured as one
     *                               stream of {@code threads x streams} intra-op threads too, and the faster of the two is the
     *                               baseline. PyTorch gets {@code threads x streams} threads.
     * @param detectorBatch          detector batch.max.size (and bare loop batch)
     * @param classifierBatch        classifier batch.max.size (and bare loop batch)
     * @param rounds                 Kafka rounds (bare rounds: one more; PyTorch rounds: as many)
     * @param roundSeconds           model time a round should take in the bare loop (sizes the rounds: short rounds measure
     *                               the fixed cost of a Kafka round trip, not throughput)
     * @param minBatchesPerStream    full batches per inference stream in a round, at least ({@link #roundSize})
     * @param detectorPrepareThreads worker.prepare.threads values to measure the detector with (the first is the main figure)
     * @param phantomSlices          slices per series of the phantom study whose slices are the detector's inputs
     * @param detector               measure the detector (not needed when an earlier set had the same detector)
     * @param layout                 which cores the processes run on
     */
    public record Settings(int minSlices, int slicesPerTask, int minCrops, int cropsPerChunk, int threads, int streams, int detectorBatch,
                           int classifierBatch, int rounds, double roundSeconds, int minBatchesPerStream, List<Integer> detectorPrepareThreads,
                           int phantomSlices, boolean detector, CoreLayout layout) {
        public Settings withDetector(boolean measure) {
            return new Settings(minSlices, slicesPerTask, minCrops, cropsPerChunk, threads, streams, detectorBatch, classifierBatch, rounds,
                    roundSeconds, minBatchesPerStream, detectorPrepareThreads, phantomSlices, measure, layout);
        }

        /**
         * On cores split between the worker and the rest: one stream of one ONNX Runtime thread per worker core, no PyTorch
         * rounds, one detector variant.
         */
        public Settings on(CoreLayout cores) {
            boolean split = cores.split();
            return new Settings(minSlices, slicesPerTask, minCrops, cropsPerChunk, split ? cores.workerCores() : threads, split ? 1 : streams,
                    detectorBatch, classifierBatch, rounds, roundSeconds, minBatchesPerStream,
                    split ? detectorPrepareThreads.subList(0, 1) : detectorPrepareThreads,
                    phantomSlices, detector, cores);
        }

        /** Every ONNX Runtime thread of a worker or the bare loop: threads x streams. */
        public int cores() {
            return threads * streams;
        }
    }

    /**
     * Which cores the processes run on. {@code workerCpus} null: everything shares every core. Otherwise the worker (and
     * the bare loop, during its rounds) run on {@code workerCpus}, the broker, the registry and this benchmark's Kafka
     * clients on {@code clusterCpus} (taskset lists such as "1" or "0-2").
     */
    public record CoreLayout(String workerCpus, String clusterCpus, int workerCores) {
        public static final CoreLayout SHARED = new CoreLayout(null, null, 0);

        /** The last core for the worker, the others for the broker, the registry and the benchmark. */
        public static CoreLayout lastCoreForTheWorker(int cores) {
            return new CoreLayout(String.valueOf(cores - 1), cores == 2 ? "0" : "0-" + (cores - 2), 1);
        }

        public boolean split() {
            return workerCpus != null;
        }

        public String describe() {
            return split() ? "worker and bare loop on CPU " + workerCpus + ", broker and registry on CPU " + clusterCpus : "all processes on all cores";
        }
    }

    /** Per unit (slice or crop), milliseconds: wall through Kafka, then what the worker says it spent. */
    public record Breakdown(double wallMs, double readMs, double modelMs, double bareModelMs, double commitMs, double unitsPerTransaction, String cpu) {
    }

    /** A worker's cumulative model seconds, commit seconds and units done, from its /metrics; {@link #since} gives a round's share. */
    private record WorkerCounters(double modelSeconds, double commitSeconds, double commits, double units) {
        static WorkerCounters read(ServiceProcess worker, String unitsMetric) {
            return new WorkerCounters(worker.metric("lilnet_worker_inference_seconds_sum", ""),
                    worker.metric("lilnet_worker_commit_seconds_sum", ""), worker.metric("lilnet_worker_commit_seconds_count", ""),
                    worker.metric(unitsMetric, ""));
        }

        WorkerCounters since(WorkerCounters before) {
            return new WorkerCounters(modelSeconds - before.modelSeconds, commitSeconds - before.commitSeconds, commits - before.commits,
                    units - before.units);
        }

        double unitsPerTransaction() {
            return units / commits;
        }

        double modelMsPerUnit() {
            return modelSeconds * 1000 / units;
        }

        double commitMsPerUnit() {
            return commitSeconds * 1000 / units;
        }
    }

    /** One line of the result table; {@code units} per round; {@code eagerFromDicomRounds} only for the detector. */
    /**
     * @param bareRounds          the bare loop as the worker runs: its streams at once
     * @param oneStreamBareRounds the bare loop as one stream over all the threads (empty when the worker runs one stream)
     */
    public record Figure(String worker, String unit, String model, String variant, int batch, int units, List<Double> kafkaRounds,
                         List<Double> bareRounds, List<Double> oneStreamBareRounds, List<Double> eagerRounds, List<Double> eagerFromDicomRounds,
                         double fromInputs, Breakdown breakdown) {
        public double kafka() {
            return Stats.mean(kafkaRounds);
        }

        /** The baseline: the faster way of running the bare loop on the same threads. */
        public double bare() {
            return oneStreamBareRounds.isEmpty() ? Stats.mean(bareRounds) : Math.max(Stats.mean(bareRounds), Stats.mean(oneStreamBareRounds));
        }

        public double eager() {
            return Stats.mean(eagerRounds);
        }

        public double ratio() {
            return kafka() / bare();
        }

        public double speedUp() {
            return kafka() / eager();
        }

        public double eagerFromDicom() {
            return Stats.mean(eagerFromDicomRounds);
        }
    }

    public record Result(ModelSet set, List<Figure> figures, String eager, String load, Settings settings) {
    }

    private final LocalStack stack;
    private final KafkaTools kafka;
    private final Path root;
    private final Path tools;
    private final Path work;
    private final ModelSet set;
    private final Settings s;

    public WorkersBench(LocalStack stack, KafkaTools kafka, Path root, Path tools, Path work, ModelSet set, Settings settings) {
        this.stack = stack;
        this.kafka = kafka;
        this.root = root;
        this.tools = tools;
        this.work = work;
        this.set = set;
        this.s = settings;
    }

    public Result run(LoadSampler load) throws Exception {
        long mark = load.mark();
        System.out.printf("[bench] workers (%s): %d inference stream(s) of %d intra-op thread(s), %s, manifest %s%n", set.key(), s.streams, s.threads,
                s.layout.describe(), set.manifest());
        kafka.emptyTopics();
        Files.createDirectories(work);
        FileBlobStore blobs = new FileBlobStore(work.resolve("blobs"));
        List<SliceRef> slices = phantomSlices(blobs);
        TorchEager eager = new TorchEager(root, tools, work, set, s.cores());
        List<Figure> figures = new ArrayList<>();
        if (s.layout.split()) {
            pinCluster(s.layout.clusterCpus());
        }
        try {
            // the classifier first: its input topic is still empty then (the detector rounds fill it)
            figures.add(classifier(eager));
            if (s.detector) {
                for (int i = 0; i < s.detectorPrepareThreads.size(); i++) {
                    figures.add(detector(blobs, slices, eager, s.detectorPrepareThreads.get(i), i == 0 && !s.layout.split()));
                }
            }
        } finally {
            if (s.layout.split()) {
                pinCluster(ProcessControl.allCpus());
            }
        }
        Files2.deleteTree(work.resolve("blobs"));
        return new Result(set, figures, eager.describe(), load.since(mark), s);
    }

    /** The broker, the registry and this benchmark (its Kafka clients) on these CPUs. */
    private void pinCluster(String cpus) throws java.io.IOException {
        ProcessControl.pin(stack.brokerProcess().handle().pid(), cpus);
        ProcessControl.pin(stack.registryProcess().handle().pid(), cpus);
        ProcessControl.pinSelf(cpus);
    }

    /**
     * A baseline round: the worker is paused (SIGSTOP) meanwhile, so that an idle worker's background work (its JIT
     * compilers, consumer polls and heartbeats) does not run beside the baseline; it runs on the worker's cores
     * ({@link #onWorkerCores}).
     */
    private double baseline(ServiceProcess worker, Round round) throws Exception {
        return ProcessControl.whileSuspended(worker.process().handle().pid(), () -> onWorkerCores(round));
    }

    private Round asBaseline(ServiceProcess worker, Round round) {
        return () -> baseline(worker, round);
    }

    /** Runs a bare-loop round on the worker's cores (split layout), then moves this process back. */
    private double onWorkerCores(Round round) throws Exception {
        if (!s.layout.split()) {
            return round.run();
        }
        ProcessControl.pinSelf(s.layout.workerCpus());
        try {
            return round.run();
        } finally {
            ProcessControl.pinSelf(s.layout.clusterCpus());
        }
    }

    /**
     * A Kafka round: the tasks are produced while the worker is paused, so that the round measures the worker draining a
     * backlog (not this benchmark producing it on the same cores); the clock runs from its resumption to the last result.
     */
    private double drain(ServiceProcess worker, Runnable produce, Runnable awaitResults, int units) throws Exception {
        ProcessControl.whileSuspended(worker.process().handle().pid(), () -> {
            produce.run();
            return null;
        });
        long start = System.nanoTime();
        awaitResults.run();
        return units / ((System.nanoTime() - start) / 1e9);
    }

    /** At most this many warm-up batches (a round's tasks each) before the measured rounds. */
    private static final int MAX_WARM_UPS = 16;
    /** The worker is warm when its JIT compilers used at most this share of its CPU in each of two warm-up batches in a row. */
    private static final double QUIET_COMPILERS = 0.03;

    /**
     * Runs warm-up rounds until the worker's JIT compilers go quiet: at most {@link #QUIET_COMPILERS} of its CPU in two
     * rounds in a row (one quiet round was often followed by a large C2 compilation of Kafka code), at most
     * {@link #MAX_WARM_UPS} rounds. A service runs for days, so the rounds should measure it compiled, not compiling
     * (after a single short warm-up, the compilers took 8-30% of a worker's single core during the measured rounds).
     * Each warm-up is a Kafka round like a measured one, followed by a scrape of /metrics like the one that opens the
     * measured rounds, so that the same paths get compiled and the same classes loaded before the clock runs. Then the
     * worker's compiler threads get the lowest CPU priority: compilations still pending (Kafka's large methods kept
     * reaching C2 after 40 warm-up rounds, 2-28% of the worker's CPU a round) wait for idle time instead of taking the
     * model's; the code they would have compiled runs meanwhile in a slower tier, so this errs against the worker.
     */
    private void warmUp(String label, ServiceProcess worker, Round batch) throws Exception {
        ProcessHandle handle = worker.process().handle();
        int quietInARow = 0;
        for (int i = 1; ; i++) {
            double compilers = JitActivity.compilerSeconds(handle.pid());
            double cpu = CpuShare.cpu(handle);
            batch.run();
            worker.get("/metrics");
            double share = (JitActivity.compilerSeconds(handle.pid()) - compilers) / (CpuShare.cpu(handle) - cpu);
            quietInARow = share > QUIET_COMPILERS ? 0 : quietInARow + 1;
            if (Double.isNaN(share) || quietInARow == 2 || i == MAX_WARM_UPS) {   // NaN (no /proc): one batch, as before
                List<Long> compilerThreads = JitActivity.compilerThreads(handle.pid());
                for (long tid : compilerThreads) {
                    ProcessControl.lowestPriority(tid);
                }
                System.out.printf(Locale.ROOT, "[bench] %s: warm after %d batch(es) of a round's tasks (JIT compilers %.1f%% of the worker's CPU in the last);"
                        + " its %d compiler threads now at nice 19%n", label, i, 100 * share, compilerThreads.size());
                return;
            }
        }
    }

    // ---- rounds ------------------------------------------------------------------------------------------------

    private interface Round {
        double run() throws Exception;
    }

    /** One kind of round and its results. */
    private record Contender(String name, Round round, List<Double> values) {
        static Contender of(String name, Round round) {
            return new Contender(name, round, new ArrayList<>());
        }
    }

    /** The first contender (the bare loop) opens and closes: bare, the others, bare, the others, ..., bare. */
    private void alternate(String worker, String unit, List<Contender> contenders) throws Exception {
        for (int i = 0; i < s.rounds; i++) {
            for (Contender c : contenders) {
                note(worker, c, unit);
            }
        }
        note(worker, contenders.get(0), unit);
    }

    private static void note(String worker, Contender c, String unit) throws Exception {
        double value = c.round().run();
        c.values().add(value);
        System.out.printf(Locale.ROOT, "[bench] %s %s: %.2f %s%n", worker, c.name(), value, unit);
    }

    private interface SizedRound {
        double run(int units) throws Exception;
    }

    /**
     * A round of a slow baseline (PyTorch eager) sized by its own last rate to take about roundSeconds, between the
     * minimum and the bare round's size (the first: an eighth of that): its rate needs no more, and at the bare loop's
     * size a batch-1 baseline alone would take most of the run.
     */
    private Round timeBoxed(int max, int minimum, SizedRound round) {
        double[] lastRate = {Double.NaN};
        return () -> {
            int units = Double.isNaN(lastRate[0]) ? Math.max(minimum, max / 8)
                    : (int) Math.max(minimum, Math.min(max, Math.ceil(lastRate[0] * s.roundSeconds)));
            lastRate[0] = round.run(Math.min(max, units));
            return lastRate[0];
        };
    }

    /**
     * A Kafka round of a round's tasks, drained from a backlog; {@code name} ("warm", "run") goes into the case ids, the
     * worker's timings are added to {@code timings}; returns units per second.
     */
    private interface KafkaRound {
        double run(String name, Map<String, Long> timings) throws Exception;
    }

    /** A bare-loop round of a given number of units; returns units per second. */
    private interface BareRound {
        double run(int units) throws Exception;
    }

    /**
     * The bare loop's rate that sizes the rounds. The first runs of a session are several times slower than the
     * rest, so three rounds on the worker's cores, each sized to about a second at the rate of the one before; the
     * last one counts (sizing by the first made rounds of 1-2 s, in which a round trip's fixed costs weigh).
     */
    private double calibrate(ServiceProcess worker, BareRound bare, int minimum) throws Exception {
        return baseline(worker, () -> {
            double rate = bare.run(minimum);
            for (int i = 0; i < 2; i++) {
                rate = bare.run((int) Math.max(minimum, Math.ceil(rate)));
            }
            return rate;
        });
    }

    /**
     * Units for a round of about roundSeconds in the bare loop, at least the minimum and {@code minBatchesPerStream} full
     * batches per stream, whole tasks. A worker cannot know where a backlog ends: its streams start their first batches
     * at different times (the first records arrive in pieces) and finish their last ones apart by up to a batch, while
     * the bare loop splits its round evenly. A batch of the LiLNet-size classifiers takes 2.4 s: a 5 s round held 2.25
     * batches per stream, and that tail weighed like a slower worker.
     */
    private int roundSize(double bareRate, int minimum, int perTask, int batch) {
        long floor = Math.max(minimum, (long) s.minBatchesPerStream * batch * s.streams);
        int units = (int) Math.max(floor, Math.ceil(bareRate * s.roundSeconds));
        return (units + perTask - 1) / perTask * perTask;
    }

    /** CPU seconds used by the processes during the Kafka rounds, to show where the time went. */
    private final class CpuShare {
        private final ServiceProcess worker;
        private final double[] sums = new double[5];
        private double wall;

        CpuShare(ServiceProcess worker) {
            this.worker = worker;
        }

        double measure(Round round) throws Exception {
            double[] before = sample();
            long start = System.nanoTime();
            double result = round.run();
            wall += (System.nanoTime() - start) / 1e9;
            double[] after = sample();
            for (int i = 0; i < sums.length; i++) {
                sums[i] += after[i] - before[i];
            }
            return result;
        }

        private double[] sample() {
            return new double[] {cpu(worker.process().handle()), cpu(stack.brokerProcess().handle()), cpu(stack.registryProcess().handle()),
                    cpu(ProcessHandle.current()), JitActivity.compilerSeconds(worker.process().handle().pid())};
        }

        static double cpu(ProcessHandle p) {
            return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
        }

        String describe() {
            return String.format(Locale.ROOT,
                    "Kafka rounds: %.1f s wall on %d cores; CPU: worker %.1f s (its JIT compilers %.1f s), broker %.1f s, registry %.1f s, benchmark %.1f s",
                    wall, ProcessControl.cores(), sums[0], sums[4], sums[1], sums[2], sums[3]);
        }
    }

    // ---- detector ----------------------------------------------------------------------------------------------

    private Figure detector(FileBlobStore blobs, List<SliceRef> slices, TorchEager eager, int prepareThreads, boolean withEager) throws Exception {
        List<GreyImage> images = new ArrayList<>();
        for (SliceRef ref : slices) {
            GreyImage rendered = SliceRenderer.render(CtSliceReader.read(blobs.read(ref.getBlobKey())), HuWindow.ABDOMEN);
            images.add(PlainResize.resize(rendered, 512, 512));
        }
        if (withEager) {
            eager.slices(images.stream().map(GreyImage::pixels).toList());
            eager.dicomFiles(slices.stream().map(r -> blobs.pathOf(r.getBlobKey())).toList());
        }
        String variant = "worker.prepare.threads=" + prepareThreads;
        String label = "detector (" + set.key() + ", " + variant + ")";
        Map<String, Long> timings = new HashMap<>();
        String model;
        int total;
        Breakdown breakdown;
        List<Double> oneStreamBare;
        List<Contender> contenders = new ArrayList<>();
        Map<String, String> config = workerConfig("bench-detector-" + System.nanoTime(), s.detectorBatch, blobs.root());
        config.put("worker.prepare.threads", String.valueOf(prepareThreads));
        try (ServiceProcess worker = startWorker("detector-worker", "org.lilnet.detector.DetectorMain", config);
             InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(set.manifest(), s.threads), EnumSet.of(ModelRole.DETECTOR));
             InferenceRuntime oneStream = s.streams > 1
                     ? InferenceRuntime.open(InferenceSettings.cpu(set.manifest(), s.cores()), EnumSet.of(ModelRole.DETECTOR)) : null;
             KafkaTools.Producer<DetectTask> producer = kafka.producer(Topics.DETECT_TASKS, t -> t.getSeriesInstanceUid() + "/" + t.getChunkIndex());
             KafkaTools.Reader<SliceDetections> reader = kafka.reader(Topics.DETECTIONS)) {
            ModelSession session = runtime.session(ModelRole.DETECTOR);
            model = session.entry().name();
            double calibration = calibrate(worker, n -> bareDetector(session, images, n, s.streams), s.minSlices);
            total = roundSize(calibration, s.minSlices, s.slicesPerTask, s.detectorBatch);
            System.out.printf(Locale.ROOT, "[bench] %s: %.1f slices/s in a third bare round: %d slices per round%n", label, calibration, total);
            int tasks = total / s.slicesPerTask;
            int n = total;
            KafkaRound kafkaRound = (name, timingsOut) -> {
                List<DetectTask> round = detectTasks(name, tasks, slices);
                return drain(worker, () -> producer.send(round), () -> awaitResults(reader, SliceDetections::getTaskId,
                        SliceDetections::getTimingsMillis, ids(round, DetectTask::getTaskId), worker, timingsOut), n);
            };
            // warm-up: the worker JIT-compiles its reading, Avro and Kafka paths
            warmUp(label, worker, () -> kafkaRound.run("warm", new HashMap<>()));
            CpuShare cpu = new CpuShare(worker);
            WorkerCounters before = WorkerCounters.read(worker, "lilnet_worker_slices_total");
            contenders.add(Contender.of("bare ONNX Runtime loop", asBaseline(worker, () -> bareDetector(session, images, n, s.streams))));
            contenders.add(Contender.of("through Kafka", () -> cpu.measure(() -> kafkaRound.run("run", timings))));
            if (withEager) {
                contenders.add(Contender.of("PyTorch eager (rendered slices)", asBaseline(worker, timeBoxed(n, s.minSlices, eager::detectorRound))));
                contenders.add(Contender.of("PyTorch eager (from the DICOM files)", asBaseline(worker, timeBoxed(n, s.minSlices, eager::detectorFromDicomRound))));
            }
            if (oneStream != null) {
                ModelSession wide = oneStream.session(ModelRole.DETECTOR);
                contenders.add(Contender.of("bare ONNX Runtime loop, one stream", asBaseline(worker, () -> bareDetector(wide, images, n, 1))));
            }
            alternate(label, "slices/s", contenders);
            oneStreamBare = oneStream != null ? contenders.get(contenders.size() - 1).values() : List.of();
            WorkerCounters done = WorkerCounters.read(worker, "lilnet_worker_slices_total").since(before);
            breakdown = new Breakdown(s.streams * 1000 / Stats.mean(contenders.get(1).values()), timings.getOrDefault("detect.read", 0L) / done.units(),
                    done.modelMsPerUnit(), s.streams * 1000 / Stats.mean(contenders.get(0).values()), done.commitMsPerUnit(), done.unitsPerTransaction(),
                    cpu.describe());
        }
        double fromDicom;
        try (InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(set.manifest(), s.threads), EnumSet.of(ModelRole.DETECTOR))) {
            int n = total;
            onWorkerCores(() -> bareDetectorFromDicom(runtime.session(ModelRole.DETECTOR), blobs, slices, Math.max(s.minSlices, n / 4)));   // warm-up
            fromDicom = onWorkerCores(() -> bareDetectorFromDicom(runtime.session(ModelRole.DETECTOR), blobs, slices, n));
        }
        System.out.printf(Locale.ROOT, "[bench] %s plain loop from the DICOM files (read, window into the input, run; as many at once as the streams): %.2f slices/s%n", label, fromDicom);
        return new Figure("detector-worker", "slices/s", model, variant, s.detectorBatch, total, contenders.get(1).values(), contenders.get(0).values(),
                oneStreamBare, withEager ? contenders.get(2).values() : List.of(), withEager ? contenders.get(3).values() : List.of(), fromDicom, breakdown);
    }

    /**
     * The bare loop: tensors of the same images, batches of the same size, nothing but the model run; {@code streams}
     * loops at once, each with its own input buffer.
     */
    private double bareDetector(ModelSession session, List<GreyImage> images, int total, int streams) throws Exception {
        return onStreams(streams, total, () -> {
            FloatBuffer input = session.allocateInput(s.detectorBatch);
            StreamLoop loop = inBatches(s.detectorBatch, (unit, slot) -> DetectorInput.write(images.get(unit % images.size()), input, slot),
                    n -> session.run(input, n));
            loop.run(s.detectorBatch);   // warm-up
            return loop;
        });
    }

    /** A plain loop over the same DICOM files: read, window into the input, run; no Kafka (for context), as many at once as the worker's streams. */
    private double bareDetectorFromDicom(ModelSession session, FileBlobStore blobs, List<SliceRef> slices, int total) throws Exception {
        return onStreams(s.streams, total, () -> {
            FloatBuffer input = session.allocateInput(s.detectorBatch);
            PixelArrays arrays = new PixelArrays(s.detectorBatch);
            ByteBuffer[] file = {null};   // as the worker does: one read buffer, the slices' arrays reused
            return inBatches(s.detectorBatch, (unit, slot) -> {
                file[0] = blobs.read(slices.get(unit % slices.size()).getBlobKey(), file[0]);
                CtSlice slice = CtSliceReader.read(file[0], arrays);
                DetectorInput.write(slice, HuWindow.ABDOMEN, 512, input, slot);
                arrays.giveBack(slice.stored());
            }, n -> session.run(input, n));
        });
    }

    /** One stream of a bare loop: made on its own thread (buffers, warm-up), then run over its share of the units. */
    private interface StreamLoop {
        void run(int units) throws Exception;
    }

    private interface StreamLoopFactory {
        StreamLoop make() throws Exception;
    }

    /** Puts a stream's unit {@code unit} (counted from 0) into slot {@code slot} of its batch input. */
    private interface UnitWriter {
        void write(int unit, int slot) throws Exception;
    }

    /** Runs the model(s) on the first {@code n} slots of the batch input. */
    private interface BatchRun {
        void run(int n) throws Exception;
    }

    /** A stream's loop: its units in batches of {@code batch}, each unit written into its slot, then the batch run. */
    private static StreamLoop inBatches(int batch, UnitWriter write, BatchRun run) {
        return units -> {
            int next = 0;
            for (int done = 0; done < units; ) {
                int n = Math.min(batch, units - done);
                for (int slot = 0; slot < n; slot++) {
                    write.write(next++, slot);
                }
                run.run(n);
                done += n;
            }
        };
    }

    /**
     * Units per second of {@code streams} loops running at once on threads of their own, each over its share of
     * {@code total}: the clock runs from when every loop is made to when the last one ends. One stream runs here.
     */
    static double onStreams(int streams, int total, StreamLoopFactory factory) throws Exception {
        if (streams == 1) {
            StreamLoop loop = factory.make();
            long start = System.nanoTime();
            loop.run(total);
            return total / ((System.nanoTime() - start) / 1e9);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(streams);
        try {
            java.util.concurrent.CountDownLatch made = new java.util.concurrent.CountDownLatch(streams);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                int share = total / streams + (i < total % streams ? 1 : 0);
                loops.add(pool.submit(() -> {
                    StreamLoop loop;
                    try {
                        loop = factory.make();
                    } finally {
                        made.countDown();
                    }
                    go.await();
                    loop.run(share);
                    return null;
                }));
            }
            made.await();
            long start = System.nanoTime();
            go.countDown();
            for (java.util.concurrent.Future<?> loop : loops) {
                try {
                    loop.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            // the caller closes the sessions next: no loop may still be inside a model run (a SIGTERM mid-round crashed
            // ONNX Runtime in a loop's warm-up when the main thread left early)
            pool.shutdownNow();
            boolean interrupted = Thread.interrupted();
            while (!pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                System.out.println("[bench] waiting for the bare loop's streams to end");
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<DetectTask> detectTasks(String label, int count, List<SliceRef> slices) {
        List<DetectTask> out = new ArrayList<>();
        Instant now = Instant.now();
        for (int t = 0; t < count; t++) {
            String caseId = "2.25.9." + Math.abs(label.hashCode()) + "." + System.nanoTime() % 1_000_000 + "." + t;
            List<SliceRef> chunk = new ArrayList<>();
            for (int k = 0; k < s.slicesPerTask; k++) {
                chunk.add(SliceRef.newBuilder(slices.get((t * s.slicesPerTask + k) % slices.size())).setSliceIndex(k).build());
            }
            out.add(DetectTask.newBuilder().setTaskId(caseId + "/0/" + caseId + ".1/0").setCaseId(caseId).setCaseRevision(0)
                    .setStudyInstanceUid(caseId).setSeriesInstanceUid(caseId + ".1").setPhase(Phase.AP).setChunkIndex(0).setChunkCount(1)
                    .setSlices(chunk).setPixelSpacingRowMm(0.7).setPixelSpacingColumnMm(0.7).setLastInstanceAt(now).setEnqueuedAt(now).build());
        }
        return out;
    }

    // ---- classifier --------------------------------------------------------------------------------------------

    private Figure classifier(TorchEager eager) throws Exception {
        List<byte[]> crops = crops();
        boolean withEager = !s.layout.split();
        if (withEager) {
            eager.crops(crops);
        }
        String label = "classifier (" + set.key() + ")";
        Map<String, Long> timings = new HashMap<>();
        String model;
        int total;
        Breakdown breakdown;
        List<Double> oneStreamBare;
        List<Contender> contenders = new ArrayList<>();
        try (ServiceProcess worker = startWorker("classifier-worker", "org.lilnet.classifier.ClassifierMain",
                workerConfig("bench-classifier-" + System.nanoTime(), s.classifierBatch, work.resolve("blobs")));
             InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(set.manifest(), s.threads), ModelRole.CLASSIFIERS);
             InferenceRuntime oneStream = s.streams > 1 ? InferenceRuntime.open(InferenceSettings.cpu(set.manifest(), s.cores()), ModelRole.CLASSIFIERS) : null;
             KafkaTools.Producer<SliceDetections> producer = kafka.producer(Topics.DETECTIONS, d -> d.getSeriesInstanceUid() + "/0");
             KafkaTools.Reader<ChunkPredictions> reader = kafka.reader(Topics.PREDICTIONS)) {
            model = runtime.session(ModelRole.BM).entry().name() + ", -m, -b";
            double calibration = calibrate(worker, n -> bareClassifiers(runtime, crops, n, s.streams), s.minCrops);
            total = roundSize(calibration, s.minCrops, s.cropsPerChunk, s.classifierBatch);
            System.out.printf(Locale.ROOT, "[bench] %s: %.1f crops/s in a third bare round: %d crops per round%n", label, calibration, total);
            int chunks = total / s.cropsPerChunk;
            int n = total;
            KafkaRound kafkaRound = (name, timingsOut) -> {
                List<SliceDetections> round = detections(name, chunks, crops);
                return drain(worker, () -> producer.send(round), () -> awaitResults(reader, ChunkPredictions::getTaskId,
                        ChunkPredictions::getTimingsMillis, ids(round, SliceDetections::getTaskId), worker, timingsOut), n);
            };
            warmUp(label, worker, () -> kafkaRound.run("warm", new HashMap<>()));
            CpuShare cpu = new CpuShare(worker);
            WorkerCounters before = WorkerCounters.read(worker, "lilnet_worker_crops_total");
            contenders.add(Contender.of("bare ONNX Runtime loop", asBaseline(worker, () -> bareClassifiers(runtime, crops, n, s.streams))));
            contenders.add(Contender.of("through Kafka", () -> cpu.measure(() -> kafkaRound.run("run", timings))));
            if (withEager) {
                contenders.add(Contender.of("PyTorch eager", asBaseline(worker, timeBoxed(n, s.minCrops, eager::classifierRound))));
            }
            if (oneStream != null) {
                contenders.add(Contender.of("bare ONNX Runtime loop, one stream", asBaseline(worker, () -> bareClassifiers(oneStream, crops, n, 1))));
            }
            alternate(label, "crops/s", contenders);
            oneStreamBare = oneStream != null ? contenders.get(contenders.size() - 1).values() : List.of();
            WorkerCounters done = WorkerCounters.read(worker, "lilnet_worker_crops_total").since(before);
            breakdown = new Breakdown(s.streams * 1000 / Stats.mean(contenders.get(1).values()), 0, done.modelMsPerUnit(),
                    s.streams * 1000 / Stats.mean(contenders.get(0).values()), done.commitMsPerUnit(), done.unitsPerTransaction(), cpu.describe());
        }
        return new Figure("classifier-worker", "crops/s", model, "", s.classifierBatch, total, contenders.get(1).values(), contenders.get(0).values(),
                oneStreamBare, withEager ? contenders.get(2).values() : List.of(), List.of(), Double.NaN, breakdown);
    }

    private double bareClassifiers(InferenceRuntime runtime, List<byte[]> crops, int total, int streams) throws Exception {
        return onStreams(streams, total, () -> {
            FloatBuffer input = runtime.session(ModelRole.BM).allocateInput(s.classifierBatch);
            StreamLoop loop = inBatches(s.classifierBatch,
                    (unit, slot) -> ClassifierInput.write(crops.get(unit % crops.size()), input, slot),
                    n -> {
                        for (ModelRole role : ModelRole.CLASSIFIERS) {
                            runtime.session(role).run(input, n);
                        }
                    });
            loop.run(s.classifierBatch);   // warm-up
            return loop;
        });
    }

    /** Sixteen distinct crops: a bright disc of varying size and grey level on a noisy background (seeded). */
    static List<byte[]> crops() {
        Random random = new Random(7);
        List<byte[]> out = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            byte[] crop = new byte[224 * 224];
            int radius = 10 + 5 * c;
            int level = 120 + 8 * c;
            for (int y = 0; y < 224; y++) {
                for (int x = 0; x < 224; x++) {
                    double d = Math.hypot(x - 112, y - 112);
                    int v = (d < radius ? level : 90) + (int) (random.nextGaussian() * 12);
                    crop[y * 224 + x] = (byte) Math.max(0, Math.min(255, v));
                }
            }
            out.add(crop);
        }
        return out;
    }

    private List<SliceDetections> detections(String label, int count, List<byte[]> crops) {
        List<SliceDetections> out = new ArrayList<>();
        ModelRef detector = ModelRef.newBuilder().setRole("detector").setName("bench").setVersion("0").setSha256("0".repeat(64)).build();
        for (int t = 0; t < count; t++) {
            String caseId = "2.25.8." + Math.abs(label.hashCode()) + "." + System.nanoTime() % 1_000_000 + "." + t;
            List<SliceResult> slices = new ArrayList<>();
            for (int k = 0; k < s.cropsPerChunk; k++) {
                Detection d = Detection.newBuilder().setBox(Box.newBuilder().setX1(200).setY1(200).setX2(240).setY2(240).build()).setScore(0.9f)
                        .setCropPixels(ByteBuffer.wrap(crops.get((t * s.cropsPerChunk + k) % crops.size()))).build();
                slices.add(SliceResult.newBuilder().setSopInstanceUid(caseId + ".s" + k).setSliceIndex(k).setSlicePositionMm(k * 2.5)
                        .setRows(512).setColumns(512).setDetections(List.of(d)).build());
            }
            out.add(SliceDetections.newBuilder().setTaskId(caseId + "/0/" + caseId + ".1/0").setCaseId(caseId).setCaseRevision(0)
                    .setStudyInstanceUid(caseId).setSeriesInstanceUid(caseId + ".1").setPhase(Phase.PVP).setChunkIndex(0).setChunkCount(1)
                    .setStatus(ChunkStatus.OK).setWindow(WindowSetting.newBuilder().setLevel(40).setWidth(400).build()).setDetector(detector)
                    .setSlices(slices).setLastInstanceAt(Instant.now()).setTimingsMillis(Map.of()).build());
        }
        return out;
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    /** The axial slices of one phantom study (both phases) in the blob store, as the ingest-service would store them. */
    private List<SliceRef> phantomSlices(FileBlobStore blobs) throws Exception {
        Path dir = work.resolve("phantom");
        PhantomOptions options = PhantomOptions.defaults().withSlicesPerSeries(s.phantomSlices).withPhases(EnumSet.of(Phase.AP, Phase.PVP))
                .withRandomExtraPhases(false).withLocalizerProbability(0);
        GeneratedStudy study = new PhantomGenerator(options).generateStudy(11, 0, dir);
        List<SliceRef> out = new ArrayList<>();
        for (Map.Entry<String, List<Path>> series : study.files().entrySet()) {
            for (Path file : series.getValue()) {
                byte[] bytes = Files.readAllBytes(file);
                CtSlice slice = CtSliceReader.read(bytes);
                String key = "dicom/" + slice.studyInstanceUid() + "/" + slice.seriesInstanceUid() + "/" + slice.sopInstanceUid() + ".dcm";
                blobs.put(key, bytes);
                out.add(SliceRef.newBuilder().setSopInstanceUid(slice.sopInstanceUid()).setBlobKey(key).setSliceIndex(out.size())
                        .setSlicePositionMm(out.size()).build());
            }
        }
        Files2.deleteTree(dir);
        return out;
    }

    private Map<String, String> workerConfig(String group, int batch, Path blobs) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("kafka.bootstrap.servers", stack.bootstrapServers());
        p.put("registry.url", stack.registryUrl());
        p.put("models.manifest", set.manifest().toString());
        p.put("inference.intra.op.threads", String.valueOf(s.threads));
        p.put("worker.inference.streams", String.valueOf(s.streams));
        p.put("consumer.group", group);
        p.put("batch.max.size", String.valueOf(batch));
        p.put("blob.store.dir", blobs.toString());
        p.put("temp.dir", work.resolve("tmp").toString());
        // the worker stays paused (SIGSTOP) through the baselines' rounds between its own, 40 s and more with the
        // LiLNet-size models: the group must not drop it (session.timeout.ms is 45 s by default) and rebalance in a round
        p.put("kafka.session.timeout.ms", "300000");
        return p;
    }

    private ServiceProcess startWorker(String name, String mainClass, Map<String, String> config) throws Exception {
        ServiceProcess worker = ServiceProcess.start(name, mainClass, config, work, "768m");
        try {
            if (s.layout.split()) {
                ProcessControl.pin(worker.process().handle().pid(), s.layout.workerCpus());
            }
            worker.awaitHealthy(Duration.ofMinutes(3));
            return worker;
        } catch (RuntimeException | InterruptedException e) {
            worker.close();   // never leave a worker behind
            throw e;
        }
    }

    private static <V> Set<String> ids(List<V> values, Function<V, String> id) {
        Set<String> out = new HashSet<>();
        values.forEach(v -> out.add(id.apply(v)));
        return out;
    }

    /** Reads the output topic (read_committed) until every expected task id has a result; adds up their timings. */
    private static <V extends org.apache.avro.specific.SpecificRecord> void awaitResults(KafkaTools.Reader<V> reader, Function<V, String> taskId,
                                                                                        Function<V, Map<String, Long>> timingsOf, Set<String> expected,
                                                                                        ServiceProcess worker, Map<String, Long> timings) {
        Set<String> missing = new HashSet<>(expected);
        reader.until((ConsumerRecord<String, V> r) -> {
            if (missing.remove(taskId.apply(r.value()))) {
                timingsOf.apply(r.value()).forEach((k, v) -> timings.merge(k, v, Long::sum));
            }
        }, missing::isEmpty, worker::isAlive, Duration.ofMinutes(30), () -> missing.size() + " results missing; worker log:\n" + worker.logTail(30));
    }

    // ---- report ------------------------------------------------------------------------------------------------

    public static void report(List<Result> results, PerformanceReport.Section section, List<Target> targets) {
        if (results.isEmpty()) {
            return;
        }
        Settings s = results.get(0).settings();
        section.paragraph("Each worker drains a backlog through Kafka (one worker process, transactions, results read back read_committed by "
                + "the benchmark; the round's tasks are produced while the worker is paused with SIGSTOP, and the clock runs from its SIGCONT to "
                + "the last result read; before the rounds the worker drains warm-up backlogs of a round's tasks, each followed by a scrape "
                + "of its /metrics, until its JIT compilers use at most " + Math.round(QUIET_COMPILERS * 100) + "% of its CPU in two in a row, "
                + "at most " + MAX_WARM_UPS + " batches, and its JIT compiler threads then run at the lowest priority (nice 19), so that "
                + "compilations still pending wait for idle time instead of taking the model's: a service runs for days, so it is "
                + "measured compiled; their CPU is listed) against, in the same run and "
                + "alternating round by round, with the worker paused (SIGSTOP) during each of their rounds so that its background work "
                + "(compilers, consumer polls) does not run beside them: (1) a bare ONNX Runtime loop in the benchmark process on the same model file, the same images already in "
                + "tensors and the same batch size: nothing but the model; (2) the authors' way: PyTorch eager, one image at a time, the same "
                + "networks (random weights: the cost does not depend on them), the same images, " + s.threads() + " threads (and "
                + "OMP_WAIT_POLICY=PASSIVE, which made PyTorch several times faster on this shared machine). A round is sized to take about "
                + s.roundSeconds() + " s in the bare loop (the Kafka round gets the same units), so that the fixed cost of a Kafka round trip "
                + "does not pass for throughput, and to hold at least " + s.minBatchesPerStream() + " full batches per inference stream, so "
                + "that neither does the tail of a backlog (a worker's streams finish their last batches apart, the bare loop splits its "
                + "round evenly); a PyTorch round is sized by its own previous rate to take about as long. Values are "
                + "means over " + s.rounds() + " rounds (" + (s.rounds() + 1) + " of the bare loop), each round's value in brackets. The "
                + "detector-worker reads each slice from its DICOM file in the blob store; the bare loop starts from the slices already "
                + "rendered to 8 bits (and writes them into the input tensor before each run, as the worker writes its slices), PyTorch is "
                + "measured both ways. Inputs: the " + 2 * s.phantomSlices() + " slices of a phantom study (both phases), sixteen synthetic "
                + "224x224 crops.");
        section.paragraph("Two layouts of the processes on the cores: *shared*, every process (worker, broker, registry, this benchmark) "
                + "on every core, as a laptop runs it; *worker on its own core*, the worker pinned with taskset to the last core and "
                + "the broker, the registry and this benchmark's Kafka clients to the others, as on a GPU node whose broker runs "
                + "elsewhere; the bare loop then runs on the worker's core too (this process moves there for its rounds), both with "
                + "one ONNX Runtime thread per core of the worker. PyTorch is measured in the shared layout only.");
        if (s.streams() > 1) {
            section.paragraph("In the shared layout the workers run " + s.streams() + " inference streams (worker.inference.streams="
                    + s.streams() + ", inference.intra.op.threads=" + s.threads() + "): " + s.streams() + " batches at once, each on a thread of "
                    + "its own. The bare loop runs the same way, and also, in the same alternating rounds, as one stream of " + s.cores()
                    + " intra-op threads (one batch at a time, spread over the cores): the faster of the two is the baseline of the ratio. "
                    + "With several streams the per-unit figures below that compare with the model time (wall through Kafka, bare loop) "
                    + "are per stream: wall per unit x streams.");
        }
        Table t = Table.of("models", "worker", "batch, units per round", "through Kafka", "bare ONNX Runtime loop",
                "**Kafka / bare** (target >= 0.90)", "PyTorch eager, batch 1", "**Kafka / PyTorch** (target >= 2.0)");
        for (Result r : results) {
            for (Figure f : r.figures()) {
                String eager = f.eagerRounds().isEmpty() ? "(measured with the first variant)" : rate(f.eager(), f.unit(), f.eagerRounds());
                String speedUp = f.eagerRounds().isEmpty() ? "" : String.format(Locale.ROOT, "**%.2fx**", f.speedUp());
                if (!f.eagerFromDicomRounds().isEmpty()) {
                    eager = "rendered slices: " + eager + "; from the DICOM files (pydicom): " + rate(f.eagerFromDicom(), f.unit(), f.eagerFromDicomRounds());
                    speedUp = String.format(Locale.ROOT, "**%.2fx** (from DICOM: %.2fx)", f.speedUp(), f.kafka() / f.eagerFromDicom());
                }
                t.row(r.set().key() + ": " + f.model(), workerLabel(r, f), f.batch() + ", " + f.units(),
                        rate(f.kafka(), f.unit(), f.kafkaRounds()), bareRates(r.settings(), f),
                        String.format(Locale.ROOT, "**%.2f**", f.ratio()), eager, speedUp);
            }
            if (r.figures().stream().noneMatch(f -> f.worker().startsWith("detector"))) {
                t.row(r.set().key(), "detector-worker" + layoutLabel(r), "", "the same detector as above: not measured again", "", "", "", "");
            }
        }
        section.table(t);
        Table b = Table.of("models", "worker", "wall per unit through Kafka", "in the worker: reading the DICOM file", "in the worker: model (with writing its input)",
                "bare loop: model", "in the worker: transaction commits (beside the next batch)", "units per transaction",
                "plain loop from the DICOM files, no Kafka, as many at once as the streams (Kafka / it)", "CPU");
        for (Result r : results) {
            for (Figure f : r.figures()) {
                Breakdown d = f.breakdown();
                b.row(r.set().key(), workerLabel(r, f), ms(d.wallMs()),
                        f.worker().startsWith("detector") ? ms(d.readMs()) : "(crops come inline)", ms(d.modelMs()), ms(d.bareModelMs()), ms(d.commitMs()),
                        String.format(Locale.ROOT, "%.1f", d.unitsPerTransaction()),
                        Double.isNaN(f.fromInputs()) ? "" : String.format(Locale.ROOT, "%.2f %s (%.2f)", f.fromInputs(), f.unit(), f.kafka() / f.fromInputs()),
                        d.cpu());
            }
        }
        section.paragraph("Where the time goes, per slice or crop (the worker's own timings and metrics over its Kafka rounds):");
        section.table(b);
        for (Result r : results) {
            section.paragraph("Load average during the `" + r.set().key() + "` rounds" + layoutLabel(r) + ": " + r.load()
                    + (r.settings().layout().split() ? "." : ". Baseline: " + r.eager() + "."));
        }
        for (Result r : results) {
            for (Figure f : r.figures()) {
                boolean main = f.variant().isEmpty() || f.variant().equals("worker.prepare.threads=" + s.detectorPrepareThreads().get(0));
                if (!main) {
                    continue;
                }
                boolean split = r.settings().layout().split();
                String name = f.worker() + " (" + r.set().key() + " models" + (split ? ", worker on its own core" : "") + ")";
                Breakdown d = f.breakdown();
                boolean detector = f.worker().startsWith("detector");
                String why = detector
                        ? String.format(Locale.ROOT, "per slice the worker spent %.1f ms reading the DICOM file (the bare loop gets "
                                + "decoded images) and %.1f ms windowing it into the input and running the model against %.1f ms writing "
                                + "and running in the bare loop, of %.1f ms wall; the rest is Kafka, "
                                + "record building and waiting, %s.", d.readMs(), d.modelMs(), d.bareModelMs(), d.wallMs(),
                                split ? "on the worker's one core (reading cannot overlap the model there)"
                                        : "on cores shared with the broker, the registry and this benchmark")
                        : String.format(Locale.ROOT, "per crop the worker spent %.1f ms in the models against %.1f ms in the bare loop, of %.1f ms "
                                + "wall; the other %.1f ms are moving each crop (50 KB inline) through the broker, Avro and the transaction, "
                                + "which weigh most when the models are small.", d.modelMs(), d.bareModelMs(), d.wallMs(), d.wallMs() - d.modelMs());
                // say so when slower model runs are most of the gap, not only when they are far slower
                if (d.modelMs() > 1.2 * d.bareModelMs() || d.modelMs() - d.bareModelMs() > 0.5 * (d.wallMs() - d.bareModelMs())) {
                    why += String.format(Locale.ROOT, " The same model runs took %.0f%% longer inside the worker than in the bare loop (same "
                            + "model file, batch size and threads): the worker's process competes for the cores with the broker and the "
                            + "benchmark, and with whatever else the machine runs, while the bare loop ran alone.", 100 * (d.modelMs() / d.bareModelMs() - 1));
                }
                why += " " + d.cpu() + (split ? " (the bare loop has the worker's core to itself)." : " (the bare loop has the "
                        + Runtime.getRuntime().availableProcessors() + " cores to itself but for other users of the machine).");
                targets.add(Target.atLeast(name + " through Kafka / bare ONNX Runtime loop", f.ratio(), 0.90, "")
                        .explained(why, detector && split
                                ? "with a second core for the worker, read the next slices while the model runs (worker.prepare.threads=1); "
                                + "with a model of the published size the same overhead is a few percent (see the lilnet rows)."
                                : detector
                                ? "read the next slices while the model runs (worker.prepare.threads=1; `--prepare-threads 0,1` measures it) where a core is free, and "
                                + "rerun on a quiet machine."
                                : split ? "the rest is per-crop work outside the models (the crop converted to floats, Avro, the "
                                + "transaction, the records the consumer holds: see the worker's GC with -Xlog:gc); `perf record -p <worker pid>`, "
                                + "with `jcmd <pid> Compiler.perfmap` for the Java frames, shows where it goes on this machine."
                                : "see the layout with the worker on its own core: here the broker, the registry and this benchmark share "
                                + "the worker's cores."));
                if (!f.eagerRounds().isEmpty()) {
                    double bareOverEager = f.bare() / f.eager();
                    // when even the bare loop is not 2x PyTorch, the model's arithmetic decides, not the worker's plumbing
                    String ceiling = bareOverEager < 2.0
                            ? String.format(Locale.ROOT, " Even the bare ONNX Runtime loop was only %.2fx PyTorch eager on this CPU: the same "
                                    + "convolutions run at about the same speed in both runtimes, and batching buys little on %d CPU cores, so "
                                    + "no worker on this CPU can reach 2x with these models.", bareOverEager, Runtime.getRuntime().availableProcessors())
                            : String.format(Locale.ROOT, " The bare ONNX Runtime loop was %.2fx PyTorch eager: the gap is in the worker "
                                    + "(Kafka, records, waiting), see the Kafka / bare ratio.", bareOverEager);
                    targets.add(Target.atLeast(name + " through Kafka / PyTorch eager batch 1", f.speedUp(), 2.0, "x")
                            .explained(String.format(Locale.ROOT, "PyTorch eager took %.1f ms per %s, the worker %.1f ms through Kafka "
                                    + "(model %.1f ms%s).", 1000 / f.eager(), detector ? "slice" : "crop", d.wallMs(), d.modelMs(),
                                    detector ? String.format(Locale.ROOT, ", reading %.1f ms", d.readMs()) : "") + ceiling,
                                    bareOverEager < 2.0
                                            ? "a cheaper execution of the model: a GPU with large batches (the design's target), or int8 "
                                            + "quantisation of the exported models on CPU; then rerun."
                                            : detector ? "the model is small: reading the slices weighs as much as the model; make it cheaper."
                                            : "close the Kafka / bare gap first (see that target)."));
                }
            }
        }
    }

    /** The bare loop's figure; with several streams both ways of running it, the faster being the baseline. */
    private static String bareRates(Settings settings, Figure f) {
        if (f.oneStreamBareRounds().isEmpty()) {
            return rate(f.bare(), f.unit(), f.bareRounds());
        }
        return String.format(Locale.ROOT, "%d streams of %d thread(s): %s; one stream of %d threads: %s", settings.streams(), settings.threads(),
                rate(Stats.mean(f.bareRounds()), f.unit(), f.bareRounds()), settings.cores(),
                rate(Stats.mean(f.oneStreamBareRounds()), f.unit(), f.oneStreamBareRounds()));
    }

    private static String workerLabel(Result r, Figure f) {
        return f.worker() + (f.variant().isEmpty() ? "" : " (" + f.variant() + ")") + layoutLabel(r);
    }

    private static String layoutLabel(Result r) {
        CoreLayout layout = r.settings().layout();
        return layout.split() ? "; worker on its own core (" + layout.describe() + ")" : "";
    }

    private static String rate(double mean, String unit, List<Double> rounds) {
        return String.format(Locale.ROOT, "%.2f %s %s", mean, unit, rounds(rounds));
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f ms", v);
    }

    private static String rounds(List<Double> values) {
        return "(" + String.join(", ", values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList()) + ")";
    }
}
