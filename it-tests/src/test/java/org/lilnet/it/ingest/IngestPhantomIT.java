package org.lilnet.it.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lilnet.dicom.DicomHeaderReader;
import org.lilnet.events.DetectTask;
import org.lilnet.events.Phase;
import org.lilnet.events.SeriesInfo;
import org.lilnet.events.SkippedSeries;
import org.lilnet.events.SliceRef;
import org.lilnet.events.StudyArrived;
import org.lilnet.it.support.ItPaths;
import org.lilnet.it.support.ItStack;
import org.lilnet.phantom.GeneratedStudy;
import org.lilnet.phantom.GroundTruth;
import org.lilnet.phantom.PhantomGenerator;
import org.lilnet.phantom.PhantomOptions;
import org.lilnet.stack.LocalStack;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Done-when 1 of the ingest issue: phantom studies sent to the ingest-service (a real process) with dcmtk's storescu
 * and over STOW-RS become StudyArrived and DetectTasks on the real broker, with the right phases, counts and slice
 * order; late instances reopen a case; a killed ingest-service loses no case in progress; /health and /metrics work.
 */
class IngestPhantomIT {

    static final int SLICES = 20;
    static final int CHUNK = 8;
    static final String TOKEN = "it-token";
    static final Duration QUIET = Duration.ofSeconds(4);
    static final Duration WAIT = Duration.ofSeconds(90);

    static LocalStack stack;
    static IngestProcess ingest;
    static EventTap events;
    static PhantomGenerator phantoms;
    static Path studiesDir;

    @BeforeAll
    static void start() throws Exception {
        stack = ItStack.fresh();
        ingest = new IngestProcess("ingest-phantom", stack, Map.of("ingest.quiet-period", QUIET.toSeconds() + "s",
                "ingest.chunk-slices", String.valueOf(CHUNK), "dicomweb.bearer-token", TOKEN)).start();
        events = new EventTap(stack);
        // every study: arterial and portal venous, sometimes non-contrast and delayed, always a localizer
        phantoms = new PhantomGenerator(PhantomOptions.defaults().withSlicesPerSeries(SLICES).withLocalizerProbability(1.0).withNoiseScale(0.3));
        studiesDir = ItPaths.newWorkDirectory("phantom-studies-");
    }

