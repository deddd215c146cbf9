package org.lilnet.aggregator.kafka;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.aggregator.AggregatorMetrics;
import org.lilnet.aggregator.AvroTestSerde;
import org.lilnet.aggregator.cases.CaseSettings;
import org.lilnet.aggregator.cases.CaseStage;
import org.lilnet.aggregator.lesion.LesionRule;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.ClassProbabilities;
import org.lilnet.events.CropPrediction;
import org.lilnet.events.DeadLetter;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Lesion;
import org.lilnet.events.ModelRef;
import org.lilnet.events.Phase;
import org.lilnet.events.PhaseSummary;
import org.lilnet.events.SeriesInfo;
import org.lilnet.events.StudyArrived;

import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.lilnet.aggregator.TestEvents.LAST_INSTANCE_AT;
import static org.lilnet.aggregator.TestEvents.chunk;
import static org.lilnet.aggregator.TestEvents.crop;
import static org.lilnet.aggregator.TestEvents.f;
import static org.lilnet.aggregator.TestEvents.failedChunk;
import static org.lilnet.aggregator.TestEvents.series;
import static org.lilnet.aggregator.TestEvents.study;

/** The aggregator's topology on TopologyTestDriver: the cases, with a mocked wall clock for the timers. */
class AggregatorTopologyTest {

    static final CaseSettings SETTINGS = new CaseSettings(Duration.ofMinutes(2), Duration.ofMinutes(30), Duration.ofDays(7),
            LesionRule.DEFAULT);
    static final Instant START = Instant.parse("2026-03-02T08:01:00Z");

    static final String CASE = "1.2.826.0.1.100";
    static final SeriesInfo AP = series(CASE + ".3", Phase.AP, 48, 3);
    static final SeriesInfo PVP = series(CASE + ".4", Phase.PVP, 48, 3);

