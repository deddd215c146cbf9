package org.lilnet.launcher;

import org.lilnet.common.topics.Topics;
import org.lilnet.events.Diagnosis;
import org.lilnet.inference.ModelEntry;
import org.lilnet.inference.ModelManifest;
import org.lilnet.launcher.pipeline.CStoreSender;
import org.lilnet.launcher.pipeline.DiagnosisText;
import org.lilnet.launcher.pipeline.LocalPipeline;
import org.lilnet.launcher.pipeline.PhantomCases;
import org.lilnet.launcher.pipeline.PipelineOptions;
import org.lilnet.launcher.pipeline.StudyFiles;
import org.lilnet.launcher.pipeline.TopicWatch;
import org.lilnet.launcher.pipeline.TruthCheck;
import org.lilnet.phantom.PhantomOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code lilnet run}: the whole system on one machine. Starts a real broker and registry (or uses an existing cluster),
 * the four services as their own processes, writes a handful of phantom studies covering the six lesion classes (or
 * takes a directory of DICOM files), sends them over DICOM C-STORE, prints each diagnosis as it arrives and a summary
 * against the ground truth, and stops everything (or keeps it running).
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run LiLNet Stream end to end on this machine: a local Kafka broker and schema registry (or an existing cluster), "
                + "the four services as processes, phantom CT studies (or yours) sent over DICOM C-STORE, each diagnosis as it arrives, "
                + "a summary against the ground truth."})
public final class RunCommand implements Callable<Integer> {

    private static final String MARKER = ".lilnet-run";

    @Option(names = "--studies", defaultValue = "6", description = "Phantom studies to send (classes HCC, ICC, MET, FNH, HEM, CYST in turn). Default: ${DEFAULT-VALUE}")
    int studies;

    @Option(names = "--seed", defaultValue = "1", description = "Phantom seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--slices", defaultValue = "" + PhantomOptions.DEFAULT_SLICES_PER_SERIES, description = "Axial slices per phantom series. Default: ${DEFAULT-VALUE}")
    int slices;

    @Option(names = "--input", description = "Send the DICOM files under this directory instead of phantom studies (ground-truth.json files "
            + "of lilnet phantom directories are used for the summary).")
    Path input;

    @Option(names = "--models", defaultValue = "models/manifest.json", description = "Model manifest the workers load. Default: ${DEFAULT-VALUE}")
    Path models;

    @Option(names = "--quiet-period", defaultValue = "3s", description = "Ingest opens a case when no instance of its study came for this long. Default: ${DEFAULT-VALUE} "
            + "(the service's own default, 30s, suits scanners that pause between series).")
    String quietPeriod;

    @Option(names = "--detectors", defaultValue = "1", description = "detector-worker processes. Default: ${DEFAULT-VALUE}")
    int detectors;

    @Option(names = "--work-dir", defaultValue = "data/run", description = "Files of the run (configuration, logs, blob store, service state and, "
            + "without --data-dir, the local stack's data); emptied at the start of each run. Default: ${DEFAULT-VALUE}")
    Path workDir;

    @Option(names = "--timeout", defaultValue = "10m", description = "How long to wait for the diagnoses after the last study was sent. Default: ${DEFAULT-VALUE}")
    String timeout;

    @Option(names = "--keep-running", description = "Keep everything running after the summary (send more studies; Ctrl-C stops it).")
    boolean keepRunning;

    @Option(names = "--verbose", description = "Also show the launcher's own log lines (the services log to files in the work directory).")
    boolean verbose;

    @Mixin
    StackCommandOptions stackOptions;

    private final long t0 = System.nanoTime();

    @Override
    public Integer call() throws Exception {
        if (!verbose) {
            org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.WARN);
        }
        Path manifest = models.toAbsolutePath();
        if (!Files.isRegularFile(manifest)) {
            System.err.println("no model manifest at " + manifest + ": the workers need one (models/manifest.json with the phantom-trained "
                    + "models, or --models PATH; models/README.md says how to make one from the published LiLNet weights)");
            return 2;
        }
        ModelManifest modelManifest = ModelManifest.load(manifest);
        Duration quiet = parseDuration(quietPeriod, "--quiet-period");
        Duration wait = parseDuration(timeout, "--timeout");
        prepareWorkDirectory(workDir);

        List<StudyFiles> toSend = input != null ? scanInput() : phantomStudies();
        if (toSend.isEmpty()) {
            System.err.println("nothing to send in " + input);
            return 2;
        }

