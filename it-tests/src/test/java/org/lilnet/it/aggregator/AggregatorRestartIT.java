package org.lilnet.it.aggregator;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.Box;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.ChunkStatus;
import org.lilnet.events.CropPrediction;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.ModelRef;
import org.lilnet.events.Phase;
import org.lilnet.events.SeriesInfo;
import org.lilnet.events.StudyArrived;
import org.lilnet.events.WindowSetting;
import org.lilnet.it.support.ItPaths;
import org.lilnet.it.support.ItStack;
import org.lilnet.stack.ServiceProcess;
import org.lilnet.stack.LocalStack;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The aggregator as a real process on the real broker and registry, killed with SIGKILL twice in the middle of a case
 * (once between chunks, once with the diagnosis inside an open transaction) and restarted: a read_committed consumer
 * sees exactly one diagnosis per version, and it is the right one. StudyArrived and ChunkPredictions are produced
 * here, as ingest and the classifier would.
 */
class AggregatorRestartIT {

    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(3);

    private final LocalStack stack = ItStack.fresh();
    private final RegistryAccess registry = RegistryAccess.of(stack.registryUrl());
    private Map<String, String> settings;
    private Path work;
    private ServiceProcess aggregator;

    @AfterEach
    void stopEverything() {
        if (aggregator != null) {
            aggregator.close();
        }
    }