    @AfterAll
    static void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        if (ingest != null) {
            ingest.close();
        }
    }

    static GeneratedStudy study(int index) throws Exception {
        long start = System.nanoTime();
        GeneratedStudy s = phantoms.generateStudy(20240501, index, studiesDir);
        System.out.printf("[it] phantom study %d: %d series, %d slices in %.1f s%n", index, s.truth().series().size(), s.sliceCount(),
                (System.nanoTime() - start) / 1e9);
        return s;
    }

    @Test
    void aPhantomStudySentWithStorescuOpensItsCase() throws Exception {
        GeneratedStudy study = study(0);
        List<Path> files = new ArrayList<>(study.allFiles());

        Dcmtk.Result sent = Dcmtk.storescu("IT-SCANNER", ingest.dicomPort, files, 120);

        assertThat(sent.exit()).as(sent.output()).isZero();
        assertThat(sent.output().split("Received Store Response \\(Success\\)", -1)).hasSize(files.size() + 1);
        StudyArrived arrived = events.awaitStudy(study.truth().studyInstanceUid(), 1, WAIT);
        assertCase(study, arrived, 1);
    }

    @Test
    void aPhantomStudySentOverStowRsOpensItsCase() throws Exception {
        GeneratedStudy study = study(1);
        List<Path> files = new ArrayList<>(study.allFiles());
        Collections.shuffle(files, new Random(5)); // arrival order must not matter

        HttpResponse<String> response = Stow.post(ingest.stowUrl(), TOKEN, files);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode stored = new ObjectMapper().readTree(response.body()).path("00081199").path("Value");
        assertThat(stored).hasSize(files.size());
        StudyArrived arrived = events.awaitStudy(study.truth().studyInstanceUid(), 1, WAIT);
        assertCase(study, arrived, 1);
    }

    @Test
    void stowRsWithoutTheTokenIsRefused() throws Exception {
        GeneratedStudy study = study(2);

        HttpResponse<String> response = Stow.post(ingest.stowUrl(), null, study.allFiles().subList(0, 1));

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void lateInstancesReopenTheCaseAsACompleteNewRevision() throws Exception {
        GeneratedStudy study = study(3);
        String pvp = seriesOf(study.truth(), "PVP").seriesInstanceUid();
        List<Path> late = study.files().get(pvp).subList(SLICES - 3, SLICES);
        List<Path> first = study.allFiles().stream().filter(f -> !late.contains(f)).toList();

        assertThat(Stow.post(ingest.stowUrl(), TOKEN, first).statusCode()).isEqualTo(200);
        StudyArrived revision1 = events.awaitStudy(study.truth().studyInstanceUid(), 1, WAIT);
        assertThat(seriesInfo(revision1, Phase.PVP).getSliceCount()).isEqualTo(SLICES - 3);

        Dcmtk.Result sent = Dcmtk.storescu("IT-PACS", ingest.dicomPort, late, 60);
        assertThat(sent.exit()).as(sent.output()).isZero();
        StudyArrived revision2 = events.awaitStudy(study.truth().studyInstanceUid(), 2, WAIT);

        assertCase(study, revision2, 2);
        assertThat(revision2.getFirstInstanceAt()).isEqualTo(revision1.getFirstInstanceAt());
        assertThat(revision2.getLastInstanceAt()).isAfter(revision1.getLastInstanceAt());
    }

    @Test
    void aKilledIngestServiceLosesNoCaseInProgress() throws Exception {
        GeneratedStudy study = study(4);
        List<Path> files = study.allFiles();
        List<Path> firstHalf = files.subList(0, files.size() / 2);
        List<Path> secondHalf = files.subList(files.size() / 2, files.size());

        Dcmtk.Result sent = Dcmtk.storescu("IT-SCANNER", ingest.dicomPort, firstHalf, 120);
        assertThat(sent.exit()).as(sent.output()).isZero();
        ingest.kill();
        System.out.println("[it] ingest-service killed (SIGKILL) with half of study 4 received");
        ingest.start();
        sent = Dcmtk.storescu("IT-SCANNER", ingest.dicomPort, secondHalf, 120);
        assertThat(sent.exit()).as(sent.output()).isZero();

        StudyArrived arrived = events.awaitStudy(study.truth().studyInstanceUid(), 1, WAIT);
        assertCase(study, arrived, 1);
        assertThat(ingest.log()).contains("restored");
    }

    @Test
    void aFolderWithADicomdirIsImportedWithLilnetIngest() throws Exception {
        GeneratedStudy study = study(6);
        // media as a CD would hold it: ISO 9660 names, a DICOMDIR made by dcmtk
        Path media = ItPaths.newWorkDirectory("media-");
        int n = 0;
        for (Path f : study.allFiles()) {
            Path target = media.resolve("S" + (n / 100)).resolve(String.format("IM%06d", n));
            Files.createDirectories(target.getParent());
            Files.copy(f, target);
            n++;
        }
        List<String> dirs;
        try (var list = Files.list(media)) {
            dirs = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> mkdir = new ArrayList<>(List.of("dcmmkdir", "--recurse", "--invent", "+D", "DICOMDIR"));
        mkdir.addAll(dirs);
        Process p = new ProcessBuilder(mkdir).directory(media.toFile()).redirectErrorStream(true).start();
        String mkdirOutput = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(mkdirOutput).isZero();

        List<String> command = org.lilnet.stack.JavaCommand.main("org.lilnet.launcher.Lilnet").heap("256m")
                .args("ingest", media.toString(), "--url", ingest.stowUrl(), "--token", TOKEN).build();
        Process lilnet = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(lilnet.getInputStream().readAllBytes());
        assertThat(lilnet.waitFor()).as(output).isZero();

        assertThat(output).contains("(1 DICOMDIR)").contains("done: " + n + " stored, 0 stored but not processed, 0 refused, 0 skipped");
        StudyArrived arrived = events.awaitStudy(study.truth().studyInstanceUid(), 1, WAIT);
        assertCase(study, arrived, 1);
    }

    @Test
    void aStudyThatAnnouncesItsInstanceCountOpensWithoutWaitingForTheQuietPeriod() throws Exception {
        Path dir = ItPaths.newWorkDirectory("announced-");
        String study = org.lilnet.dicom.DicomUids.random();
        String series = org.lilnet.dicom.DicomUids.random();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Path f = dir.resolve("IM" + i + ".dcm");
            new org.lilnet.dicom.CtSliceWriter().study(study).series(series).description("ART 1.25mm").size(128, 128).z(i * 1.25)
                    .instanceNumber(i + 1).numberOfStudyRelatedInstances(6).write(f);
            files.add(f);
        }

        assertThat(Stow.post(ingest.stowUrl(), TOKEN, files).statusCode()).isEqualTo(200);
        StudyArrived arrived = events.awaitStudy(study, 1, WAIT);

        long waited = arrived.getOpenedAt().toEpochMilli() - arrived.getLastInstanceAt().toEpochMilli();
        assertThat(waited).as("opened %d ms after the last instance; the quiet period is %d ms", waited, QUIET.toMillis())
                .isLessThan(QUIET.toMillis() / 2);
        assertThat(seriesInfo(arrived, Phase.AP).getSliceCount()).isEqualTo(6);
    }

    @Test
    void aBrokerOutageDelaysCasesButLosesNothing() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(stack.brokerProcess() != null, "the broker is external: it cannot be stopped here");
        GeneratedStudy study = study(7);
        stack.stopBroker();
        System.out.println("[it] broker stopped");
        try {
            Dcmtk.Result sent = Dcmtk.storescu("IT-SCANNER", ingest.dicomPort, study.allFiles(), 120);
            assertThat(sent.exit()).as("storage does not need the broker: " + sent.output()).isZero();
            String health = EventTap.await(() -> {
                try {
                    HttpResponse<String> h = ingest.get("/health");
                    return h.statusCode() == 503 && h.body().contains("cases cannot be written") ? h.body() : null;
                } catch (Exception e) {
                    return null;
                }
            }, QUIET.plusSeconds(90), "/health DOWN while the broker is away");
            System.out.println("[it] health while the broker is away: " + health);
        } finally {
            stack.restartBroker();
            System.out.println("[it] broker restarted");
        }
        StudyArrived arrived = events.awaitStudy(study.truth().studyInstanceUid(), 1, Duration.ofMinutes(3));
        assertCase(study, arrived, 1);
        EventTap.await(() -> {
            try {
                return ingest.get("/health").statusCode() == 200 ? true : null;
            } catch (Exception e) {
                return null;
            }
        }, Duration.ofSeconds(60), "/health UP again");
    }

    @Test
    void healthAndMetricsReportWhatHappened() throws Exception {
        // runs in any order with the others: send something of its own first
        GeneratedStudy study = study(5);
        assertThat(Dcmtk.storescu("IT-SCANNER", ingest.dicomPort, study.allFiles().subList(0, 2), 60).exit()).isZero();
        assertThat(Stow.post(ingest.stowUrl(), TOKEN, List.of(ItPaths.shared().resolve("dicom-corpus/abdomen/SIEMENS_Avanto_MR_abdomen_overlays.dcm")))
                .statusCode()).isEqualTo(200);
        events.awaitStudy(study.truth().studyInstanceUid(), 1, WAIT);

        HttpResponse<String> health = ingest.get("/health");
        String metrics = ingest.get("/metrics").body();

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"").contains("dicom-listener").contains("stow-rs").contains("kafka").contains("blob-store");
        assertThat(metrics).contains("lilnet_ingest_instances_received_total{instance=\"it-ingest-phantom\",protocol=\"dimse\",service=\"ingest-service\"}")
                .contains("lilnet_ingest_instances_received_total{instance=\"it-ingest-phantom\",protocol=\"stow\",service=\"ingest-service\"}")
                .contains("lilnet_ingest_instances_refused_total{instance=\"it-ingest-phantom\",protocol=\"stow\",reason=\"NOT_CT\"")
                .contains("lilnet_ingest_stored_bytes_total")
                .contains("lilnet_ingest_cases_opened_total")
                .contains("lilnet_ingest_cases_pending");
        System.out.println("[it] ingest metrics:\n" + metrics.lines().filter(l -> l.startsWith("lilnet_ingest")).collect(Collectors.joining("\n")));
    }

    /** The case as the ground truth says it must be: phases, counts, skipped series, and every task's slices in order. */
    static void assertCase(GeneratedStudy study, StudyArrived arrived, int revision) throws Exception {
        GroundTruth truth = study.truth();
        assertThat(arrived.getCaseRevision()).isEqualTo(revision);
        assertThat(arrived.getPatientId()).isEqualTo(truth.patientId());
        assertThat(arrived.getAccessionNumber()).isEqualTo(truth.accessionNumber());
        assertThat(arrived.getSeries()).extracting(SeriesInfo::getPhase).containsExactlyInAnyOrder(Phase.AP, Phase.PVP);
        int expectedChunks = 0;
        for (SeriesInfo info : arrived.getSeries()) {
            GroundTruth.Series s = truth.series().stream().filter(t -> t.seriesInstanceUid().equals(info.getSeriesInstanceUid())).findFirst()
                    .orElseThrow();
            assertThat(info.getPhase().name()).as(info.getPhaseEvidence()).isEqualTo(s.phase());
            assertThat(info.getSliceCount()).isEqualTo(SLICES);
            assertThat(info.getChunkCount()).isEqualTo((SLICES + CHUNK - 1) / CHUNK);
            assertThat(info.getSliceSpacingMm()).isCloseTo(s.sliceThicknessMm(), org.assertj.core.api.Assertions.within(0.01));
            expectedChunks += info.getChunkCount();
        }
        assertThat(arrived.getExpectedChunks()).isEqualTo(expectedChunks);
        // every other series is skipped with its reason
        List<String> skipReasons = arrived.getSkippedSeries().stream().map(SkippedSeries::getReasonCode).sorted().toList();
        List<String> expectedSkips = truth.series().stream().filter(s -> s.localizer() || !EnumSet.of(Phase.AP, Phase.PVP).contains(Phase.valueOf(s.phase())))
                .map(s -> s.localizer() ? "LOCALIZER" : s.phase().equals("DELAYED") ? "DELAYED" : "NON_CONTRAST").sorted().toList();
        assertThat(skipReasons).isEqualTo(expectedSkips);
        assertThat(arrived.getRefusedInstances()).isEmpty();

        // the tasks of the same transaction are visible with the StudyArrived
        List<EventTap.Keyed<DetectTask>> tasks = EventTap.await(() -> {
            List<EventTap.Keyed<DetectTask>> t = events.tasksOf(truth.studyInstanceUid(), revision);
            return t.size() >= arrived.getExpectedChunks() ? t : null;
        }, Duration.ofSeconds(10), "the detect tasks of " + truth.studyInstanceUid());
        assertThat(tasks).hasSize(arrived.getExpectedChunks());
        Map<String, List<DetectTask>> bySeries = tasks.stream().map(EventTap.Keyed::value)
                .collect(Collectors.groupingBy(DetectTask::getSeriesInstanceUid));
        for (SeriesInfo info : arrived.getSeries()) {
            List<DetectTask> seriesTasks = new ArrayList<>(bySeries.get(info.getSeriesInstanceUid()));
            seriesTasks.sort(Comparator.comparingInt(DetectTask::getChunkIndex));
            assertThat(seriesTasks).extracting(DetectTask::getChunkIndex).containsExactly(0, 1, 2);
            for (DetectTask t : seriesTasks) {
                assertThat(t.getTaskId()).isEqualTo(truth.studyInstanceUid() + "/" + revision + "/" + info.getSeriesInstanceUid() + "/" + t.getChunkIndex());
                assertThat(t.getPhase()).isEqualTo(info.getPhase());
                assertThat(t.getChunkCount()).isEqualTo(3);
            }
            assertThat(tasks).filteredOn(k -> k.value().getSeriesInstanceUid().equals(info.getSeriesInstanceUid()))
                    .extracting(EventTap.Keyed::key).containsExactlyInAnyOrder(info.getSeriesInstanceUid() + "/0", info.getSeriesInstanceUid() + "/1",
                            info.getSeriesInstanceUid() + "/2");
            List<SliceRef> slices = seriesTasks.stream().flatMap(t -> t.getSlices().stream()).toList();
            List<Path> files = study.files().get(info.getSeriesInstanceUid()); // in position order
            assertThat(slices).hasSize(SLICES);
            for (int k = 0; k < SLICES; k++) {
                SliceRef ref = slices.get(k);
                assertThat(ref.getSliceIndex()).isEqualTo(k);
                assertThat(ref.getSopInstanceUid()).isEqualTo(DicomHeaderReader.read(files.get(k)).sopInstanceUid());
                // the generator numbers instances against the position: ordering by InstanceNumber would reverse the volume
                assertThat(ref.getInstanceNumber()).isEqualTo(SLICES - k);
                assertThat(Files.exists(ingest.blobs.resolve(ref.getBlobKey()))).as(ref.getBlobKey()).isTrue();
            }
            assertThat(slices).extracting(SliceRef::getSlicePositionMm).isSortedAccordingTo(Comparator.naturalOrder());
        }
    }

    static GroundTruth.Series seriesOf(GroundTruth truth, String phase) {
        return truth.series().stream().filter(s -> s.phase().equals(phase) && !s.localizer()).findFirst().orElseThrow();
    }

    static SeriesInfo seriesInfo(StudyArrived arrived, Phase phase) {
        return arrived.getSeries().stream().filter(s -> s.getPhase() == phase).findFirst().orElseThrow();
    }
}