    @TempDir
    Path stateDir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AggregatorMetrics metrics = new AggregatorMetrics(registry);
    private TopologyTestDriver driver;
    private TestInputTopic<String, StudyArrived> studies;
    private TestInputTopic<String, ChunkPredictions> predictions;
    private TestInputTopic<String, byte[]> rawPredictions;
    private TestOutputTopic<String, Diagnosis> diagnoses;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private Instant now = START;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(AggregatorTopology.build(AvroTestSerde.TOPICS, SETTINGS, Duration.ofSeconds(1), metrics, "test-1"),
                props, START);
        studies = driver.createInputTopic(Topics.STUDIES.name(), new StringSerializer(), new AvroTestSerde<>(StudyArrived.class).serializer());
        predictions = driver.createInputTopic(Topics.PREDICTIONS.name(), new StringSerializer(),
                new AvroTestSerde<>(ChunkPredictions.class).serializer());
        rawPredictions = driver.createInputTopic(Topics.PREDICTIONS.name(), new StringSerializer(), new ByteArraySerializer());
        diagnoses = driver.createOutputTopic(Topics.DIAGNOSES.name(), new StringDeserializer(), new AvroTestSerde<>(Diagnosis.class).deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), new StringDeserializer(),
                new AvroTestSerde<>(DeadLetter.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // ---- the standard case: a lesion in both phases and a small second one in the portal venous phase ----------------

    static List<CropPrediction> apLesion(String caseSeries) {
        return List.of(
                crop(caseSeries, 20, 200, 180, 230, 210, f(-0.5f, 1.5f), f(2, 0.5f, -1), f(1, 0, -0.5f)),
                crop(caseSeries, 21, 196, 176, 236, 216, f(-0.4f, 1.9f), f(2.2f, 0.4f, -1), f(0.8f, 0.1f, -0.5f)),
                crop(caseSeries, 22, 194, 174, 240, 220, f(-0.6f, 2.4f), f(1.8f, 0.7f, -0.8f), f(1.1f, 0, -0.2f)),
                crop(caseSeries, 23, 198, 178, 232, 212, f(0.1f, 1.1f), f(2.5f, 0.2f, -1.2f), f(0.9f, 0.3f, -0.4f)));
    }

    static List<CropPrediction> pvpLesion(String caseSeries) {
        return List.of(
                crop(caseSeries, 21, 202, 182, 228, 208, f(0.2f, 1.0f), f(1.5f, 1, 0), f(0, 1, 0)),
                crop(caseSeries, 22, 199, 179, 233, 213, f(0.1f, 1.3f), f(1.7f, 0.8f, 0.1f), f(0.2f, 0.9f, 0)),
                crop(caseSeries, 24, 201, 181, 229, 209, f(0.4f, 0.9f), f(1.2f, 1.1f, 0.3f), f(0.1f, 1.2f, 0.1f)));
    }

    static List<CropPrediction> pvpSmallLesion(String caseSeries) {
        return List.of(crop(caseSeries, 40, 300, 300, 310, 312, f(1, -1), f(0, 0, 0), f(0, 0, 2)));
    }

    /** The six chunks of the standard case, in order AP 0..2 then PVP 0..2. */
    static List<ChunkPredictions> standardChunks(String caseId, int revision, SeriesInfo ap, SeriesInfo pvp) {
        return List.of(
                chunk(caseId, revision, ap, 0),
                chunk(caseId, revision, ap, 1, apLesion(ap.getSeriesInstanceUid()).toArray(CropPrediction[]::new)),
                chunk(caseId, revision, ap, 2),
                chunk(caseId, revision, pvp, 0),
                chunk(caseId, revision, pvp, 1, pvpLesion(pvp.getSeriesInstanceUid()).toArray(CropPrediction[]::new)),
                chunk(caseId, revision, pvp, 2, pvpSmallLesion(pvp.getSeriesInstanceUid()).toArray(CropPrediction[]::new)));
    }

    private void tick(Duration d) {
        now = now.plus(d);
        driver.advanceWallClockTime(d);
    }

    private void send(StudyArrived study) {
        studies.pipeInput(study.getCaseId(), study, now);
    }

    private void send(ChunkPredictions chunk) {
        predictions.pipeInput(chunk.getCaseId(), chunk, now);
        tick(Duration.ofMillis(200));
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Independent of the code under test: mean of the logits over the crops, then exp / sum of exp. */
    private static double[] direct(List<CropPrediction> crops, Function<CropPrediction, List<Float>> logits) {
        int n = logits.apply(crops.get(0)).size();
        double[] mean = new double[n];
        for (CropPrediction c : crops) {
            for (int i = 0; i < n; i++) {
                mean[i] += logits.apply(c).get(i) / (double) crops.size();
            }
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            mean[i] = Math.exp(mean[i]);
            sum += mean[i];
        }
        for (int i = 0; i < n; i++) {
            mean[i] /= sum;
        }
        return mean;
    }

    private static void assertFused(ClassProbabilities fused, List<CropPrediction> crops, Function<CropPrediction, List<Float>> logits) {
        assertThat(doubles(fused.getProbabilities())).containsExactly(direct(crops, logits), within(1e-12));
    }

    // ---- tests ---------------------------------------------------------------------------------------------------------

    @Test
    void aCompleteCaseGivesOneDiagnosisFusedOverEveryCropOfBothPhases() {
        send(study(CASE, 1, AP, PVP));
        List<ChunkPredictions> chunks = standardChunks(CASE, 1, AP, PVP);
        for (int i = 0; i < chunks.size() - 1; i++) {
            send(chunks.get(i));
        }
        assertThat(diagnoses.isEmpty()).as("no diagnosis while a chunk is missing").isTrue();
        assertThat(metrics.openCases()).isEqualTo(1);
        Instant lastPrediction = now;
        send(chunks.get(5));

        List<Diagnosis> out = diagnoses.readValuesToList();
        assertThat(out).hasSize(1);
        Diagnosis d = out.get(0);
        assertThat(d.getCaseId()).isEqualTo(CASE);
        assertThat(d.getVersion()).isEqualTo(1);
        assertThat(d.getChanges()).isNull();
        assertThat(d.getStatus()).isEqualTo(DiagnosisStatus.COMPLETE);
        assertThat(d.getStatusReason()).isNull();
        assertThat(d.getPatientId()).isEqualTo("P-" + CASE);
        assertThat(d.getAccessionNumber()).isEqualTo("A-" + CASE);
        assertThat(d.getStudyInstanceUid()).isEqualTo(CASE);
        assertThat(d.getSeriesInstanceUids()).containsExactly(AP.getSeriesInstanceUid(), PVP.getSeriesInstanceUid());
        assertThat(d.getPhasesUsed()).containsExactly(Phase.AP, Phase.PVP);

        // the decision: every crop of both phases with equal weight, mean logits, softmax
        List<CropPrediction> all = new ArrayList<>(apLesion(AP.getSeriesInstanceUid()));
        all.addAll(pvpLesion(PVP.getSeriesInstanceUid()));
        all.addAll(pvpSmallLesion(PVP.getSeriesInstanceUid()));
        assertFused(d.getBm(), all, CropPrediction::getBmLogits);
        assertFused(d.getM(), all, CropPrediction::getMLogits);
        assertFused(d.getB(), all, CropPrediction::getBLogits);
        double[] bm = direct(all, CropPrediction::getBmLogits);
        double[] m = direct(all, CropPrediction::getMLogits);
        assertThat(d.getMalignancy()).isEqualTo("malignant");
        assertThat(d.getMalignancyProbability()).isCloseTo(bm[1], within(1e-12));
        assertThat(d.getSubtype()).isEqualTo("HCC");
        assertThat(d.getSubtypeProbability()).isCloseTo(m[0], within(1e-12));
        assertThat(d.getBm().getLabels()).containsExactly("benign", "malignant");
        assertThat(d.getM().getLabels()).containsExactly("HCC", "ICC", "MET");
        assertThat(d.getB().getLabels()).containsExactly("FNH", "HEM", "CYST");
        double meanMalignantLogit = all.stream().mapToDouble(c -> c.getBmLogits().get(1)).average().orElseThrow();
        assertThat(d.getBm().getMeanLogits().get(1)).isCloseTo(meanMalignantLogit, within(1e-12));

        // phases
        assertThat(d.getPhases()).extracting(PhaseSummary::getPhase).containsExactly(Phase.AP, Phase.PVP);
        assertThat(d.getPhases()).extracting(PhaseSummary::getChunksReceived).containsExactly(3, 3);
        assertThat(d.getPhases()).extracting(PhaseSummary::getChunksFailed).containsExactly(0, 0);
        assertThat(d.getPhases()).extracting(PhaseSummary::getCropCount).containsExactly(4, 4);
        assertThat(d.getPhases()).extracting(PhaseSummary::getSliceCount).containsExactly(48, 48);

        // lesions: one in the arterial phase, two in the portal venous phase
        assertThat(d.getLesions()).hasSize(3);
        Lesion ap = d.getLesions().get(0);
        assertThat(ap.getLesionId()).isEqualTo(1);
        assertThat(ap.getPhase()).isEqualTo(Phase.AP);
        assertThat(ap.getSeriesInstanceUid()).isEqualTo(AP.getSeriesInstanceUid());
        assertThat(ap.getFirstSliceIndex()).isEqualTo(20);
        assertThat(ap.getLastSliceIndex()).isEqualTo(23);
        assertThat(ap.getFirstSlicePositionMm()).isCloseTo(-100 + 1.25 * 20, within(1e-9));
        assertThat(ap.getLastSlicePositionMm()).isCloseTo(-100 + 1.25 * 23, within(1e-9));
        assertThat(ap.getLargestBoxSliceIndex()).isEqualTo(22);
        assertThat(ap.getLargestBoxSopInstanceUid()).isEqualTo(AP.getSeriesInstanceUid() + ".22");
        assertThat(ap.getLargestBox().getX1()).isEqualTo(194f);
        assertThat(ap.getLargestBox().getY2()).isEqualTo(220f);
        assertThat(ap.getWidthMm()).isCloseTo(46 * 0.8, within(1e-9));
        assertThat(ap.getHeightMm()).isCloseTo(46 * 0.7, within(1e-9));
        assertThat(ap.getSizeMm()).isCloseTo(46 * 0.8, within(1e-9));
        assertThat(ap.getCropCount()).isEqualTo(4);
        assertThat(ap.getMaxDetectionScore()).isEqualTo(0.5f + 23 / 100f);
        assertFused(ap.getBm(), apLesion(AP.getSeriesInstanceUid()), CropPrediction::getBmLogits);
        assertFused(ap.getM(), apLesion(AP.getSeriesInstanceUid()), CropPrediction::getMLogits);
        Lesion pvp = d.getLesions().get(1);
        assertThat(pvp.getLesionId()).isEqualTo(2);
        assertThat(pvp.getPhase()).isEqualTo(Phase.PVP);
        assertThat(pvp.getFirstSliceIndex()).isEqualTo(21);
        assertThat(pvp.getLastSliceIndex()).as("slice 23 missed: a one-slice gap").isEqualTo(24);
        assertThat(pvp.getCropCount()).isEqualTo(3);
        Lesion small = d.getLesions().get(2);
        assertThat(small.getFirstSliceIndex()).isEqualTo(40);
        assertThat(small.getSizeMm()).isCloseTo(Math.max(10 * 0.8, 12 * 0.7), within(1e-9));
        assertThat(small.getBm().getProbabilities().get(0)).as("this one looks benign").isGreaterThan(0.5);

        // what produced it
        assertThat(d.getModels()).extracting(ModelRef::getRole).containsExactly("detector", "bm", "m", "b");
        assertThat(d.getModels().get(1).getSha256()).isEqualTo("b".repeat(64));
        assertThat(d.getWindow().getLevel()).isEqualTo(40.0);
        assertThat(d.getWindow().getWidth()).isEqualTo(400.0);
        assertThat(d.getRefusedInstances()).isEqualTo(1);
        assertThat(d.getNotes()).anySatisfy(n -> assertThat(n).contains("'NC 5mm'").contains("NON_CONTRAST"));
        assertThat(d.getNotes()).anySatisfy(n -> assertThat(n).contains(CASE + ".9.1").contains("PIXEL_DATA_UNREADABLE"));

        // timings: per-chunk stage times summed over the case (and the slowest chunk), the case's own ingest time once
        Map<String, Long> t = d.getTimingsMillis();
        assertThat(t).containsEntry("detect.inference", 2L * (100 + 101 + 102)).containsEntry("detect.inference.max", 102L)
                .containsEntry("classify.inference", 2L * (50 + 100 + 150)).containsEntry("classify.inference.max", 150L)
                .containsEntry("ingest.quiet", 30_000L).doesNotContainKey("ingest.quiet.max")
                .containsEntry("aggregate.collect", 1000L)
                .containsEntry("aggregate.lastPredictionToDiagnosis", Duration.between(lastPrediction, d.getProducedAt()).toMillis())
                .containsEntry("total.lastInstanceToDiagnosis", Duration.between(LAST_INSTANCE_AT, d.getProducedAt()).toMillis());
        assertThat(d.getLastInstanceAt()).isEqualTo(LAST_INSTANCE_AT);
        assertThat(d.getProducedAt()).isEqualTo(lastPrediction);

        // metrics
        assertThat(metrics.openCases()).isZero();
        assertThat(metrics.cases(CaseStage.DIAGNOSED)).isEqualTo(1);
        assertThat(metrics.diagnosesCount(DiagnosisStatus.COMPLETE)).isEqualTo(1.0);
        assertThat(registry.get("lilnet.aggregator.prediction.to.diagnosis").tag("status", "COMPLETE").timer().count()).isEqualTo(1);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void everyChunkInWithoutACropIsNoLesion() {
        send(study(CASE, 1, AP, PVP));
        for (SeriesInfo s : List.of(AP, PVP)) {
            for (int i = 0; i < 3; i++) {
                send(chunk(CASE, 1, s, i));
            }
        }
        List<Diagnosis> out = diagnoses.readValuesToList();
        assertThat(out).hasSize(1);
        Diagnosis d = out.get(0);
        assertThat(d.getStatus()).isEqualTo(DiagnosisStatus.NO_LESION);
        assertThat(d.getStatusReason()).isEqualTo("no lesion found on 96 slices (arterial 48, portal venous 48)");
        assertThat(d.getMalignancy()).isNull();
        assertThat(d.getMalignancyProbability()).isNull();
        assertThat(d.getSubtype()).isNull();
        assertThat(d.getBm()).isNull();
        assertThat(d.getM()).isNull();
        assertThat(d.getB()).isNull();
        assertThat(d.getLesions()).isEmpty();
        assertThat(d.getPhasesUsed()).containsExactly(Phase.AP, Phase.PVP);
        assertThat(d.getModels()).hasSize(4);
        assertThat(metrics.diagnosesCount(DiagnosisStatus.NO_LESION)).isEqualTo(1.0);
    }

    private void sendSinglePhaseCase() {
        send(study(CASE, 1, AP));
        send(chunk(CASE, 1, AP, 0));
        // benign-looking arterial lesion
        send(chunk(CASE, 1, AP, 1, crop(AP.getSeriesInstanceUid(), 20, 200, 180, 230, 210, f(1.5f, -0.5f), f(0, 0, 0), f(2, 0, 0)),
                crop(AP.getSeriesInstanceUid(), 21, 200, 180, 230, 210, f(1.2f, -0.2f), f(0, 0, 0), f(1.5f, 0.5f, 0))));
        send(chunk(CASE, 1, AP, 2));
    }

    @Test
    void oneListedPhaseGivesSinglePhaseAfterTheGracePeriod() {
        sendSinglePhaseCase();
        Instant complete = now.minusMillis(200);
        tick(Duration.ofSeconds(110));
        assertThat(diagnoses.isEmpty()).as("within the grace period").isTrue();
        assertThat(metrics.cases(CaseStage.AWAITING_PHASE)).isEqualTo(1);
        tick(Duration.ofSeconds(11));

        List<Diagnosis> out = diagnoses.readValuesToList();
        assertThat(out).hasSize(1);
        Diagnosis d = out.get(0);
        assertThat(d.getVersion()).isEqualTo(1);
        assertThat(d.getStatus()).isEqualTo(DiagnosisStatus.SINGLE_PHASE);
        assertThat(d.getStatusReason()).isEqualTo("portal venous phase did not arrive within 2 min after the arterial phase was complete");
        assertThat(d.getPhasesUsed()).containsExactly(Phase.AP);
        assertThat(d.getMalignancy()).isEqualTo("benign");
        assertThat(d.getSubtype()).isEqualTo("FNH");
        assertThat(d.getLesions()).hasSize(1);
        assertThat(Duration.between(complete, d.getProducedAt())).isBetween(Duration.ofMinutes(2), Duration.ofMinutes(2).plusSeconds(2));
        assertThat(d.getTimingsMillis().get("aggregate.wait")).isGreaterThanOrEqualTo(120_000L);
        assertThat(metrics.diagnosesCount(DiagnosisStatus.SINGLE_PHASE)).isEqualTo(1.0);

        tick(Duration.ofMinutes(10));
        assertThat(diagnoses.isEmpty()).as("said once").isTrue();
    }

    @Test
    void aLatePhaseSupersedesTheSinglePhaseDiagnosisWithVersionTwo() {
        sendSinglePhaseCase();
        tick(Duration.ofMinutes(3));
        assertThat(diagnoses.readValuesToList()).extracting(Diagnosis::getStatus).containsExactly(DiagnosisStatus.SINGLE_PHASE);

        // the portal venous series arrives late: ingest reopens the case as revision 2 with both series, all chunks again
        send(study(CASE, 2, AP, PVP));
        send(chunk(CASE, 1, AP, 1, crop(AP.getSeriesInstanceUid(), 30, 0, 0, 10, 10, f(0, 9), f(9, 0, 0), f(0, 0, 0))));
        for (ChunkPredictions c : standardChunks(CASE, 2, AP, PVP)) {
            send(c);
        }

        List<Diagnosis> out = diagnoses.readValuesToList();
        assertThat(out).hasSize(1);
        Diagnosis d = out.get(0);
        assertThat(d.getVersion()).isEqualTo(2);
        assertThat(d.getStatus()).isEqualTo(DiagnosisStatus.COMPLETE);
        assertThat(d.getChanges()).isEqualTo(
                "portal venous phase arrived; status SINGLE_PHASE -> COMPLETE; malignancy benign -> malignant; subtype FNH -> HCC; lesions 1 -> 3");
        assertThat(d.getPhasesUsed()).containsExactly(Phase.AP, Phase.PVP);
        // only revision 2's chunks: the revision-1 chunk that came late is not mixed in
        assertThat(d.getPhases()).extracting(PhaseSummary::getCropCount).containsExactly(4, 4);
        assertThat(registry.get("lilnet.aggregator.inputs").tag("outcome", "chunk_stale").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aLatePhaseWithinTheGracePeriodGivesOneCompleteDiagnosis() {
        sendSinglePhaseCase();
        tick(Duration.ofSeconds(30));
        send(study(CASE, 2, AP, PVP));
        standardChunks(CASE, 2, AP, PVP).forEach(this::send);
        tick(Duration.ofMinutes(5));

        List<Diagnosis> out = diagnoses.readValuesToList();
        assertThat(out).extracting(Diagnosis::getVersion).containsExactly(1);
        assertThat(out.get(0).getStatus()).isEqualTo(DiagnosisStatus.COMPLETE);
    }

    @Test
    void aDuplicateChunkIsIgnored() {
        send(study(CASE, 1, AP, PVP));
        List<ChunkPredictions> chunks = standardChunks(CASE, 1, AP, PVP);
        send(chunks.get(1));
        // a redelivery of (AP, chunk 1), here even with other crops: the first one counts
        send(chunk(CASE, 1, AP, 1, crop(AP.getSeriesInstanceUid(), 5, 0, 0, 10, 10, f(9, 0), f(0, 0, 0), f(0, 0, 0))));
        for (int i = 0; i < chunks.size(); i++) {
            if (i != 1) {
                send(chunks.get(i));
            }
        }
        send(chunks.get(4));

        List<Diagnosis> out = diagnoses.readValuesToList();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getPhases()).extracting(PhaseSummary::getChunksReceived).containsExactly(3, 3);
        assertThat(out.get(0).getPhases()).extracting(PhaseSummary::getCropCount).containsExactly(4, 4);
        assertThat(out.get(0).getLesions()).extracting(Lesion::getFirstSliceIndex).containsExactly(20, 21, 40);
        assertThat(out.get(0).getTimingsMillis()).containsEntry("detect.inference", 606L);
        assertThat(registry.get("lilnet.aggregator.inputs").tag("outcome", "chunk_duplicate").counter().count()).isEqualTo(2.0);
    }

    @Test
    void chunksInAnyOrderEvenBeforeTheirStudyGiveTheSameDiagnosis() {
        String inOrder = CASE;
        String shuffled = "1.2.826.0.1.200";
        SeriesInfo ap2 = series(shuffled + ".3", Phase.AP, 48, 3);
        SeriesInfo pvp2 = series(shuffled + ".4", Phase.PVP, 48, 3);

        send(study(inOrder, 1, AP, PVP));
        standardChunks(inOrder, 1, AP, PVP).forEach(this::send);

        List<ChunkPredictions> chunks = new ArrayList<>(standardChunks(shuffled, 1, ap2, pvp2));
        Collections.shuffle(chunks, new Random(3));
        send(chunks.get(0));
        send(chunks.get(1));
        assertThat(metrics.cases(CaseStage.AWAITING_STUDY)).isEqualTo(1);
        send(study(shuffled, 1, ap2, pvp2));
        chunks.subList(2, chunks.size()).forEach(this::send);

        List<Diagnosis> out = diagnoses.readValuesToList();
        assertThat(out).extracting(Diagnosis::getCaseId).containsExactly(inOrder, shuffled);
        Diagnosis a = out.get(0);
        Diagnosis b = out.get(1);
        assertThat(b.getStatus()).isEqualTo(DiagnosisStatus.COMPLETE);
        assertThat(b.getBm()).isEqualTo(a.getBm());
        assertThat(b.getM()).isEqualTo(a.getM());
        assertThat(b.getB()).isEqualTo(a.getB());
        assertThat(b.getLesions()).hasSameSizeAs(a.getLesions());
        for (int i = 0; i < a.getLesions().size(); i++) {
            assertThat(b.getLesions().get(i).getLargestBox()).isEqualTo(a.getLesions().get(i).getLargestBox());
            assertThat(b.getLesions().get(i).getBm()).isEqualTo(a.getLesions().get(i).getBm());
            assertThat(b.getLesions().get(i).getFirstSliceIndex()).isEqualTo(a.getLesions().get(i).getFirstSliceIndex());
        }
        assertThat(registry.get("lilnet.aggregator.inputs").tag("outcome", "chunk_early").counter().count()).isEqualTo(2.0);
    }

    @Test
    void aFailedChunkMakesTheCaseFailedWithTheReasonOnceEveryChunkIsIn() {
        send(study(CASE, 1, AP, PVP));
        List<ChunkPredictions> chunks = new ArrayList<>(standardChunks(CASE, 1, AP, PVP));
        chunks.set(4, failedChunk(CASE, 1, PVP, 1, "DETECTOR_ERROR: the model session failed"));
        for (int i = 0; i < 5; i++) {
            send(chunks.get(i));
        }
        assertThat(diagnoses.isEmpty()).isTrue();
        send(chunks.get(5));

        List<Diagnosis> out = diagnoses.readValuesToList();
        assertThat(out).hasSize(1);
        Diagnosis d = out.get(0);
        assertThat(d.getStatus()).isEqualTo(DiagnosisStatus.FAILED);
        assertThat(d.getStatusReason())
                .isEqualTo("CHUNK_FAILED: 1 of 6 chunks failed: portal venous chunk 1 (DETECTOR_ERROR: the model session failed)");
        assertThat(d.getMalignancy()).isNull();
        assertThat(d.getBm()).isNull();
        assertThat(d.getLesions()).isEmpty();
        assertThat(d.getPhasesUsed()).isEmpty();
        assertThat(d.getPhases()).extracting(PhaseSummary::getChunksFailed).containsExactly(0, 1);
        assertThat(d.getPhases()).extracting(PhaseSummary::getChunksReceived).containsExactly(3, 3);
        assertThat(d.getNotes()).contains("no result is given: it would rest on part of the slices only");
        assertThat(metrics.diagnosesCount(DiagnosisStatus.FAILED)).isEqualTo(1.0);
    }

    @Test
    void chunksThatNeverArriveFailTheCaseAfterTheTimeoutAndLateOnesStillCompleteIt() {
        send(study(CASE, 1, AP, PVP));
        List<ChunkPredictions> chunks = standardChunks(CASE, 1, AP, PVP);
        for (int i : new int[] {0, 1, 2, 3}) {
            send(chunks.get(i));
        }
        tick(Duration.ofMinutes(29));
        assertThat(diagnoses.isEmpty()).isTrue();
        tick(Duration.ofMinutes(1));

        Diagnosis timedOut = diagnoses.readValue();
        assertThat(timedOut.getVersion()).isEqualTo(1);
        assertThat(timedOut.getStatus()).isEqualTo(DiagnosisStatus.FAILED);
        assertThat(timedOut.getStatusReason())
                .isEqualTo("TIMEOUT: 2 of 6 chunks did not arrive within 30 min of the last progress: portal venous chunks 1, 2");
        assertThat(metrics.cases(CaseStage.TIMED_OUT)).isEqualTo(1);
        tick(Duration.ofMinutes(30));
        assertThat(diagnoses.isEmpty()).as("reported once").isTrue();

        send(chunks.get(4));
        send(chunks.get(5));
        Diagnosis late = diagnoses.readValue();
        assertThat(late.getVersion()).isEqualTo(2);
        assertThat(late.getStatus()).isEqualTo(DiagnosisStatus.COMPLETE);
        assertThat(late.getChanges()).startsWith("the missing chunks arrived after the case timeout; status FAILED -> COMPLETE; "
                + "malignancy none -> malignant");
        assertThat(late.getLesions()).hasSize(3);
    }

    @Test
    void aStudyWithoutProcessableSeriesFailsAtOnce() {
        send(study(CASE, 1));
        Diagnosis d = diagnoses.readValue();
        assertThat(d.getStatus()).isEqualTo(DiagnosisStatus.FAILED);
        assertThat(d.getStatusReason()).startsWith("NO_PROCESSABLE_SERIES");
    }

    @Test
    void badInputBecomesADeadLetterWithTheReasonAndTheServiceGoesOn() {
        rawPredictions.pipeInput(CASE, new byte[] {0, 0, 0, 0, 7, 42, 42}, now);
        DeadLetter unreadable = deadLetters.readValue();
        assertThat(unreadable.getReasonCode()).isEqualTo("UNREADABLE_RECORD");
        assertThat(unreadable.getStage()).isEqualTo("aggregator");
        assertThat(unreadable.getSourceTopic()).isEqualTo(Topics.PREDICTIONS.name());
        assertThat(unreadable.getSourceOffset()).isZero();
        assertThat(unreadable.getOriginalKey()).isEqualTo(CASE);

        send(study(CASE, 1, AP, PVP));
        List<ChunkPredictions> chunks = new ArrayList<>(standardChunks(CASE, 1, AP, PVP));
        predictions.pipeInput("another-key", chunks.get(0), now);
        assertThat(deadLetters.readValue().getReasonCode()).isEqualTo("KEY_MISMATCH");

        send(chunk(CASE, 1, series(CASE + ".7", Phase.AP, 48, 3), 0));
        DeadLetter unexpected = deadLetters.readValue();
        assertThat(unexpected.getReasonCode()).isEqualTo("UNEXPECTED_CHUNK");
        assertThat(unexpected.getDetail()).contains("is not one of the series case revision 1 processes");
        send(chunk(CASE, 1, AP, 3));
        assertThat(deadLetters.readValue().getDetail()).contains("chunk index 3 is outside 0..2");

        // unusable logits: a dead letter, and the chunk counts as failed
        chunks.set(1, chunk(CASE, 1, AP, 1, crop(AP.getSeriesInstanceUid(), 20, 1, 1, 9, 9, f(1, 2, 3), f(0, 0, 0), f(0, 0, 0))));
        chunks.forEach(this::send);
        DeadLetter invalid = deadLetters.readValue();
        assertThat(invalid.getReasonCode()).isEqualTo("INVALID_PREDICTIONS");
        assertThat(invalid.getCaseId()).isEqualTo(CASE);
        Diagnosis d = diagnoses.readValue();
        assertThat(d.getStatus()).isEqualTo(DiagnosisStatus.FAILED);
        assertThat(d.getStatusReason()).isEqualTo("CHUNK_FAILED: 1 of 6 chunks failed: arterial chunk 1 "
                + "(INVALID_PREDICTIONS: crop 0 (slice 20): bmLogits has 3 values, expected 2)");

        // and the next case is served as usual
        String next = "1.2.826.0.1.300";
        SeriesInfo ap = series(next + ".3", Phase.AP, 48, 3);
        SeriesInfo pvp = series(next + ".4", Phase.PVP, 48, 3);
        send(study(next, 1, ap, pvp));
        standardChunks(next, 1, ap, pvp).forEach(this::send);
        assertThat(diagnoses.readValue().getStatus()).isEqualTo(DiagnosisStatus.COMPLETE);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void chunksWhoseStudyNeverComesAreDeadLetteredAfterTheTimeout() {
        List<ChunkPredictions> chunks = standardChunks(CASE, 1, AP, PVP);
        send(chunks.get(0));
        send(chunks.get(1));
        tick(Duration.ofMinutes(31));
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getReasonCode).containsExactly("CASE_NOT_OPENED", "CASE_NOT_OPENED");
        assertThat(letters).extracting(DeadLetter::getSourceOffset).containsExactlyInAnyOrder(0L, 1L);
        assertThat(diagnoses.isEmpty()).isTrue();
        assertThat(metrics.openCases()).isZero();
        assertThat(metrics.cases(CaseStage.AWAITING_STUDY)).isZero();
    }

    @Test
    void aDiagnosedCaseIsForgottenAfterTheRetentionPeriod() {
        send(study(CASE, 1, AP, PVP));
        standardChunks(CASE, 1, AP, PVP).forEach(this::send);
        assertThat(diagnoses.readValuesToList()).hasSize(1);
        assertThat(metrics.cases(CaseStage.DIAGNOSED)).isEqualTo(1);
        var cases = driver.<String, Object>getKeyValueStore(AggregatorTopology.CASES_STORE);
        var chunkStore = driver.<String, Object>getKeyValueStore(AggregatorTopology.CHUNKS_STORE);
        assertThat(cases.get(CASE)).isNotNull();
        assertThat(chunkStore.approximateNumEntries()).as("crops dropped once the revision is diagnosed").isZero();

        tick(Duration.ofDays(7).plusSeconds(5));
        assertThat(cases.get(CASE)).isNull();
        assertThat(metrics.cases(CaseStage.DIAGNOSED)).isZero();
    }

    @Test
    void aRecordIsNotDeadLetteredWhenTheRegistryIsUnreachable() {
        driver.close();
        TopicSerdes unreachable = new TopicSerdes() {
            @Override
            public <V extends SpecificRecord> Serde<V> valueSerde(
                    Topic<V> topic) {
                Serde<V> real = new AvroTestSerde<>(topic.valueType());
                return Serdes.serdeFrom(real.serializer(), (t, bytes) -> {
                    throw new IllegalStateException("resolving the schema failed", new ConnectException("Connection refused"));
                });
            }
        };
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("unreachable").toString());
        driver = new TopologyTestDriver(AggregatorTopology.build(unreachable, SETTINGS, Duration.ofSeconds(1), metrics, "test-1"), props, START);
        TestInputTopic<String, StudyArrived> in = driver.createInputTopic(Topics.STUDIES.name(), new StringSerializer(),
                new AvroTestSerde<>(StudyArrived.class).serializer());
        TestOutputTopic<String, DeadLetter> letters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), new StringDeserializer(),
                new AvroTestSerde<>(DeadLetter.class).deserializer());

        assertThatThrownBy(() -> in.pipeInput(CASE, study(CASE, 1, AP, PVP)))
                .hasRootCauseInstanceOf(ConnectException.class)
                .satisfies(e -> assertThat(DependencyUnavailable.among(e)).isTrue());
        assertThat(letters.isEmpty()).isTrue();
    }
}
