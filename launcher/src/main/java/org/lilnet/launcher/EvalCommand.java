package org.lilnet.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.lilnet.events.Diagnosis;
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
                "Diagnoses come from files (one Diagnosis per line, Avro JSON) or from the diagnoses topic."})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--truth", description = "Directory with the studies' ground-truth.json files (lilnet phantom output); repeatable.")
    List<Path> truth = new ArrayList<>();

    @Option(names = "--diagnoses", description = "File of diagnoses, one per line in Avro JSON; repeatable.")
    List<Path> diagnoses = new ArrayList<>();

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
        if (truth.isEmpty()) {
            if (manifest == null) {
                System.err.println("give --truth with --diagnoses (or --bootstrap-servers and --registry-url), or --manifest");
                return 2;
            }
            return 0;
        }
        List<GroundTruth> truths = new ArrayList<>();
        for (Path t : truth) {
            truths.addAll(GroundTruth.readAll(t));
        }
        if (truths.isEmpty()) {
            System.err.println("no ground-truth.json under " + truth);
            return 2;
        }
        List<Diagnosis> read = new ArrayList<>();
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
        if (diagnoses.isEmpty() && bootstrapServers == null) {
            System.err.println("give --diagnoses FILE or --bootstrap-servers/--registry-url");
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
}