    @Test
    void aKilledAggregatorResumesAndEmitsExactlyOneCorrectDiagnosisPerVersion() throws Exception {
        work = ItPaths.newWorkDirectory("aggregator-");
        settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrap.servers", stack.bootstrapServers());
        settings.put("registry.url", stack.registryUrl());
        settings.put("instance.id", "it-aggregator");
        settings.put("aggregator.application.id", "it-aggregator-" + System.nanoTime());
        settings.put("aggregator.state.dir", work.resolve("state").toString());
        // a long commit interval keeps the transaction open long enough to kill the process inside it
        settings.put("aggregator.commit.interval", COMMIT_INTERVAL.toMillis() + "ms");
        // a killed member leaves the group quickly
        settings.put("kafka.session.timeout.ms", "6000");
        settings.put("kafka.heartbeat.interval.ms", "1000");

        String caseId = "2.25." + Math.abs(ThreadLocalRandom.current().nextLong());
        SeriesInfo ap = series(caseId + ".3", Phase.AP, 48, 3);
        SeriesInfo pvp = series(caseId + ".4", Phase.PVP, 48, 3);
        List<ChunkPredictions> revision1 = chunks(caseId, 1, ap, pvp, false);

        try (Serde<StudyArrived> studySerde = EventSerdes.valueSerde(Topics.STUDIES, registry);
             Serde<ChunkPredictions> chunkSerde = EventSerdes.valueSerde(Topics.PREDICTIONS, registry);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                     ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), EventSerdes.keySerde().serializer(), new ByteArraySerializer())) {
            Function<StudyArrived, ProducerRecord<String, byte[]>> study = s ->
                    new ProducerRecord<>(Topics.STUDIES.name(), s.getCaseId(), studySerde.serializer().serialize(Topics.STUDIES.name(), s));
            Function<ChunkPredictions, ProducerRecord<String, byte[]>> chunk = c ->
                    new ProducerRecord<>(Topics.PREDICTIONS.name(), c.getCaseId(), chunkSerde.serializer().serialize(Topics.PREDICTIONS.name(), c));

            ServiceProcess first = startAggregator();
            producer.send(study.apply(study(caseId, 1, ap, pvp))).get();
            for (int i = 0; i < 3; i++) {
                producer.send(chunk.apply(revision1.get(i))).get();
            }
            awaitMetric("lilnet_aggregator_inputs_total", "outcome=\"chunk_accepted\"", 3, first);
            Thread.sleep(COMMIT_INTERVAL.plusSeconds(1).toMillis()); // let it commit: the restart must resume, not start over
            first.kill();
            System.out.println("[it] aggregator killed (SIGKILL) after 3 of 6 chunks");

            // while it is down: two more chunks and a redelivery of one it already has
            producer.send(chunk.apply(revision1.get(3))).get();
            producer.send(chunk.apply(revision1.get(4))).get();
            producer.send(chunk.apply(revision1.get(1))).get();

            ServiceProcess second = startAggregator();
            awaitMetric("lilnet_aggregator_inputs_total", "outcome=\"chunk_accepted\"", 2, second);
            producer.send(chunk.apply(revision1.get(5))).get();
            awaitMetric("lilnet_aggregator_diagnoses_total", "status=\"COMPLETE\"", 1, second);
            // the diagnosis is written (the producer sends it within its linger time) but the transaction commits only
            // with the next commit, up to 3 s later: kill inside it
            Thread.sleep(300);
            second.kill();
            System.out.println("[it] aggregator killed (SIGKILL) right after it emitted the diagnosis, before the commit");
            String secondMetrics = lastMetrics;
            assertThat(metric(secondMetrics, "lilnet_aggregator_inputs_total", "outcome=\"chunk_accepted\""))
                    .as("after the first restart only the chunks it had not seen are accepted: the state was restored").isEqualTo(3);
            assertThat(metric(secondMetrics, "lilnet_aggregator_inputs_total", "outcome=\"chunk_duplicate\"")).isEqualTo(1);

            ServiceProcess third = startAggregator();
            Diagnosis v1 = awaitDiagnoses(caseId, 1).get(0);
            assertCorrectFirstVersion(v1, revision1, ap, pvp);
            String thirdMetrics = scrape();
            double reprocessed = metric(thirdMetrics, "lilnet_aggregator_inputs_total", "outcome=\"chunk_accepted\"");
            // either the killed transaction was aborted (its chunks are processed again from the committed offsets and the
            // diagnosis is emitted again) or it had committed (nothing to redo): in both cases exactly one committed diagnosis
            int emittedHere = reprocessed > 0 ? 1 : 0;
            assertThat(metric(thirdMetrics, "lilnet_aggregator_diagnoses_total", "status=\"COMPLETE\"")).isEqualTo(emittedHere);
            System.out.println(reprocessed > 0
                    ? "[it] the killed transaction was aborted: the restarted aggregator processed its last " + (int) reprocessed
                            + " chunk(s) again and emitted v1 again; read_committed consumers saw it once"
                    : "[it] the killed transaction had committed before the kill: nothing was redone");
            assertHealthAndMetrics(third, emittedHere);

            // a later revision: the portal venous series got more slices and other findings
            SeriesInfo pvpLonger = series(caseId + ".4", Phase.PVP, 64, 4);
            producer.send(study.apply(study(caseId, 2, ap, pvpLonger))).get();
            for (ChunkPredictions c : chunks(caseId, 2, ap, pvpLonger, true)) {
                producer.send(chunk.apply(c)).get();
            }
            List<Diagnosis> all = awaitDiagnoses(caseId, 2);
            Diagnosis v2 = all.get(1);
            assertThat(v2.getStatus()).isEqualTo(DiagnosisStatus.COMPLETE);
            assertThat(v2.getChanges()).isEqualTo("portal venous phase 48 -> 64 slices; malignancy malignant -> benign; subtype HCC -> HEM");
            assertThat(v2.getMalignancy()).isEqualTo("benign");
            assertThat(v2.getPhases()).extracting(p -> p.getChunksReceived()).containsExactly(3, 4);

            long written = countRaw(caseId, "read_uncommitted");
            System.out.printf("[it] diagnoses of the case on the topic: %d committed (versions %s), %d written in all (aborted ones included)%n",
                    all.size(), all.stream().map(Diagnosis::getVersion).toList(), written);
        }
    }

    // ---- checks ----------------------------------------------------------------------------------------------------

    private void assertCorrectFirstVersion(Diagnosis d, List<ChunkPredictions> chunks, SeriesInfo ap, SeriesInfo pvp) {
        List<CropPrediction> crops = chunks.stream().flatMap(c -> c.getCrops().stream()).toList();
        double[] bm = meanThenSoftmax(crops, CropPrediction::getBmLogits);
        double[] m = meanThenSoftmax(crops, CropPrediction::getMLogits);
        assertThat(d.getVersion()).isEqualTo(1);
        assertThat(d.getChanges()).isNull();
        assertThat(d.getStatus()).isEqualTo(DiagnosisStatus.COMPLETE);
        assertThat(d.getPhasesUsed()).containsExactly(Phase.AP, Phase.PVP);
        assertThat(d.getSeriesInstanceUids()).containsExactly(ap.getSeriesInstanceUid(), pvp.getSeriesInstanceUid());
        assertThat(d.getMalignancy()).isEqualTo("malignant");
        assertThat(d.getMalignancyProbability()).isCloseTo(bm[1], within(1e-9));
        assertThat(d.getSubtype()).isEqualTo("HCC");
        assertThat(d.getSubtypeProbability()).isCloseTo(m[0], within(1e-9));
        assertThat(d.getBm().getProbabilities().get(1)).isCloseTo(bm[1], within(1e-9));
        assertThat(d.getPhases()).extracting(p -> p.getCropCount()).containsExactly(3, 2);
        assertThat(d.getLesions()).hasSize(2);
        assertThat(d.getLesions().get(0).getFirstSliceIndex()).isEqualTo(20);
        assertThat(d.getLesions().get(0).getLastSliceIndex()).isEqualTo(22);
        assertThat(d.getLesions().get(0).getSizeMm()).isCloseTo(40 * 0.75, within(1e-6));
        assertThat(d.getModels()).extracting(ModelRef::getRole).containsExactly("detector", "bm", "m", "b");
        assertThat(d.getTimingsMillis()).containsKeys("detect.inference", "classify.inference", "aggregate.lastPredictionToDiagnosis",
                "total.lastInstanceToDiagnosis");
        assertThat(d.getTimingsMillis().get("detect.inference")).isEqualTo(6 * 100L);
    }

    private void assertHealthAndMetrics(ServiceProcess aggregator, int diagnosesHere) throws Exception {
        HttpResponse<String> health = aggregator.get("/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"kafka-streams\":{\"status\":\"UP\",\"detail\":\"Kafka Streams RUNNING\"}")
                .contains("0 open cases");
        String metrics = scrape();
        assertThat(metric(metrics, "lilnet_aggregator_diagnoses_total", "status=\"COMPLETE\"")).isEqualTo(diagnosesHere);
        assertThat(metric(metrics, "lilnet_aggregator_diagnoses_total", "status=\"FAILED\"")).isZero();
        assertThat(metric(metrics, "lilnet_aggregator_open_cases", "")).isZero();
        assertThat(metric(metrics, "lilnet_aggregator_cases", "stage=\"diagnosed\"")).isEqualTo(1);
        assertThat(metric(metrics, "lilnet_aggregator_prediction_to_diagnosis_seconds_count", "status=\"COMPLETE\"")).isEqualTo(diagnosesHere);
        assertThat(aggregator.isAlive()).isTrue();
    }

    // ---- the aggregator process --------------------------------------------------------------------------------------

    /** Starts the aggregator (again, with the same configuration and state directory) and waits until Kafka Streams runs. */
    private ServiceProcess startAggregator() throws Exception {
        aggregator = aggregator == null
                ? ServiceProcess.start("aggregator", "org.lilnet.aggregator.AggregatorMain", settings, work, "256m")
                : aggregator.restart();
        aggregator.awaitHealth(h -> h.body().contains("Kafka Streams RUNNING"), "running", Duration.ofSeconds(120));
        System.out.println("[it] aggregator running (pid " + aggregator.process().pid() + ")");
        return aggregator;
    }

    private String lastMetrics = "";

    private String scrape() {
        return aggregator.metricsText();
    }

    private void awaitMetric(String name, String label, double atLeast, ServiceProcess process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            lastMetrics = scrape();
            if (metric(lastMetrics, name, label) >= atLeast) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + "{" + label + "} did not reach " + atLeast + ":\n" + process.logTail(40));
    }

    private static double metric(String scrape, String name, String label) {
        return ServiceProcess.metric(scrape, name, label);
    }

    // ---- reading the diagnoses ---------------------------------------------------------------------------------------

    /** Waits for {@code versions} diagnoses of the case (read_committed), then one more commit interval for any extra. */
    private List<Diagnosis> awaitDiagnoses(String caseId, int versions) throws Exception {
        try (Serde<Diagnosis> serde = EventSerdes.valueSerde(Topics.DIAGNOSES, registry)) {
            List<Diagnosis> found = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            Long quietUntil = null;
            try (KafkaConsumer<String, byte[]> consumer = consumer("read_committed")) {
                while (System.nanoTime() < deadline && (quietUntil == null || System.nanoTime() < quietUntil)) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (caseId.equals(r.key())) {
                            found.add(serde.deserializer().deserialize(r.topic(), r.value()));
                        }
                    }
                    if (quietUntil == null && found.size() >= versions) {
                        quietUntil = System.nanoTime() + COMMIT_INTERVAL.plusSeconds(1).toNanos();
                    }
                }
            }
            assertThat(found).as("diagnoses of case " + caseId).extracting(Diagnosis::getVersion)
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, versions).boxed().toList());
            return found;
        }
    }

    private long countRaw(String caseId, String isolation) {
        long count = 0;
        try (KafkaConsumer<String, byte[]> consumer = consumer(isolation)) {
            int empty = 0;
            while (empty < 5) {
                var records = consumer.poll(Duration.ofMillis(300));
                empty = records.isEmpty() ? empty + 1 : 0;
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (caseId.equals(r.key())) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    private KafkaConsumer<String, byte[]> consumer(String isolation) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                EventSerdes.keySerde().deserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.DIAGNOSES.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    // ---- the events ingest and the classifier would write ------------------------------------------------------------

    private static final Instant LAST_INSTANCE_AT = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);

    private static SeriesInfo series(String uid, Phase phase, int slices, int chunks) {
        return SeriesInfo.newBuilder().setSeriesInstanceUid(uid).setSeriesNumber(phase == Phase.AP ? 3 : 4)
                .setDescription(phase == Phase.AP ? "ART" : "PV").setPhase(phase).setPhaseEvidence("description")
                .setSliceCount(slices).setChunkCount(chunks).setRows(512).setColumns(512)
                .setPixelSpacingRowMm(0.75).setPixelSpacingColumnMm(0.75).build();
    }

    private static StudyArrived study(String caseId, int revision, SeriesInfo... series) {
        return StudyArrived.newBuilder().setCaseId(caseId).setCaseRevision(revision).setPatientId("P-IT").setStudyInstanceUid(caseId)
                .setAccessionNumber("ACC-IT").setSeries(List.of(series)).setSkippedSeries(List.of())
                .setExpectedChunks(java.util.Arrays.stream(series).mapToInt(SeriesInfo::getChunkCount).sum())
                .setFirstInstanceAt(LAST_INSTANCE_AT.minusSeconds(10)).setLastInstanceAt(LAST_INSTANCE_AT)
                .setOpenedAt(LAST_INSTANCE_AT.plusSeconds(30)).build();
    }

    private static CropPrediction crop(String seriesUid, int slice, float size, List<Float> bm, List<Float> m, List<Float> b) {
        return CropPrediction.newBuilder().setSopInstanceUid(seriesUid + "." + slice).setSliceIndex(slice).setSlicePositionMm(slice * 1.25)
                .setBox(Box.newBuilder().setX1(200).setY1(200).setX2(200 + size).setY2(200 + size).build()).setDetectionScore(0.8f)
                .setBmLogits(bm).setMLogits(m).setBLogits(b).build();
    }

    /** All chunks of a revision; revision 2's portal venous crops look benign (haemangioma) and outweigh the arterial ones. */
    private static List<ChunkPredictions> chunks(String caseId, int revision, SeriesInfo ap, SeriesInfo pvp, boolean benignPvp) {
        List<ChunkPredictions> out = new ArrayList<>();
        for (SeriesInfo s : List.of(ap, pvp)) {
            for (int i = 0; i < s.getChunkCount(); i++) {
                List<CropPrediction> crops = new ArrayList<>();
                if (i == 1 && s == ap) {
                    crops.add(crop(s.getSeriesInstanceUid(), 20, 30, List.of(-0.5f, 1.5f), List.of(2f, 0.5f, -1f), List.of(1f, 0f, 0f)));
                    crops.add(crop(s.getSeriesInstanceUid(), 21, 40, List.of(-0.2f, 2.1f), List.of(1.8f, 0.2f, -0.5f), List.of(0.5f, 0.5f, 0f)));
                    crops.add(crop(s.getSeriesInstanceUid(), 22, 35, List.of(0.1f, 1.2f), List.of(2.4f, 0.1f, 0f), List.of(0f, 1f, 0f)));
                }
                if (i == 1 && s == pvp) {
                    List<Float> bm = benignPvp ? List.of(4f, -2f) : List.of(0.3f, 1.1f);
                    List<Float> bLogits = benignPvp ? List.of(0f, 3f, 0.5f) : List.of(0.5f, 0.2f, 0f);
                    int slices = benignPvp ? 5 : 2;
                    for (int k = 0; k < slices; k++) {
                        crops.add(crop(s.getSeriesInstanceUid(), 21 + k, 28, bm, List.of(1.5f, 1f, 0f), bLogits));
                    }
                }
                out.add(ChunkPredictions.newBuilder().setTaskId(caseId + "/" + revision + "/" + s.getSeriesInstanceUid() + "/" + i)
                        .setCaseId(caseId).setCaseRevision(revision).setStudyInstanceUid(caseId).setSeriesInstanceUid(s.getSeriesInstanceUid())
                        .setPhase(s.getPhase()).setChunkIndex(i).setChunkCount(s.getChunkCount()).setStatus(ChunkStatus.OK)
                        .setSliceCount(16).setWindow(WindowSetting.newBuilder().setLevel(40).setWidth(400).build())
                        .setModels(List.of(model("detector"), model("bm"), model("m"), model("b")))
                        .setCrops(crops).setLastInstanceAt(LAST_INSTANCE_AT)
                        .setTimingsMillis(Map.of("detect.inference", 100L, "classify.inference", 40L)).build());
            }
        }
        return out;
    }

    private static ModelRef model(String role) {
        return ModelRef.newBuilder().setRole(role).setName("lilnet-" + role).setVersion("1.0.0").setSha256("0".repeat(64)).build();
    }

    private static double[] meanThenSoftmax(List<CropPrediction> crops, Function<CropPrediction, List<Float>> logits) {
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
}
