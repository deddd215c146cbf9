package org.lilnet.it.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.kafka.SchemaRegistration;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.Box;
import org.lilnet.events.ClassProbabilities;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;
import org.lilnet.events.Lesion;
import org.lilnet.events.ModelRef;
import org.lilnet.events.Phase;
import org.lilnet.events.PhaseSummary;
import org.lilnet.events.WindowSetting;
import org.lilnet.it.support.ItPaths;
import org.lilnet.it.support.ItStack;
import org.lilnet.it.support.NodeClients;
import org.lilnet.stack.LocalStack;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * An integration engine built on Confluent's tooling reads and writes our topics: Confluent's own Node client
 * ({@code @confluentinc/schemaregistry} + kafkajs) against the registry's Confluent-compatible API decodes what our
 * Java producer wrote, and our Java consumer decodes what Confluent's serializer wrote.
 */
class ConfluentInteropIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalStack stack = ItStack.get();
    private final RegistryAccess registry = RegistryAccess.of(stack.registryUrl());

    @Test
    void confluentsNodeClientReadsADiagnosisWrittenByOurJavaProducer() throws Exception {
        Diagnosis diagnosis = sampleDiagnosis("java-to-node-" + UUID.randomUUID());
        byte[] wire;
        try (var serde = EventSerdes.valueSerde(Topics.DIAGNOSES, registry)) {
            wire = serde.serializer().serialize(Topics.DIAGNOSES.name(), diagnosis);
        }
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                EventSerdes.keySerde().serializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DIAGNOSES.name(), diagnosis.getCaseId(), wire)).get();
        }

        NodeClients.Result result = NodeClients.run("consume.mjs", List.of("--bootstrap", stack.bootstrapServers(),
                "--registry", registry.confluentCompatibleUrl(), "--topic", Topics.DIAGNOSES.name(), "--key", diagnosis.getCaseId(),
                "--timeout-ms", "60000"), 90);

        assertThat(result.exitCode()).as("node consume.mjs: " + result.stderr()).isZero();
        JsonNode read = JSON.readTree(result.stdout());
        assertThat(read.get("magic").asInt()).isZero();
        assertThat(read.get("schemaId").asInt()).isEqualTo(ByteBuffer.wrap(wire, 1, 4).getInt());
        JsonNode value = read.get("value");
        System.out.println("[it] Confluent's client decoded: " + value);
        assertThat(value.get("caseId").asText()).isEqualTo(diagnosis.getCaseId());
        assertThat(value.get("version").asInt()).isEqualTo(2);
        assertThat(text(value.get("changes"))).isEqualTo("portal venous phase arrived");
        assertThat(value.get("status").asText()).isEqualTo("COMPLETE");
        assertThat(text(value.get("malignancy"))).isEqualTo("malignant");
        assertThat(value.get("malignancyProbability").asDouble()).isCloseTo(0.93, within(1e-12));
        assertThat(text(value.get("subtype"))).isEqualTo("HCC");
        JsonNode bm = value.get("bm");
        assertThat(bm.get("labels").get(1).asText()).isEqualTo("malignant");
        assertThat(bm.get("probabilities").get(1).asDouble()).isCloseTo(0.93, within(1e-12));
        JsonNode lesion = value.get("lesions").get(0);
        assertThat(lesion.get("sizeMm").asDouble()).isCloseTo(31.5, within(1e-9));
        assertThat(lesion.get("largestBox").get("x2").asDouble()).isCloseTo(245.5, within(1e-4));
        assertThat(value.get("models").get(0).get("sha256").asText()).isEqualTo("a".repeat(64));
        assertThat(value.get("timingsMillis").get("detect.inference").asLong()).isEqualTo(420);
        assertThat(value.get("phasesUsed").get(1).asText()).isEqualTo("PVP");
        assertThat(value.get("producedAt").asLong()).isEqualTo(diagnosis.getProducedAt().toEpochMilli());
    }

    @Test
    void ourJavaConsumerReadsADiagnosisWrittenByConfluentsNodeSerializer() throws Exception {
        String caseId = "node-to-java-" + UUID.randomUUID();
        // Confluent's serializer writes with the subject's latest schema: the one our services registered
        SchemaRegistration.ensureRegistered(registry, Topics.DIAGNOSES);
        Path valueFile = ItPaths.work().resolve(caseId + ".json");
        Files.writeString(valueFile, """
                {"caseId": "%s", "version": 1, "changes": null, "patientId": "P-77", "studyInstanceUid": "1.2.3.4",
                 "accessionNumber": null, "seriesInstanceUids": ["1.2.3.4.5"], "status": "NO_LESION",
                 "statusReason": "no lesion found on 96 slices", "phasesUsed": ["AP", "PVP"],
                 "malignancy": null, "malignancyProbability": null, "subtype": null, "subtypeProbability": null,
                 "bm": null, "m": null, "b": null,
                 "phases": [{"phase": "AP", "seriesInstanceUid": "1.2.3.4.5", "sliceCount": 48, "chunksExpected": 3,
                             "chunksReceived": 3, "chunksFailed": 0, "cropCount": 0}],
                 "lesions": [], "models": [{"role": "detector", "name": "phantom-detector", "version": "1", "sha256": "%s"}],
                 "window": {"level": 40.0, "width": 400.0},
                 "refusedInstances": 1, "notes": ["1 instance refused: truncated pixel data"],
                 "timingsMillis": {"aggregate": 12}, "lastInstanceAt": null, "producedAt": 1790000000000}
                """.formatted(caseId, "b".repeat(64)));

        NodeClients.Result result = NodeClients.run("produce.mjs", List.of("--bootstrap", stack.bootstrapServers(),
                "--registry", registry.confluentCompatibleUrl(), "--topic", Topics.DIAGNOSES.name(), "--key", caseId,
                "--value-file", valueFile.toString()), 90);
        assertThat(result.exitCode()).as("node produce.mjs: " + result.stderr()).isZero();
        JsonNode sent = JSON.readTree(result.stdout());

        Diagnosis read = readBack(sent.get("partition").asInt(), sent.get("offset").asLong());

        assertThat(read.getCaseId()).isEqualTo(caseId);
        assertThat(read.getStatus()).isEqualTo(DiagnosisStatus.NO_LESION);
        assertThat(read.getPatientId()).isEqualTo("P-77");
        assertThat(read.getStatusReason()).isEqualTo("no lesion found on 96 slices");
        assertThat(read.getPhasesUsed()).containsExactly(Phase.AP, Phase.PVP);
        assertThat(read.getBm()).isNull();
        assertThat(read.getWindow().getWidth()).isEqualTo(400.0);
        assertThat(read.getRefusedInstances()).isEqualTo(1);
        assertThat(read.getNotes()).containsExactly("1 instance refused: truncated pixel data");
        assertThat(read.getModels().get(0).getSha256()).isEqualTo("b".repeat(64));
        assertThat(read.getTimingsMillis()).containsEntry("aggregate", 12L);
        assertThat(read.getProducedAt()).isEqualTo(Instant.ofEpochMilli(1790000000000L));
    }

    private Diagnosis readBack(int partition, long offset) {
        TopicPartition tp = new TopicPartition(Topics.DIAGNOSES.name(), partition);
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), EventSerdes.keySerde().deserializer(),
                EventSerdes.valueSerde(Topics.DIAGNOSES, registry).deserializer())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() == offset) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("record at " + tp + "@" + offset + " not read back within 30 s");
    }

    static Diagnosis sampleDiagnosis(String caseId) {
        ClassProbabilities bm = ClassProbabilities.newBuilder().setLabels(List.of("benign", "malignant"))
                .setProbabilities(List.of(0.07, 0.93)).setMeanLogits(List.of(-1.2, 1.39)).build();
        ClassProbabilities m = ClassProbabilities.newBuilder().setLabels(List.of("HCC", "ICC", "MET"))
                .setProbabilities(List.of(0.8, 0.15, 0.05)).setMeanLogits(List.of(2.0, 0.3, -0.8)).build();
        Lesion lesion = Lesion.newBuilder().setLesionId(1).setPhase(Phase.AP).setSeriesInstanceUid("1.2.3.4.5")
                .setFirstSliceIndex(10).setLastSliceIndex(16).setFirstSlicePositionMm(-120.0).setLastSlicePositionMm(-90.0)
                .setLargestBox(Box.newBuilder().setX1(200f).setY1(180f).setX2(245.5f).setY2(221f).build())
                .setLargestBoxSliceIndex(13).setLargestBoxSopInstanceUid("1.2.3.4.5.13").setWidthMm(31.5).setHeightMm(28.7)
                .setSizeMm(31.5).setCropCount(7).setMaxDetectionScore(0.91f).setBm(bm).setM(m).build();
        return Diagnosis.newBuilder()
                .setCaseId(caseId).setVersion(2).setChanges("portal venous phase arrived").setPatientId("P-1")
                .setStudyInstanceUid("1.2.3.4").setAccessionNumber("A-1").setSeriesInstanceUids(List.of("1.2.3.4.5", "1.2.3.4.6"))
                .setStatus(DiagnosisStatus.COMPLETE).setPhasesUsed(List.of(Phase.AP, Phase.PVP))
                .setMalignancy("malignant").setMalignancyProbability(0.93).setSubtype("HCC").setSubtypeProbability(0.8)
                .setBm(bm).setM(m)
                .setPhases(List.of(PhaseSummary.newBuilder().setPhase(Phase.AP).setSeriesInstanceUid("1.2.3.4.5").setSliceCount(48)
                        .setChunksExpected(3).setChunksReceived(3).setChunksFailed(0).setCropCount(7).build()))
                .setLesions(List.of(lesion))
                .setModels(List.of(ModelRef.newBuilder().setRole("detector").setName("phantom-detector").setVersion("1")
                        .setSha256("a".repeat(64)).build()))
                .setWindow(WindowSetting.newBuilder().setLevel(40).setWidth(400).build())
                .setTimingsMillis(Map.of("detect.inference", 420L, "classify.inference", 610L))
                .setLastInstanceAt(Instant.now().minusSeconds(35).truncatedTo(ChronoUnit.MILLIS))
                .setProducedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .build();
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
