package org.lilnet.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.lilnet.detector.HuWindow;
import org.lilnet.events.Diagnosis;
import org.lilnet.launcher.replay.PipelineReplay;
import org.lilnet.phantom.GroundTruth;
import org.lilnet.phantom.eval.DiagnosesTopic;
import org.lilnet.phantom.eval.DiagnosisJson;
import org.lilnet.phantom.eval.Evaluation;
import org.lilnet.phantom.eval.ManifestFigures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lilnet eval}: the paper's figures for diagnoses against phantom ground truth, or those in a manifest. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate diagnoses against phantom ground truth: ACC, AUC, F1, recall, precision with bootstrap 95%% intervals",
                "for benign/malignant and both triads, confusion matrices, accuracy by lesion size, detection at IoU 0.1/0.3/0.5.",
                "Diagnoses come from files (one Diagnosis per line, Avro JSON), from the diagnoses topic, or from --run: the services'",
                "stage code (ingest planning, detector and classifier stages, aggregator fusion) run in this process on a folder of studies."})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--truth", description = "Directory with the studies' ground-truth.json files (lilnet phantom output); repeatable.")
    List<Path> truth = new ArrayList<>();

    @Option(names = "--diagnoses", description = "File of diagnoses, one per line in Avro JSON; repeatable.")
    List<Path> diagnoses = new ArrayList<>();

    @Option(names = "--run", description = {"Diagnose the studies under this directory in this process, through the services' own stage code",
            "(no Kafka): ingest's case planning, the detector and classifier workers' stages, the aggregator's fusion. Its",
            "ground truth is used unless --truth is given; repeatable."})
    List<Path> run = new ArrayList<>();

    @Option(names = "--models", defaultValue = "models/manifest.json", description = "Model manifest for --run. Default: ${DEFAULT-VALUE}")
    Path models;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime threads per model for --run (0: its default). Default: ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--window-level", description = "Window level (HU) for --run; default: the detector-worker's window.level.")
    Double windowLevel;

    @Option(names = "--window-width", description = "Window width (HU) for --run; default: the detector-worker's window.width.")
    Double windowWidth;

    @Option(names = "--crops", description = "With --run: also write every crop's box, score and logits (JSON lines) to this file.")
    Path cropsFile;

    @Option(names = "--bootstrap-servers", description = "Read the diagnoses topic of this Kafka cluster instead of files.")
    String bootstrapServers;

    @Option(names = "--registry-url", description = "Schema registry of that cluster.")
    String registryUrl;

    @Option(names = "--timeout", defaultValue = "PT60S", description = "How long reading the topic may take. Default: ${DEFAULT-VALUE}")
    Duration timeout;

    @Option(names = "--save", description = "Also write the diagnoses read (Avro JSON lines) to this file.")
    Path save;

    @Option(names = "--manifest", description = "Print the held-out figures recorded in this model manifest.")
    Path manifest;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "Bootstrap resamples for the 95%% intervals. Default: ${DEFAULT-VALUE}")
    int rounds;

    @Option(names = "--seed", defaultValue = "7", description = "Bootstrap seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (manifest != null) {
            System.out.println("figures recorded in " + manifest + ":");
            System.out.print(ManifestFigures.text(manifest));
        }
        if (truth.isEmpty() && run.isEmpty()) {
            if (manifest == null) {
                System.err.println("give --truth with --diagnoses (or --bootstrap-servers and --registry-url), --run DIR, or --manifest");
                return 2;
            }
            return 0;
        }
        List<Diagnosis> read = new ArrayList<>();
        if (!run.isEmpty()) {
            read.addAll(replay());
            if (truth.isEmpty()) {
                truth.addAll(run);
            }
        }
        List<GroundTruth> truths = new ArrayList<>();
        for (Path t : truth) {
            truths.addAll(GroundTruth.readAll(t));
        }
        if (truths.isEmpty()) {
            System.err.println("no ground-truth.json under " + truth);
            return 2;
        }
        for (Path f : diagnoses) {
            read.addAll(DiagnosisJson.read(f));
        }
        if (bootstrapServers != null || registryUrl != null) {
            if (bootstrapServers == null || registryUrl == null) {
                System.err.println("reading the topic needs both --bootstrap-servers and --registry-url");
                return 2;
            }
            read.addAll(DiagnosesTopic.readAll(bootstrapServers, registryUrl, timeout));
        }
        if (diagnoses.isEmpty() && bootstrapServers == null && run.isEmpty()) {
            System.err.println("give --diagnoses FILE, --run DIR or --bootstrap-servers/--registry-url");
            return 2;
        }
        if (save != null) {
            try (Writer out = Files.newBufferedWriter(save, StandardCharsets.UTF_8)) {
                DiagnosisJson.write(read, out);
            }
        }
        Evaluation.Report report = Evaluation.evaluate(truths, read, rounds, seed);
        System.out.println();
        System.out.print(Evaluation.text(report));
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
        }
        return 0;
    }

    /** The studies of --run through the services' stage code. */
    private List<Diagnosis> replay() throws Exception {
        PipelineReplay.Settings settings = PipelineReplay.Settings.defaults(models).withThreads(threads);
        if (windowLevel != null || windowWidth != null) {
            settings = settings.withWindow(new HuWindow(windowLevel != null ? windowLevel : settings.window().level(),
                    windowWidth != null ? windowWidth : settings.window().width()));
        }
        List<Diagnosis> out = new ArrayList<>();
        long start = System.nanoTime();
        try (PipelineReplay replay = new PipelineReplay(settings);
             Writer crops = cropsFile == null ? null : Files.newBufferedWriter(cropsFile, StandardCharsets.UTF_8)) {
            System.out.println("models: " + replay.describeModels());
            System.out.printf(java.util.Locale.ROOT, "window level %.0f width %.0f; chunks of %d slices; detector batches of %d, classifier batches of %d%n",
                    settings.window().level(), settings.window().width(), settings.chunkSlices(), settings.detectorBatch(), settings.classifierBatch());
            ObjectMapper json = new ObjectMapper();
            for (Path dir : run) {
                System.out.println("diagnosing the studies under " + dir + " in this process (the services' stage code, no Kafka) ...");
                out.addAll(replay.run(dir, System.out::println, crops == null ? null : c -> {
                    try {
                        crops.write(json.writeValueAsString(c));
                        crops.write('\n');
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
        }
        System.out.printf(java.util.Locale.ROOT, "%d diagnoses in %.0f s%n", out.size(), (System.nanoTime() - start) / 1e9);
        return out;
    }
}
