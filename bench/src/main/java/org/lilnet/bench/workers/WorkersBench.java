package org.lilnet.bench.workers;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.detector.DetectorInput;
import org.lilnet.detector.GreyImage;
import org.lilnet.detector.HuWindow;
import org.lilnet.detector.PlainResize;
import org.lilnet.detector.SliceRenderer;
import org.lilnet.detector.SyntheticCt;
import org.lilnet.dicom.CtSliceReader;
import org.lilnet.events.Box;
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
import org.lilnet.stack.ChildProcess;
import org.lilnet.stack.FreePorts;
import org.lilnet.stack.JavaCommand;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.StackOptions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;

/**
 * Each worker's throughput through Kafka against a bare ONNX Runtime loop on the same model and the same inputs, in
 * the same run (issue 6, done-when 2; target ratio >= 0.90). Rounds alternate (bare, Kafka, bare, Kafka, bare, Kafka, bare) while
 * the worker process idles between its rounds, and the ratio compares the means: the machine is shared and noisy.
 *
 * <ul>
 * <li>Through Kafka: one worker process (the real service, transactions, read_committed) drains a backlog of tasks
 * produced at once; the clock runs from the first task produced to the last result read back (read_committed).</li>
 * <li>Bare loop: in this process, the same model file, the same session options and batch size, the same images
 * already decoded into tensors: nothing but {@code OrtSession.run}.</li>
 * </ul>
 *
 * <pre>bench/run-workers-bench [--manifest models/manifest.json] [--tasks 8] [--slices-per-task 8] [--chunks 6]
 *     [--crops-per-chunk 8] [--threads 2] [--prepare-threads N]</pre>
 * Without {@code --manifest} (and without {@code models/manifest.json}) it generates cost stand-ins: a detector with
 * {@code bench/src/main/python/make_cost_models.py} and the exporter's LiLNet-architecture classifiers with
 * {@code models/tools/make_random_classifiers.py} (random weights, Debian python3-torch).
 */
public final class WorkersBench {

    private final Path work;
    private final Path manifest;
    private final int tasks;
    private final int slicesPerTask;
    private final int chunks;
    private final int cropsPerChunk;
    private final int threads;
    private final int detectorBatch;
    private final int classifierBatch;
    private final String prepareThreads;
    private LocalStack stack;
    private RegistryAccess registry;

    private WorkersBench(Path work, Path manifest, int tasks, int slicesPerTask, int chunks, int cropsPerChunk, int threads,
                         int detectorBatch, int classifierBatch, String prepareThreads) {
        this.work = work;
        this.manifest = manifest;
        this.tasks = tasks;
        this.slicesPerTask = slicesPerTask;
        this.chunks = chunks;
        this.cropsPerChunk = cropsPerChunk;
        this.threads = threads;
        this.detectorBatch = detectorBatch;
        this.classifierBatch = classifierBatch;
        this.prepareThreads = prepareThreads;
    }

    /** One line of the result table: the rounds of each kind, alternated (bare, Kafka, bare, Kafka, bare). */
    record Figure(String worker, String unit, String model, int batch, List<Double> kafkaRounds, List<Double> bareRounds, double fromInputs) {
        double kafka() {
            return kafkaRounds.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }

        double bare() {
            return bareRounds.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }

        double ratio() {
            return kafka() / bare();
        }
    }

    private static final int KAFKA_ROUNDS = 3;

    /** CPU seconds used by the processes of a Kafka round, to show where the time went (2 cores shared by all). */
    private final class CpuShare {
        private final Worker worker;
        private double workerCpu;
        private double brokerCpu;
        private double registryCpu;
        private double benchCpu;
        private double wall;

        CpuShare(Worker worker) {
            this.worker = worker;
        }

        <X> X measure(java.util.concurrent.Callable<X> round) throws Exception {
            double[] before = sample();
            long start = System.nanoTime();
            X result = round.call();
            wall += (System.nanoTime() - start) / 1e9;
            double[] after = sample();
            workerCpu += after[0] - before[0];
            brokerCpu += after[1] - before[1];
            registryCpu += after[2] - before[2];
            benchCpu += after[3] - before[3];
            return result;
        }

        private double[] sample() {
            return new double[] {cpu(worker.process().handle()), cpu(stack.brokerProcess().handle()), cpu(stack.registryProcess().handle()),
                    cpu(ProcessHandle.current())};
        }

