package org.lilnet.it.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topics;
import org.lilnet.dicom.DicomHeaderReader;
import org.lilnet.events.DeadLetter;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Phase;
import org.lilnet.events.PhaseSummary;
import org.lilnet.events.SliceDetections;
import org.lilnet.events.StudyArrived;
import org.lilnet.it.ingest.Dcmtk;
import org.lilnet.it.ingest.IngestCorpusIT;
import org.lilnet.it.ingest.Stow;
import org.lilnet.it.support.ItPaths;
import org.lilnet.it.support.ItStack;
import org.lilnet.it.support.NodeClients;
import org.lilnet.launcher.ServiceCatalog;
import org.lilnet.launcher.pipeline.DiagnosisText;
import org.lilnet.launcher.pipeline.LocalPipeline;
import org.lilnet.launcher.pipeline.PhantomCases;
import org.lilnet.launcher.pipeline.PipelineOptions;
import org.lilnet.launcher.pipeline.TopicWatch;
import org.lilnet.launcher.pipeline.TruthCheck;
import org.lilnet.phantom.ClassMix;
import org.lilnet.phantom.GeneratedStudy;
import org.lilnet.phantom.PhantomGenerator;
import org.lilnet.phantom.PhantomOptions;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.ServiceProcess;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole system end to end on real components: the run's broker and registry, the four services as processes
 * (two detector workers), phantom CT studies sent by dcmtk's storescu, diagnoses read from lilnet.diagnoses.v1 as an
 * integration engine reads them (our Java consumer and Confluent's Node client). One pipeline serves every scenario,
 * each with studies of its own: it is started while the registry is down; the phantom studies are diagnosed as well as
 * the models' manifest says; then a detector is killed mid-study, the broker restarts mid-run, a study carries a
 * corrupt instance. A failure scenario sends a copy of a phantom study under new UIDs and its diagnosis must say the
 * same as the original's, delivered exactly once.
 *
 * <p>With the phantom-trained models of the repository ({@code models/manifest.json}) the studies are the first
 * {@code lilnet.e2e.studies} (default {@value #DEFAULT_STUDIES}) of the manifest's held-out set; without them, the inference
 * module's test models run on studies covering the six classes and the accuracy assertion is skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {

    static final int DEFAULT_STUDIES = 12;
    static final Duration DIAGNOSIS_WAIT = Duration.ofMinutes(4);
    static final Pattern IN_HAND = Pattern.compile("(\\d+) task\\(s\\) in hand");
    static final ObjectMapper JSON = new ObjectMapper();
    /** What each corpus file got, per protocol: accepted (a warning too), or refused with a reason. */
    static final Pattern ACCOUNTED_FOR = Pattern.compile("0x0000 .*|0xB[0-9A-F]{3} .*|0x[AC][0-9A-F]{3} .*\\[[A-Z_]+\\]"
            + "|not accepted at negotiation .*|not sent: storescu: .*|200 stored.*|4\\d\\d [0-9A-F]{4} [A-Z_]+");
    static final Pattern DIMSE_SUCCESS = Pattern.compile("DIMSE Status\\s*:\\s*0x0000: Success");

    private LocalStack stack;
    private Path work;
    private LocalPipeline pipeline;
    private TopicWatch<Diagnosis> diagnoses;
    private TopicWatch<DeadLetter> deadLetters;
    private List<GeneratedStudy> studies;
    private final Set<String> sent = ConcurrentHashMap.newKeySet();
    /** Case ids of every study this class sent, and how many diagnoses each must have. */
    private final Map<String, Integer> expectedDiagnoses = new ConcurrentHashMap<>();

    /** What the services did while the registry was down at their start. */
    private final Map<String, String> waitLines = new LinkedHashMap<>();
    private final Map<String, String> healthWhileWaiting = new LinkedHashMap<>();
    private boolean registryWasDown;

    @BeforeAll
    void startThePipelineWhileTheRegistryIsDown() throws Exception {
        stack = ItStack.fresh();
        work = ItPaths.newWorkDirectory("e2e-pipeline-");
        studies = generateStudies(work.resolve("studies"));
        PipelineOptions options = PipelineOptions.defaults(work, E2eModels.manifest(work))
                .withWorkers(2, 1)
                // 10 detect tasks per series: a study is spread over both detectors and a kill lands in the middle of it
                .withChunkSlices(4)
                .withQuietPeriod(Duration.ofSeconds(2))
                .withNamespace("e2e-" + UUID.randomUUID().toString().substring(0, 8))
                .withSettings(ServiceCatalog.DETECTOR.name(), fastFailover())
                .withSettings(ServiceCatalog.CLASSIFIER.name(), fastFailover());
        pipeline = LocalPipeline.configure(stack, options);

        registryWasDown = stack.registryProcess() != null;
        if (registryWasDown) {
            stack.stopRegistry();
            log("registry stopped; starting the services");
        }
        try {
            pipeline.startServices(PipelineIT::log);
            if (registryWasDown) {
                observeTheWait();
            }
        } finally {
            if (registryWasDown) {
                stack.restartRegistry();
                log("registry restarted");
            }
        }
        pipeline.awaitReady(Duration.ofMinutes(3), PipelineIT::log);
        diagnoses = TopicWatch.fromStart(Topics.DIAGNOSES, stack.bootstrapServers(), stack.registryUrl());
        deadLetters = TopicWatch.fromStart(Topics.DEAD_LETTERS, stack.bootstrapServers(), stack.registryUrl());
        diagnoses.onArrival(a -> log("diagnosis " + DiagnosisText.describe(a.value()).lines().findFirst().orElse("")));
    }

    /** A crashed worker's partitions move within seconds and its open transaction is aborted soon after. */
    private static Map<String, String> fastFailover() {
        return Map.of("kafka.session.timeout.ms", "6000", "kafka.heartbeat.interval.ms", "1500", "kafka.transaction.timeout.ms", "10000");
    }

    /** Every service must say what it waits for, and none may report ready. */
    private void observeTheWait() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (waitLines.size() < pipeline.services().size() && System.nanoTime() < deadline) {
            for (ServiceProcess s : pipeline.services()) {
                s.logText().lines().filter(l -> l.contains("waiting for the schema registry")).findFirst()
                        .ifPresent(line -> waitLines.putIfAbsent(s.name(), line));
            }
            Thread.sleep(500);
        }
        for (ServiceProcess s : pipeline.services()) {
            HttpResponse<String> health = s.get("/health");
            healthWhileWaiting.put(s.name(), health.statusCode() + " " + health.body());
        }
        waitLines.forEach((name, line) -> log(name + " said: " + line.substring(line.indexOf("waiting"))));
    }

    @Test
    @Order(1)
    void servicesStartedWhileTheRegistryWasDownWaitAndSaySoThenWorkOnceItIsBack() throws Exception {
        Assumptions.assumeTrue(registryWasDown, "the registry is external: it cannot be stopped here");
        assertThat(waitLines.keySet()).as("services that said they wait for the registry")
                .containsExactlyInAnyOrderElementsOf(pipeline.services().stream().map(ServiceProcess::name).toList());
        healthWhileWaiting.forEach((name, health) -> {
            boolean worker = name.startsWith("detector") || name.startsWith("classifier");
            if (worker) {
                // a worker's /health cannot know it yet, but it holds no partition: it takes no work
                assertThat(LocalPipeline.assignedPartitions(health)).as(name + " while waiting: " + health).isLessThanOrEqualTo(0);
            } else {
                assertThat(health).as(name + " while waiting").startsWith("503");
            }
        });
        assertThat(pipeline.notRunning()).as("services that gave up").isEmpty();

        Diagnosis d = diagnosisOf(studies.get(0));
        assertThat(d.getStatus()).isIn(DiagnosisStatus.COMPLETE, DiagnosisStatus.NO_LESION);
    }

    @Test
    @Order(2)
    void phantomStudiesSentWithStorescuAreDiagnosedAsWellAsTheManifestSays() throws Exception {
        for (GeneratedStudy s : studies) {
            send(s);
        }
        Map<String, TopicWatch.Arrival<Diagnosis>> all = diagnoses.awaitKeys(caseIds(studies), DIAGNOSIS_WAIT);

        List<TruthCheck> checks = new ArrayList<>();
        for (GeneratedStudy s : studies) {
            Diagnosis d = all.get(s.truth().studyInstanceUid()).value();
            assertThat(d.getPhasesUsed()).as(s.truth().patientId()).containsExactly(Phase.AP, Phase.PVP);
            assertEveryChunkIn(d);
            assertThat(d.getRefusedInstances()).isZero();
            checks.add(new TruthCheck(s.truth(), d));
        }
        TruthCheck.Totals t = TruthCheck.Totals.of(checks);
        log(String.format(Locale.ROOT, "%d studies: benign/malignant right %d, subtype right %d, lesions found %d of %d", t.cases(),
                t.malignancyRight(), t.subtypeRight(), t.foundLesions(), t.trueLesions()));
        Assumptions.assumeTrue(E2eModels.phantomTrained(), "the phantom-trained models are not in models/ yet: the test models "
                + "diagnose nothing, so only the mechanics were checked");

        // the manifest's held-out figures, less what a sample of this size may fall short by (one-sided 95 %)
        double bm = E2eModels.heldOut("bm").path("bm").path("acc").asDouble();
        double cascade = E2eModels.heldOut("bm").path("cascade").path("acc").asDouble();
        double recall = E2eModels.heldOut("detector").path("detection").path("iou0.1").path("lesionRecallAnyPhase").asDouble();
        log(String.format(Locale.ROOT, "manifest (held-out): benign/malignant %.3f, cascade %.3f, lesion recall %.3f; here %.3f, %.3f, %.3f",
                bm, cascade, recall, t.malignancyRight() / (double) t.cases(), t.subtypeRight() / (double) t.cases(),
                t.foundLesions() / (double) t.trueLesions()));
        assertThat(t.malignancyRight()).as("benign/malignant right").isGreaterThanOrEqualTo(lowerBound(bm, t.cases()));
        assertThat(t.subtypeRight()).as("subtype right (BM, then the subtype of its branch)").isGreaterThanOrEqualTo(lowerBound(cascade, t.cases()));
        assertThat(t.foundLesions()).as("true lesions found (3D IoU >= 0.1, any phase)").isGreaterThanOrEqualTo(lowerBound(recall, t.trueLesions()));
    }

    /** Successes that n trials at rate p reach with 95 % probability (normal approximation). */
    static int lowerBound(double p, int n) {
        return (int) Math.floor(n * p - 1.645 * Math.sqrt(n * p * (1 - p)));
    }

    @Test
    @Order(3)
    void killingOneOfTwoDetectorsMidStudyLosesAndRepeatsNothing() throws Exception {
        GeneratedStudy original = studies.get(1 % studies.size());
        Diagnosis reference = diagnosisOf(original);
        StudyCopies copy = StudyCopies.of(original, work.resolve("kill-copy"));
        int tasks = tasksOf(reference);

        try (TopicWatch<SliceDetections> detections = TopicWatch.fromEnd(Topics.DETECTIONS, stack.bootstrapServers(), stack.registryUrl())) {
            send(copy.studyInstanceUid(), copy.allFiles(), 1);
            // as soon as a detector has tasks of the study in hand (the only work there is), kill -9 it
            ServiceProcess victim = null;
            int inHand = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (victim == null && System.nanoTime() < deadline) {
                for (ServiceProcess detector : pipeline.instancesOf(ServiceCatalog.DETECTOR)) {
                    Matcher m = IN_HAND.matcher(detector.get("/health").body());
                    if (victim == null && m.find() && Integer.parseInt(m.group(1)) > 0) {
                        victim = detector;
                        inHand = Integer.parseInt(m.group(1));
                    }
                }
                Thread.sleep(20);
            }
            assertThat(victim).as("a detector with tasks of the study in hand").isNotNull();
            int doneBefore = detections.where(d -> d.getCaseId().equals(copy.studyInstanceUid())).size();
            victim.kill();
            log("killed " + victim + " (SIGKILL) with " + inHand + " task(s) in hand, " + doneBefore + " of " + tasks
                    + " tasks of the study detected and committed");
            assertThat(doneBefore).as("the kill came in the middle of the study").isLessThan(tasks);

            Diagnosis d = diagnoses.awaitKeys(List.of(copy.studyInstanceUid()), DIAGNOSIS_WAIT).get(copy.studyInstanceUid()).value();
            assertThat(SameResult.differences(reference, d)).as("the diagnosis after the crash against the original's").isEmpty();
            assertThat(detections.where(x -> x.getCaseId().equals(copy.studyInstanceUid())).stream().map(a -> a.value().getTaskId()).distinct().count())
                    .as("tasks of the study detected (read_committed: the crashed instance's open transaction is not seen)").isEqualTo(tasks);
            assertThat(detections.where(x -> x.getCaseId().equals(copy.studyInstanceUid()))).as("detections committed once per task").hasSize(tasks);

            // as an orchestrator would: the crashed instance comes back (its transactional id fences what was left open)
            pipeline.restart(victim.name(), Duration.ofMinutes(2));
        }
    }

    @Test
    @Order(4)
    void aBrokerRestartInTheMiddleOfARunLosesAndRepeatsNothing() throws Exception {
        Assumptions.assumeTrue(stack.brokerProcess() != null, "the broker is external: it cannot be stopped here");
        List<GeneratedStudy> originals = List.of(studies.get(2 % studies.size()), studies.get(3 % studies.size()));
        List<Diagnosis> references = new ArrayList<>();
        for (GeneratedStudy s : originals) {
            references.add(diagnosisOf(s));
        }
        List<StudyCopies> copies = new ArrayList<>();
        for (GeneratedStudy s : originals) {
            copies.add(StudyCopies.of(s, work.resolve("broker-copy-" + copies.size())));
        }
        try (TopicWatch<SliceDetections> detections = TopicWatch.fromEnd(Topics.DETECTIONS, stack.bootstrapServers(), stack.registryUrl())) {
            for (StudyCopies c : copies) {
                send(c.studyInstanceUid(), c.allFiles(), 1);
            }
            detections.await(() -> detections.where(d -> d.getCaseId().equals(copies.get(0).studyInstanceUid())).isEmpty() ? null : true,
                    Duration.ofSeconds(90), "the first detections of the run");
        }
        long t0 = System.nanoTime();
        stack.stopBroker();
        log("broker stopped");
        Thread.sleep(5000);
        stack.restartBroker();
        log(String.format(Locale.ROOT, "broker back after %.1f s", (System.nanoTime() - t0) / 1e9));

        Map<String, TopicWatch.Arrival<Diagnosis>> after = diagnoses.awaitKeys(copies.stream().map(StudyCopies::studyInstanceUid).toList(),
                DIAGNOSIS_WAIT);
        for (int i = 0; i < copies.size(); i++) {
            Diagnosis d = after.get(copies.get(i).studyInstanceUid()).value();
            assertThat(SameResult.differences(references.get(i), d)).as("diagnosis of study %d after the broker restart", i).isEmpty();
        }
        assertThat(pipeline.notRunning()).as("services that did not survive the broker's restart").isEmpty();
    }

    @Test
    @Order(5)
    void aCorruptInstanceIsRefusedWithAReasonAndTheCaseStillCompletesSayingSo() throws Exception {
        GeneratedStudy original = studies.get(4 % studies.size());
        Diagnosis reference = diagnosisOf(original);
        StudyCopies copy = StudyCopies.of(original, work.resolve("corrupt-copy"));
        String apSeries = original.truth().series().stream().filter(s -> s.phase().equals("AP")).findFirst().orElseThrow().seriesInstanceUid();
        List<Path> apFiles = copy.files().get(copy.seriesUids().get(apSeries));
        Path corrupt = apFiles.get(apFiles.size() / 2);
        StudyCopies.cutPixelData(corrupt);
        String corruptSop = DicomHeaderReader.read(corrupt).sopInstanceUid();

        // --no-halt: go on after a refused instance, as a PACS does (storescu stops the association by default)
        Dcmtk.Result r = Dcmtk.storescu("IT-E2E", pipeline.ingest().dicomPort(), copy.allFiles(), 120, "-d", "--no-halt");
        expectedDiagnoses.put(copy.studyInstanceUid(), 1);
        // the refusal's response names the reason (Error Comment)
        assertThat(r.output()).as("storescu -d").contains("PIXEL_DATA_TOO_SHORT");
        assertThat(count(r.output(), DIMSE_SUCCESS)).as("instances stored")
                .isEqualTo(copy.allFiles().size() - 1);

        Diagnosis d = diagnoses.awaitKeys(List.of(copy.studyInstanceUid()), DIAGNOSIS_WAIT).get(copy.studyInstanceUid()).value();
        log("with a corrupt instance: " + DiagnosisText.describe(d));
        assertThat(d.getStatus()).isIn(DiagnosisStatus.COMPLETE, DiagnosisStatus.NO_LESION);
        assertThat(d.getRefusedInstances()).isEqualTo(1);
        assertThat(String.join("\n", d.getNotes())).containsIgnoringCase("refused");
        assertEveryChunkIn(d);
        PhaseSummary ap = d.getPhases().stream().filter(p -> p.getPhase() == Phase.AP).findFirst().orElseThrow();
        PhaseSummary apBefore = reference.getPhases().stream().filter(p -> p.getPhase() == Phase.AP).findFirst().orElseThrow();
        assertThat(ap.getSliceCount()).as("AP slices processed").isEqualTo(apBefore.getSliceCount() - 1);
        DeadLetter letter = deadLetters.await(() -> deadLetters.where(l -> corruptSop.equals(l.getOriginalKey())).stream().findFirst().map(TopicWatch.Arrival::value).orElse(null),
                Duration.ofSeconds(30), "the dead letter of the corrupt instance");
        assertThat(letter.getReasonCode()).isEqualTo("PIXEL_DATA_TOO_SHORT");
        assertThat(letter.getCaseId()).isEqualTo(copy.studyInstanceUid());
    }

    @Test
    @Order(6)
    void confluentsNodeClientReadsEveryDiagnosisOnceAsOurConsumerDoes() throws Exception {
        diagnosisOf(studies.get(0));
        Map<String, Diagnosis> java = new LinkedHashMap<>();
        diagnoses.arrivals().forEach(a -> java.putIfAbsent(a.key(), a.value()));
        NodeClients.Result result = NodeClients.run("consume-all.mjs", List.of("--bootstrap", stack.bootstrapServers(),
                "--registry", RegistryAccess.of(stack.registryUrl()).confluentCompatibleUrl(), "--topic", Topics.DIAGNOSES.name(),
                "--keys", String.join(",", java.keySet()), "--timeout-ms", "90000"), 120);
        assertThat(result.exitCode()).as("node consume-all.mjs: " + result.stderr()).isZero();

        Map<String, List<JsonNode>> read = new LinkedHashMap<>();
        for (String line : result.stdout().lines().filter(l -> !l.isBlank()).toList()) {
            JsonNode record = JSON.readTree(line);
            read.computeIfAbsent(record.get("key").asText(), k -> new ArrayList<>()).add(record);
        }
        assertThat(read.keySet()).containsExactlyInAnyOrderElementsOf(java.keySet());
        for (var e : read.entrySet()) {
            assertThat(e.getValue()).as("records of case " + e.getKey() + " read by Confluent's client").hasSize(1);
            JsonNode record = e.getValue().get(0);
            JsonNode value = record.get("value");
            Diagnosis d = java.get(e.getKey());
            assertThat(record.get("magic").asInt()).isZero();
            assertThat(value.get("caseId").asText()).isEqualTo(d.getCaseId());
            assertThat(value.get("version").asInt()).isEqualTo(d.getVersion());
            assertThat(value.get("status").asText()).isEqualTo(d.getStatus().name());
            assertThat(value.get("malignancy").isNull() ? null : value.get("malignancy").asText()).isEqualTo(d.getMalignancy());
            if (d.getMalignancyProbability() != null) {
                assertThat(value.get("malignancyProbability").asDouble()).isEqualTo(d.getMalignancyProbability());
            }
            assertThat(value.get("lesions").size()).isEqualTo(d.getLesions().size());
            assertThat(value.get("refusedInstances").asInt()).isEqualTo(d.getRefusedInstances());
        }
        log("Confluent's Node client read " + read.size() + " diagnoses, each once, as our consumer decoded them");
    }

    @Test
    @Order(7)
    void everyFileOfTheRealCorpusSentOverCStoreAndStowRsIsAccountedForAndEveryServiceStaysAlive() throws Exception {
        Path corpus = ItPaths.shared().resolve("dicom-corpus");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(corpus)) {
            files = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().matches(".*\\.(md|tsv)")).sorted().toList();
        }
        assertThat(files).as("the corpus at " + corpus).hasSizeGreaterThanOrEqualTo(74);
        Set<String> corpusStudies = new LinkedHashSet<>();
        for (Path f : files) {
            try {
                corpusStudies.add(DicomHeaderReader.read(f).studyInstanceUid());
            } catch (Exception | LinkageError notReadable) {
                // malformed on purpose: the outcomes below say what became of it
            }
        }
        corpusStudies.remove(null);

        long t0 = System.nanoTime();
        Map<String, String> outcomes = new LinkedHashMap<>();
        try (TopicWatch<StudyArrived> cases = TopicWatch.fromEnd(Topics.STUDIES, stack.bootstrapServers(), stack.registryUrl())) {
            for (Path f : files) {
                // -R: the file's own SOP class and transfer syntax, as a PACS forwarding it would propose them
                List<String> options = new ArrayList<>(List.of("-d", "-R"));
                String ts = IngestCorpusIT.transferSyntax(f);
                if (ts != null && IngestCorpusIT.PROPOSE.containsKey(ts)) {
                    options.add(IngestCorpusIT.PROPOSE.get(ts));
                }
                Dcmtk.Result r = Dcmtk.storescu("IT-E2E-CORPUS", pipeline.ingest().dicomPort(), List.of(f), 60, options.toArray(String[]::new));
                assertThat(r.timedOut()).as("storescu stalled on " + f).isFalse();
                outcomes.put(corpus.relativize(f) + " C-STORE", IngestCorpusIT.storescuOutcome(r.output()));
            }
            for (Path f : files) {
                outcomes.put(corpus.relativize(f) + " STOW-RS", IngestCorpusIT.stowOutcome(Stow.post(pipeline.ingest().stowUrl(), null, List.of(f))));
            }
            log(String.format(Locale.ROOT, "corpus: %d files sent over C-STORE and STOW-RS in %.1f s", files.size(), (System.nanoTime() - t0) / 1e9));
            outcomes.forEach((what, outcome) -> log("  " + what + ": " + outcome));

            // accepted, or refused with a reason: a DIMSE failure with its Error Comment, a transfer syntax refused at
            // negotiation, an HTTP failure with the reason code (Failure Reason); nothing unanswered. A file storescu itself
            // cannot read is not sent over C-STORE: STOW-RS delivers it as it is.
            outcomes.forEach((what, outcome) -> assertThat(outcome).as(what).matches(ACCOUNTED_FOR));
            assertThat(outcomes.values().stream().filter(o -> o.startsWith("0x0000") || o.startsWith("200"))).as("instances accepted").isNotEmpty();

            // the cases the corpus opened flow on: each gets its diagnosis (one without an arterial or portal venous series
            // says so: FAILED, NO_PROCESSABLE_SERIES, with the refusals and skipped series in its notes)
            Thread.sleep(Duration.ofSeconds(4).toMillis()); // the ingest's quiet period: the last cases open
            Set<String> opened = cases.arrivals().stream().filter(a -> corpusStudies.contains(a.key()))
                    .map(TopicWatch.Arrival::key).collect(Collectors.toCollection(LinkedHashSet::new));
            long withSeries = cases.arrivals().stream().filter(a -> opened.contains(a.key()) && !a.value().getSeries().isEmpty()).count();
            log("corpus: " + corpusStudies.size() + " studies, " + opened.size() + " case(s) opened, " + withSeries + " with a series to examine");
            assertThat(opened).as("cases the corpus opened").isNotEmpty();
            Map<String, TopicWatch.Arrival<Diagnosis>> got = diagnoses.awaitKeys(opened, DIAGNOSIS_WAIT);
            got.values().forEach(a -> log("corpus " + DiagnosisText.describe(a.value()).lines().findFirst().orElse("")));
        }
        assertThat(pipeline.notRunning()).as("services that did not survive the corpus").isEmpty();
        for (ServiceProcess s : pipeline.services()) {
            assertThat(s.get("/health").statusCode()).as(s.name() + " /health after the corpus").isEqualTo(200);
            assertThat(s.logText()).as(s.name() + " log").doesNotContain("Exception in thread");
        }
    }

    @Test
    @Order(8)
    void everyCaseOfTheRunHasExactlyOneDiagnosisAndEveryServiceIsAlive() throws Exception {
        diagnoses.awaitKeys(expectedDiagnoses.keySet(), DIAGNOSIS_WAIT);
        Thread.sleep(3000); // a duplicate would come right after the first
        // the phantom studies of every scenario (the corpus' cases may be revised: its files come twice, over both protocols)
        List<TopicWatch.Arrival<Diagnosis>> phantom = diagnoses.where(d -> expectedDiagnoses.containsKey(d.getCaseId()));
        Map<String, Long> perCase = phantom.stream().collect(Collectors.groupingBy(TopicWatch.Arrival::key, Collectors.counting()));
        assertThat(perCase.keySet()).as("cases with a diagnosis").containsExactlyInAnyOrderElementsOf(expectedDiagnoses.keySet());
        perCase.forEach((caseId, n) -> assertThat(n).as("diagnoses of case " + caseId).isEqualTo(1L));
        assertThat(phantom).allSatisfy(a -> assertThat(a.value().getVersion()).isEqualTo(1));
        assertThat(pipeline.notRunning()).as("services not running").isEmpty();
        for (ServiceProcess s : pipeline.services()) {
            assertThat(s.get("/health").statusCode()).as(s.name() + " /health: " + s.get("/health").body()).isEqualTo(200);
        }
        List<String> reasons = deadLetters.where(l -> l.getCaseId() != null && expectedDiagnoses.containsKey(l.getCaseId())).stream()
                .map(a -> a.value().getStage() + " " + a.value().getReasonCode()).distinct().toList();
        log("dead letters of the run: " + deadLetters.arrivals().size() + " " + deadLetters.arrivals().stream()
                .map(a -> a.value().getStage() + " " + a.value().getReasonCode()).distinct().toList());
        assertThat(reasons).as("dead letters of the phantom cases: only the corrupt instance's").containsOnly("ingest PIXEL_DATA_TOO_SHORT");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (diagnoses != null) {
            diagnoses.close();
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        // a failed scenario must not leave the run's stack half down for the next test class
        if (stack.brokerProcess() != null && !stack.brokerProcess().isAlive()) {
            stack.restartBroker();
        }
        if (stack.registryProcess() != null && !stack.registryProcess().isAlive()) {
            stack.restartRegistry();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private List<GeneratedStudy> generateStudies(Path out) throws Exception {
        int n = Integer.getInteger("lilnet.e2e.studies", DEFAULT_STUDIES);
        long t0 = System.nanoTime();
        List<GeneratedStudy> made;
        if (E2eModels.phantomTrained()) {
            // the first studies of the held-out set the manifest's figures come from
            JsonNode heldOut = E2eModels.heldOut("bm");
            long seed = heldOut.path("generatorSeed").asLong();
            Matcher mix = Pattern.compile("--class-mix (\\S+)").matcher(heldOut.path("generatorCommand").asText());
            PhantomOptions options = PhantomOptions.defaults().withClassMix(mix.find() ? ClassMix.parse(mix.group(1)) : ClassMix.PAPER);
            made = new ArrayList<>();
            PhantomGenerator generator = new PhantomGenerator(options);
            for (int i = 0; i < n; i++) {
                made.add(generator.generateStudy(seed, i, out));
            }
        } else {
            made = PhantomCases.generate(PhantomOptions.defaults(), Math.max(6, n / 2), 11, out, 2, s -> { });
        }
        log(String.format(Locale.ROOT, "%d phantom studies written in %.1f s (%s models)", made.size(), (System.nanoTime() - t0) / 1e9,
                E2eModels.phantomTrained() ? "phantom-trained" : "test"));
        return made;
    }

    /** The diagnosis of a phantom study, sending the study first if this class has not sent it yet. */
    private Diagnosis diagnosisOf(GeneratedStudy study) throws Exception {
        send(study);
        return diagnoses.awaitKeys(List.of(study.truth().studyInstanceUid()), DIAGNOSIS_WAIT).get(study.truth().studyInstanceUid()).value();
    }

    private void send(GeneratedStudy study) throws Exception {
        send(study.truth().studyInstanceUid(), study.allFiles(), 1);
    }

    /** storescu, one association per study, every file stored. */
    private void send(String caseId, List<Path> files, int diagnosesExpected) throws Exception {
        if (!sent.add(caseId)) {
            return;
        }
        expectedDiagnoses.put(caseId, diagnosesExpected);
        Dcmtk.Result r = Dcmtk.storescu("IT-E2E", pipeline.ingest().dicomPort(), files, 120, "-v");
        assertThat(r.exit()).as("storescu of " + files.size() + " files: " + tail(r.output())).isZero();
    }

    private static Collection<String> caseIds(List<GeneratedStudy> studies) {
        return studies.stream().map(s -> s.truth().studyInstanceUid()).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Detect tasks of the diagnosis' case: the chunks it expected. */
    private static int tasksOf(Diagnosis d) {
        return d.getPhases().stream().mapToInt(PhaseSummary::getChunksExpected).sum();
    }

    private static void assertEveryChunkIn(Diagnosis d) {
        for (PhaseSummary p : d.getPhases()) {
            assertThat(p.getChunksReceived()).as(d.getCaseId() + " " + p.getPhase() + " chunks received").isEqualTo(p.getChunksExpected());
            assertThat(p.getChunksFailed()).as(d.getCaseId() + " " + p.getPhase() + " chunks failed").isZero();
        }
        assertThat(d.getStatus()).as(d.getCaseId() + ": " + d.getStatusReason()).isNotEqualTo(DiagnosisStatus.FAILED);
    }

    private static int count(String text, Pattern what) {
        Matcher m = what.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String tail(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }

    private static void log(String line) {
        System.out.println("[it e2e] " + line);
    }

}