        PipelineOptions options = PipelineOptions.defaults(workDir.toAbsolutePath(), manifest).withQuietPeriod(quiet)
                .withWorkers(detectors, 1).withFixedPorts(!stackOptions.freePorts);
        var stack = stackOptions.options(workDir.resolve("stack"));
        say("models: " + String.join("; ", modelManifest.entries().stream().map(RunCommand::describe).toList()));
        LocalPipeline pipeline = LocalPipeline.start(stack, options, this::say);
        AtomicBoolean closed = new AtomicBoolean();
        Runnable stopAll = () -> {
            if (closed.compareAndSet(false, true)) {
                say("stopping the services" + (stackOptions.usesExistingCluster() ? "" : " and the stack") + " ...");
                pipeline.close();
                say("stopped");
            }
        };
        Thread hook = new Thread(stopAll, "run-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (TopicWatch<Diagnosis> diagnoses = TopicWatch.fromEnd(Topics.DIAGNOSES, pipeline.bootstrapServers(), pipeline.registryUrl())) {
            diagnoses.onArrival(a -> say("diagnosis " + DiagnosisText.describe(a.value())));
            LocalPipeline.IngestEndpoint ingest = pipeline.ingest();
            say(String.format(Locale.ROOT, "sending %d studies over DICOM C-STORE to %s@%s:%d; ingest opens a case %s after its last instance "
                    + "(ingest.quiet-period; the service default is 30s)", toSend.size(), ingest.aeTitle(), ingest.host(), ingest.dicomPort(),
                    words(quiet)));
            List<String> expected = send(toSend, ingest);
            Map<String, Diagnosis> first = awaitDiagnoses(diagnoses, expected, wait);
            // a study whose every instance was refused still gets its case (and a FAILED diagnosis saying why): show it too
            for (StudyFiles s : toSend) {
                if (s.studyInstanceUid() != null && !first.containsKey(s.studyInstanceUid())) {
                    diagnoses.withKey(s.studyInstanceUid()).stream().findFirst().ifPresent(a -> first.put(s.studyInstanceUid(), a.value()));
                }
            }
            printSummary(toSend, first);
            boolean complete = first.keySet().containsAll(expected);
            if (keepRunning) {
                printEndpoints(pipeline);
                new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hook stops everything
            }
            return complete ? 0 : 1;
        } finally {
            if (!keepRunning) {
                Runtime.getRuntime().removeShutdownHook(hook);
                stopAll.run();
            }
        }
    }

    private List<StudyFiles> phantomStudies() throws Exception {
        Path out = workDir.resolve("studies");
        PhantomOptions phantom = PhantomOptions.defaults().withSlicesPerSeries(slices);
        say(String.format(Locale.ROOT, "writing %d phantom CT studies (seed %d, %d slices per series) to %s ...", studies, seed, slices, out));
        List<StudyFiles> result = new ArrayList<>();
        PhantomCases.generate(phantom, studies, seed, out, Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())), s -> {
            say(String.format(Locale.ROOT, "  %s: %s, %d lesion(s), largest %.0f mm; %d series, %d files", s.truth().patientId(),
                    s.truth().patientClass(), s.truth().lesions().size(), s.truth().largestLesionMm(), s.files().size(), s.allFiles().size()));
            result.add(StudyFiles.of(s));
        });
        return result;
    }

    private List<StudyFiles> scanInput() throws Exception {
        say("reading " + input + " ...");
        List<StudyFiles> found = StudyFiles.scan(input);
        int files = found.stream().mapToInt(s -> s.files().size()).sum();
        long withTruth = found.stream().filter(s -> s.truth() != null).count();
        say(String.format(Locale.ROOT, "%d files in %d studies%s", files, found.stream().filter(s -> s.studyInstanceUid() != null).count(),
                withTruth > 0 ? ", " + withTruth + " with a ground truth" : ""));
        return found;
    }

    /** Sends study after study, one association each; the case ids a diagnosis is expected for. */
    private List<String> send(List<StudyFiles> toSend, LocalPipeline.IngestEndpoint ingest) throws Exception {
        List<String> expected = new ArrayList<>();
        CStoreSender sender = CStoreSender.to(ingest, "LILNET-RUN");
        for (StudyFiles study : toSend) {
            CStoreSender.Report r = sender.send(study.files(), n -> { });
            String refused = r.refused().isEmpty() ? "" : ", " + r.refused().size() + " refused";
            String unreadable = r.unreadable().isEmpty() ? "" : ", " + r.unreadable().size() + " not sent (not readable as DICOM)";
            say(String.format(Locale.ROOT, "sent %s: %d of %d files stored in %.1f s%s%s", study.label(), r.stored(), r.files(),
                    r.took().toMillis() / 1000.0, refused, unreadable));
            if (study.studyInstanceUid() != null && r.stored() > 0) {
                expected.add(study.studyInstanceUid());
            }
        }
        return expected;
    }

    private Map<String, Diagnosis> awaitDiagnoses(TopicWatch<Diagnosis> diagnoses, List<String> expected, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                Map<String, TopicWatch.Arrival<Diagnosis>> arrived = diagnoses.awaitKeys(expected, Duration.ofNanos(Math.min(left, Duration.ofSeconds(20).toNanos())));
                Map<String, Diagnosis> result = new LinkedHashMap<>();
                arrived.forEach((k, a) -> result.put(k, a.value()));
                return result;
            } catch (TopicWatch.WatchTimeout e) {
                if (deadline - System.nanoTime() <= 0) {
                    say("no diagnosis within " + words(wait) + " for " + e.missing().size() + " case(s); the services' logs are in "
                            + workDir.resolve("logs"));
                    Map<String, Diagnosis> result = new LinkedHashMap<>();
                    for (String key : expected) {
                        diagnoses.withKey(key).stream().findFirst().ifPresent(a -> result.put(key, a.value()));
                    }
                    return result;
                }
                say("waiting for " + e.missing().size() + " of " + expected.size() + " diagnoses ...");
            }
        }
    }

    private void printSummary(List<StudyFiles> sent, Map<String, Diagnosis> diagnoses) {
        List<TruthCheck> checks = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        boolean anyTruth = sent.stream().anyMatch(s -> s.truth() != null);
        table.append(String.format(Locale.ROOT, "%n%-12s %-17s %-11s %-28s %-8s %-9s %s%n", "patient", "truth", "status", "diagnosis",
                "right", "lesions", "s to diagnosis"));
        List<Double> latencies = new ArrayList<>();
        for (StudyFiles s : sent) {
            if (s.studyInstanceUid() == null) {
                continue;
            }
            Diagnosis d = diagnoses.get(s.studyInstanceUid());
            String truth = s.truth() == null ? "-" : s.truth().patientClass() + " (" + s.truth().malignancy() + ")";
            String right = "-";
            String lesions = d == null ? "-" : String.valueOf(d.getLesions().size());
            if (s.truth() != null) {
                TruthCheck check = new TruthCheck(s.truth(), d);
                checks.add(check);
                right = d == null ? "-" : (check.malignancyRight() ? "BM" : "--") + " " + (check.subtypeRight() ? "sub" : "---");
                lesions = check.foundLesions() + " of " + check.trueLesions() + (check.extraLesions() > 0 ? " +" + check.extraLesions() : "");
            }
            double seconds = d == null ? Double.NaN : DiagnosisText.secondsToDiagnosis(d);
            if (d != null) {
                latencies.add(seconds);
            }
            table.append(String.format(Locale.ROOT, "%-12s %-17s %-11s %-28s %-8s %-9s %s%n", s.label(), truth,
                    d == null ? "(none)" : d.getStatus(), d == null ? "-" : DiagnosisText.result(d), right, lesions,
                    d == null ? "-" : String.format(Locale.ROOT, "%.1f", seconds)));
        }
        System.out.print(table);
        latencies.sort(Double::compare);
        String latency = latencies.isEmpty() ? "" : String.format(Locale.ROOT, "; last instance -> diagnosis: median %.1f s, max %.1f s",
                latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1));
        if (anyTruth) {
            TruthCheck.Totals t = TruthCheck.Totals.of(checks);
            System.out.printf(Locale.ROOT, "%ndiagnosed %d of %d cases; benign/malignant right %d of %d; subtype right %d of %d; "
                            + "lesions found %d of %d (3D IoU >= %.1f)%s%n", t.diagnosed(), t.cases(), t.malignancyRight(), t.cases(),
                    t.subtypeRight(), t.cases(), t.foundLesions(), t.trueLesions(), TruthCheck.FOUND_IOU, latency);
            System.out.println("(a handful of cases shows the system working, it does not measure accuracy: the model manifest records "
                    + "the held-out figures)");
        } else {
            System.out.printf(Locale.ROOT, "%ndiagnosed %d of %d studies%s%n", diagnoses.size(),
                    sent.stream().filter(s -> s.studyInstanceUid() != null).count(), latency);
        }
    }

    private void printEndpoints(LocalPipeline pipeline) {
        LocalPipeline.IngestEndpoint ingest = pipeline.ingest();
        System.out.printf(Locale.ROOT, "%neverything keeps running; Ctrl-C stops it.%n  DICOM C-STORE  %s@%s:%d%n  STOW-RS        %s%n"
                        + "  Kafka          %s (diagnoses on %s)%n  registry       %s%n", ingest.aeTitle(), ingest.host(), ingest.dicomPort(),
                ingest.stowUrl(), pipeline.bootstrapServers(), Topics.DIAGNOSES.name(), pipeline.registryUrl());
        pipeline.services().forEach(s -> System.out.printf(Locale.ROOT, "  %-19s http://127.0.0.1:%d/health, /metrics; log %s%n", s.name(),
                s.httpPort(), s.log()));
    }

    private static void prepareWorkDirectory(Path dir) throws java.io.IOException {
        if (Files.isDirectory(dir)) {
            boolean ours = Files.exists(dir.resolve(MARKER));
            boolean empty;
            try (var list = Files.list(dir)) {
                empty = list.findAny().isEmpty();
            }
            if (!ours && !empty) {
                throw new IllegalArgumentException(dir + " is not empty and was not made by lilnet run: choose another --work-dir");
            }
            LocalPipeline.deleteTree(dir);
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "the files of the last 'lilnet run'; emptied by the next one\n");
    }

    private static String describe(ModelEntry e) {
        return e.role().wireName() + " " + e.name() + " " + e.version() + " (" + e.sourceKind() + ")";
    }

    private void say(String line) {
        System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, line);
    }

    static String words(Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 ? ms / 60_000 + " min" : ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** "500ms", "3s", "2m", "1h" (the configuration files' form). */
    static Duration parseDuration(String text, String option) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h)").matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(option + " takes a positive duration like 3s, 500ms or 2m, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