        private static double cpu(ProcessHandle p) {
            return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
        }

        String describe(String what, double modelSeconds) {
            return String.format("%s: %.1f s wall on %d cores; CPU: worker %.1f s%s, broker %.1f s, registry %.1f s, this benchmark %.1f s",
                    what, wall, Runtime.getRuntime().availableProcessors(), workerCpu,
                    Double.isNaN(modelSeconds) ? "" : String.format(" (in the model %.1f s of wall)", modelSeconds), brokerCpu, registryCpu, benchCpu);
        }
    }

    /** Measures alternately: a bare round, then a Kafka round, ..., ending with a bare round. */
    private interface Round {
        double run() throws Exception;
    }

    private static void alternate(Round bare, Round kafka, List<Double> bareRounds, List<Double> kafkaRounds, String worker, String unit)
            throws Exception {
        for (int i = 0; i < KAFKA_ROUNDS; i++) {
            bareRounds.add(bare.run());
            System.out.printf("[bench] %s bare loop: %.2f %s%n", worker, bareRounds.get(bareRounds.size() - 1), unit);
            kafkaRounds.add(kafka.run());
            System.out.printf("[bench] %s through Kafka: %.2f %s%n", worker, kafkaRounds.get(kafkaRounds.size() - 1), unit);
        }
        bareRounds.add(bare.run());
        System.out.printf("[bench] %s bare loop: %.2f %s%n", worker, bareRounds.get(bareRounds.size() - 1), unit);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path work = Path.of(options.getOrDefault("work", "target/bench-workers/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                .toAbsolutePath();
        Files.createDirectories(work);
        Path manifest = options.containsKey("manifest") ? Path.of(options.get("manifest")).toAbsolutePath() : defaultManifest(work);
        int threads = Integer.parseInt(options.getOrDefault("threads", String.valueOf(Runtime.getRuntime().availableProcessors())));
        WorkersBench bench = new WorkersBench(work, manifest, Integer.parseInt(options.getOrDefault("tasks", "8")),
                Integer.parseInt(options.getOrDefault("slices-per-task", "8")), Integer.parseInt(options.getOrDefault("chunks", "6")),
                Integer.parseInt(options.getOrDefault("crops-per-chunk", "8")), threads,
                Integer.parseInt(options.getOrDefault("detector-batch", "4")), Integer.parseInt(options.getOrDefault("classifier-batch", "16")),
                options.get("prepare-threads"));
        bench.run();
    }

    private static Path defaultManifest(Path work) throws Exception {
        Path repo = Path.of("models/manifest.json").toAbsolutePath();
        if (Files.exists(repo)) {
            return repo;
        }
        Path detector = work.resolve("cost-detector");
        System.out.println("[bench] no models/manifest.json: a cost stand-in detector (random weights, contract shapes) in " + detector
                + " and the exporter's LiLNet-architecture classifiers (random weights)");
        python("bench/src/main/python/make_cost_models.py", detector.toString(), "--detector-only");
        Path out = work.resolve("cost-models");
        python("models/tools/make_random_classifiers.py", "--out", out.toString(), "--detector-from", detector.resolve("manifest.json").toString());
        return out.resolve("manifest.json");
    }

    private static void python(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (needs Debian python3-torch, python3-torchvision, python3-onnx)");
        }
    }

    private void run() throws Exception {
        System.out.printf("[bench] workers vs bare ONNX Runtime: %d cores, %d intra-op threads, manifest %s%n",
                Runtime.getRuntime().availableProcessors(), threads, manifest);
        stack = LocalStack.start(StackOptions.onFreePorts(work.resolve("stack")));
        registry = RegistryAccess.of(stack.registryUrl());
        try {
            FileBlobStore blobs = new FileBlobStore(work.resolve("blobs"));
            List<SliceRef> slices = writeSlices(blobs);
            // the classifier first: its input topic is still empty then (the detector run would fill it)
            Figure classifier = classifier(blobs, slices);
            Figure detector = detector(blobs, slices);
            print(List.of(detector, classifier));
        } finally {
            stack.close();
        }
    }

    // ---- detector ----------------------------------------------------------------------------------------------

    private Figure detector(FileBlobStore blobs, List<SliceRef> slices) throws Exception {
        int total = tasks * slicesPerTask;
        List<GreyImage> images = new ArrayList<>();
        long decode = System.nanoTime();
        for (SliceRef ref : slices) {
            GreyImage rendered = SliceRenderer.render(CtSliceReader.read(new ByteArrayInputStream(blobs.read(ref.getBlobKey()))), HuWindow.ABDOMEN);
            images.add(PlainResize.resize(rendered, 512, 512));
        }
        double decodeMillisPerSlice = (System.nanoTime() - decode) / 1e6 / slices.size();
        System.out.printf("[bench] reading + rendering a slice costs %.1f ms (the worker pays it, the bare loop does not)%n", decodeMillisPerSlice);
        String group = "bench-detector-" + System.nanoTime();
        List<Double> bareRounds = new ArrayList<>();
        List<Double> kafkaRounds = new ArrayList<>();
        String model;
        Map<String, String> detectorConfig = new java.util.HashMap<>(Map.of("consumer.group", group,
                "batch.max.size", String.valueOf(detectorBatch), "blob.store.dir", blobs.root().toString()));
        if (prepareThreads != null) {
            detectorConfig.put("worker.prepare.threads", prepareThreads);
        }
        try (Worker worker = startWorker("detector", "org.lilnet.detector.DetectorMain", detectorConfig);
             InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(manifest, threads), EnumSet.of(ModelRole.DETECTOR))) {
            ModelSession session = runtime.session(ModelRole.DETECTOR);
            model = session.entry().name();
            List<DetectTask> warmUp = detectTasks("warm", 4, slices);   // the worker JIT-compiles reading, Avro and Kafka paths
            produce(Topics.DETECT_TASKS, warmUp, t -> t.getSeriesInstanceUid() + "/" + t.getChunkIndex());
            awaitResults(Topics.DETECTIONS, SliceDetections::getTaskId, ids(warmUp, DetectTask::getTaskId), Duration.ofMinutes(5), worker);
            CpuShare cpu = new CpuShare(worker);
            CpuShare bareCpu = new CpuShare(worker);
            double modelBefore = worker.metric("lilnet_worker_inference_seconds_sum");
            alternate(() -> bareCpu.measure(() -> bareDetector(session, images, total)), () -> cpu.measure(() -> {
                List<DetectTask> measured = detectTasks("run", tasks, slices);
                long start = System.nanoTime();
                produce(Topics.DETECT_TASKS, measured, t -> t.getSeriesInstanceUid() + "/" + t.getChunkIndex());
                awaitResults(Topics.DETECTIONS, SliceDetections::getTaskId, ids(measured, DetectTask::getTaskId), Duration.ofMinutes(30), worker);
                return total / ((System.nanoTime() - start) / 1e9);
            }), bareRounds, kafkaRounds, "detector", "slices/s");
            System.out.println("[bench] detector " + cpu.describe("Kafka rounds", worker.metric("lilnet_worker_inference_seconds_sum") - modelBefore));
            System.out.println("[bench] detector " + bareCpu.describe("bare rounds (the model runs in this benchmark)", Double.NaN));
            System.out.printf("[bench] inside the detector-worker the model took %.1f ms per slice (bare loop: %.1f ms); a transaction %.1f ms%n",
                    worker.modelMillisPerUnit("lilnet_worker_slices_total"), 1000 / bareRounds.stream().mapToDouble(Double::doubleValue).average().orElse(1),
                    worker.metric("lilnet_worker_commit_seconds_sum") * 1000 / worker.metric("lilnet_worker_commit_seconds_count"));
        }
        double fromDicom;
        try (InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(manifest, threads), EnumSet.of(ModelRole.DETECTOR))) {
            fromDicom = bareDetectorFromDicom(runtime.session(ModelRole.DETECTOR), blobs, slices, total);
        }
        System.out.printf("[bench] detector bare loop from the DICOM files (read, render, run; one thread): %.2f slices/s%n", fromDicom);
        return new Figure("detector-worker", "slices/s", model, detectorBatch, kafkaRounds, bareRounds, fromDicom);
    }

    /** The bare loop: tensors of the same images, batches of the same size, nothing but the model run. */
    private double bareDetector(ModelSession session, List<GreyImage> images, int total) throws Exception {
        FloatBuffer input = session.allocateInput(detectorBatch);
        for (int i = 0; i < detectorBatch; i++) {
            DetectorInput.write(images.get(i % images.size()), input, i);
        }
        session.run(input, detectorBatch);   // warm-up
        long start = System.nanoTime();
        int done = 0;
        int next = 0;
        while (done < total) {
            int n = Math.min(detectorBatch, total - done);
            for (int i = 0; i < n; i++) {
                DetectorInput.write(images.get(next++ % images.size()), input, i);
            }
            session.run(input, n);
            done += n;
        }
        return total / ((System.nanoTime() - start) / 1e9);
    }

    /** A plain loop over the same DICOM files: read, render, resize, run, one thread, no Kafka (for context). */
    private double bareDetectorFromDicom(ModelSession session, FileBlobStore blobs, List<SliceRef> slices, int total) throws Exception {
        FloatBuffer input = session.allocateInput(detectorBatch);
        long start = System.nanoTime();
        int done = 0;
        int next = 0;
        while (done < total) {
            int n = Math.min(detectorBatch, total - done);
            for (int i = 0; i < n; i++) {
                SliceRef ref = slices.get(next++ % slices.size());
                GreyImage rendered = SliceRenderer.render(CtSliceReader.read(new ByteArrayInputStream(blobs.read(ref.getBlobKey()))), HuWindow.ABDOMEN);
                DetectorInput.write(PlainResize.resize(rendered, 512, 512), input, i);
            }
            session.run(input, n);
            done += n;
        }
        return total / ((System.nanoTime() - start) / 1e9);
    }

    private List<DetectTask> detectTasks(String label, int count, List<SliceRef> slices) {
        List<DetectTask> out = new ArrayList<>();
        Instant now = Instant.now();
        for (int t = 0; t < count; t++) {
            String caseId = "2.25.9." + Math.abs(label.hashCode()) + "." + System.nanoTime() % 1_000_000 + "." + t;
            List<SliceRef> chunk = new ArrayList<>();
            for (int k = 0; k < slicesPerTask; k++) {
                chunk.add(SliceRef.newBuilder(slices.get((t * slicesPerTask + k) % slices.size())).setSliceIndex(k).build());
            }
            out.add(DetectTask.newBuilder().setTaskId(caseId + "/0/" + caseId + ".1/0").setCaseId(caseId).setCaseRevision(0)
                    .setStudyInstanceUid(caseId).setSeriesInstanceUid(caseId + ".1").setPhase(Phase.AP).setChunkIndex(0).setChunkCount(1)
                    .setSlices(chunk).setPixelSpacingRowMm(0.7).setPixelSpacingColumnMm(0.7).setLastInstanceAt(now).setEnqueuedAt(now).build());
        }
        return out;
    }

    // ---- classifier --------------------------------------------------------------------------------------------

    private Figure classifier(FileBlobStore blobs, List<SliceRef> slices) throws Exception {
        int total = chunks * cropsPerChunk;
        List<byte[]> crops = crops();
        String group = "bench-classifier-" + System.nanoTime();
        List<Double> bareRounds = new ArrayList<>();
        List<Double> kafkaRounds = new ArrayList<>();
        String model;
        try (Worker worker = startWorker("classifier", "org.lilnet.classifier.ClassifierMain", Map.of("consumer.group", group,
                "batch.max.size", String.valueOf(classifierBatch), "blob.store.dir", blobs.root().toString()));
             InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(manifest, threads), ModelRole.CLASSIFIERS)) {
            model = runtime.session(ModelRole.BM).entry().name() + ", -m, -b";
            List<SliceDetections> warmUp = detections("warm", 3, crops);
            produce(Topics.DETECTIONS, warmUp, d -> d.getSeriesInstanceUid() + "/0");
            awaitResults(Topics.PREDICTIONS, org.lilnet.events.ChunkPredictions::getTaskId, ids(warmUp, SliceDetections::getTaskId),
                    Duration.ofMinutes(5), worker);
            CpuShare cpu = new CpuShare(worker);
            CpuShare bareCpu = new CpuShare(worker);
            double modelBefore = worker.metric("lilnet_worker_inference_seconds_sum");
            alternate(() -> bareCpu.measure(() -> bareClassifiers(runtime, crops, total)), () -> cpu.measure(() -> {
                List<SliceDetections> measured = detections("run", chunks, crops);
                long start = System.nanoTime();
                produce(Topics.DETECTIONS, measured, d -> d.getSeriesInstanceUid() + "/0");
                awaitResults(Topics.PREDICTIONS, org.lilnet.events.ChunkPredictions::getTaskId, ids(measured, SliceDetections::getTaskId),
                        Duration.ofMinutes(30), worker);
                return total / ((System.nanoTime() - start) / 1e9);
            }), bareRounds, kafkaRounds, "classifier", "crops/s");
            System.out.println("[bench] classifier " + cpu.describe("Kafka rounds", worker.metric("lilnet_worker_inference_seconds_sum") - modelBefore));
            System.out.println("[bench] classifier " + bareCpu.describe("bare rounds (the models run in this benchmark)", Double.NaN));
            System.out.printf("[bench] inside the classifier-worker the three models took %.1f ms per crop (bare loop: %.1f ms); a transaction %.1f ms%n",
                    worker.modelMillisPerUnit("lilnet_worker_crops_total"), 1000 / bareRounds.stream().mapToDouble(Double::doubleValue).average().orElse(1),
                    worker.metric("lilnet_worker_commit_seconds_sum") * 1000 / worker.metric("lilnet_worker_commit_seconds_count"));
        }
        return new Figure("classifier-worker", "crops/s", model, classifierBatch, kafkaRounds, bareRounds, Double.NaN);
    }

    private double bareClassifiers(InferenceRuntime runtime, List<byte[]> crops, int total) throws Exception {
        ModelSession bm = runtime.session(ModelRole.BM);
        FloatBuffer input = bm.allocateInput(classifierBatch);
        for (int i = 0; i < classifierBatch; i++) {
            org.lilnet.classifier.ClassifierInput.write(crops.get(i % crops.size()), input, i);
        }
        for (ModelRole role : ModelRole.CLASSIFIERS) {
            runtime.session(role).run(input, classifierBatch);   // warm-up
        }
        long start = System.nanoTime();
        int done = 0;
        int next = 0;
        while (done < total) {
            int n = Math.min(classifierBatch, total - done);
            for (int i = 0; i < n; i++) {
                org.lilnet.classifier.ClassifierInput.write(crops.get(next++ % crops.size()), input, i);
            }
            for (ModelRole role : ModelRole.CLASSIFIERS) {
                runtime.session(role).run(input, n);
            }
            done += n;
        }
        return total / ((System.nanoTime() - start) / 1e9);
    }

    /** Sixteen distinct crops: a bright disc of varying size and grey level on a noisy background (seeded). */
    private static List<byte[]> crops() {
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
            for (int k = 0; k < cropsPerChunk; k++) {
                Detection d = Detection.newBuilder().setBox(Box.newBuilder().setX1(200).setY1(200).setX2(240).setY2(240).build()).setScore(0.9f)
                        .setCropPixels(ByteBuffer.wrap(crops.get((t * cropsPerChunk + k) % crops.size()))).build();
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

    /** Sixteen 512x512 slices in the blob store, four of them with a lesion the detectors find. */
    private static List<SliceRef> writeSlices(FileBlobStore blobs) throws IOException {
        String study = "2.25.7.1";
        String series = study + ".1";
        List<SliceRef> out = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 16; i++) {
            String sop = series + "." + i;
            String key = "dicom/" + study + "/" + series + "/" + sop + ".dcm";
            SyntheticCt.Square body = new SyntheticCt.Square(96, 96, 320, 40 + random.nextInt(40));
            SyntheticCt.Square[] squares = i % 4 == 1
                    ? new SyntheticCt.Square[] {body, new SyntheticCt.Square(200 + 8 * (i % 3), 240, 8, 300)}
                    : new SyntheticCt.Square[] {body};
            blobs.put(key, SyntheticCt.slice(study, series, sop, i * 2.5, squares));
            out.add(SliceRef.newBuilder().setSopInstanceUid(sop).setBlobKey(key).setSliceIndex(i).setSlicePositionMm(i * 2.5).build());
        }
        return out;
    }

    /** A worker process and its ops port. */
    record Worker(ChildProcess process, int port) implements AutoCloseable {
        boolean isAlive() {
            return process.isAlive();
        }

        String logTail(int lines) {
            return process.logTail(lines);
        }

        /** Sum of a Prometheus metric's samples. */
        double metric(String name) throws Exception {
            String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }

        /** Model time per unit inside the worker so far, ms. */
        double modelMillisPerUnit(String unitMetric) throws Exception {
            return metric("lilnet_worker_inference_seconds_sum") * 1000 / metric(unitMetric);
        }

        @Override
        public void close() {
            process.close();
        }
    }

    private Worker startWorker(String name, String mainClass, Map<String, String> extra) throws Exception {
        int port = FreePorts.allocate(1)[0];
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap.servers", stack.bootstrapServers());
        p.setProperty("registry.url", stack.registryUrl());
        p.setProperty("models.manifest", manifest.toString());
        p.setProperty("inference.intra.op.threads", String.valueOf(threads));
        p.setProperty("http.port", String.valueOf(port));
        p.setProperty("instance.id", name + "-bench");
        p.setProperty("temp.dir", work.resolve("tmp").toString());
        p.putAll(extra);
        Path file = work.resolve(name + ".properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "bench");
        }
        Files.createDirectories(work.resolve("tmp"));
        ChildProcess process = ChildProcess.start(name, JavaCommand.main(mainClass).heap("768m").jvmOption("-XX:+UseSerialGC").property("java.io.tmpdir", work.resolve("tmp").toString())
                .args("--config", file.toString()).build(), work, work.resolve("logs").resolve(name + ".log"), Map.of());
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!Files.exists(process.log()) || !Files.readString(process.log()).contains(" started")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String tail = process.logTail(30);
                process.close();   // never leave a worker behind
                throw new IllegalStateException(name + " did not start:\n" + tail);
            }
            Thread.sleep(200);
        }
        return new Worker(process, port);
    }

    private <V extends SpecificRecord> void produce(Topic<V> topic, List<V> values, java.util.function.Function<V, String> key) {
        try (Serde<V> serde = EventSerdes.valueSerde(topic, registry);
             KafkaProducer<String, V> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024), new StringSerializer(), serde.serializer())) {
            for (V v : values) {
                producer.send(new ProducerRecord<>(topic.name(), key.apply(v), v));
            }
            producer.flush();
        }
    }

    private static <V> Set<String> ids(List<V> values, java.util.function.Function<V, String> id) {
        Set<String> out = new HashSet<>();
        values.forEach(v -> out.add(id.apply(v)));
        return out;
    }

    /** Reads the output topic (read_committed) until every expected task id has a result. */
    private <V extends SpecificRecord> void awaitResults(Topic<V> topic, java.util.function.Function<V, String> taskId, Set<String> expected,
                                                          Duration timeout, Worker worker) {
        Set<String> missing = new HashSet<>(expected);
        try (Serde<V> serde = EventSerdes.valueSerde(topic, registry);
             KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream().map(p -> new TopicPartition(topic.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!missing.isEmpty()) {
                if (System.nanoTime() > deadline || !worker.isAlive()) {
                    throw new IllegalStateException(missing.size() + " results missing on " + topic + "; worker log:\n" + worker.logTail(30));
                }
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(500))) {
                    missing.remove(taskId.apply(r.value()));
                }
            }
        }
    }

    private static String rounds(List<Double> values) {
        return "(" + String.join(", ", values.stream().map(v -> String.format("%.2f", v)).toList()) + ")";
    }

    private void print(List<Figure> figures) {
        System.out.println();
        System.out.println("| worker | model | batch | through Kafka (rounds) | bare ONNX Runtime loop (rounds) | ratio | target | plain loop from the inputs (ratio) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Figure f : figures) {
            String plain = Double.isNaN(f.fromInputs()) ? "= bare loop (crops are the inputs)"
                    : String.format("%.2f %s (%.2f)", f.fromInputs(), f.unit(), f.kafka() / f.fromInputs());
            System.out.printf("| %s | %s | %d | %.2f %s %s | %.2f %s %s | %.2f | >= 0.90 %s | %s |%n", f.worker(), f.model(), f.batch(), f.kafka(), f.unit(),
                    rounds(f.kafkaRounds()), f.bare(), f.unit(), rounds(f.bareRounds()), f.ratio(), f.ratio() >= 0.90 ? "met" : "MISSED", plain);
        }
        System.out.printf("%nmachine: %d cores, %s %s; intra-op threads %d; %d detector tasks x %d slices, %d classifier chunks x %d crops; %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"), threads, tasks, slicesPerTask,
                chunks, cropsPerChunk, LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
    }
}
