package org.lilnet.launcher;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.Phase;
import org.lilnet.events.SeriesInfo;
import org.lilnet.events.StudyArrived;
import org.lilnet.stack.LocalStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code lilnet run}: the system on an embedded default. Today: a real broker and registry, one StudyArrived event
 * written with our serdes and read back, its Confluent wire format shown.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run LiLNet Stream on a local broker and registry (or an existing cluster) and show events flowing.")
public final class RunCommand implements Callable<Integer> {

    @Mixin
    StackCommandOptions stackOptions;

    @Option(names = "--keep-running", description = "Keep the stack running after the run (Ctrl-C stops it).")
    boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        System.out.println("starting a real Kafka broker and Apicurio Registry (" + stackOptions.describe() + ") ...");
        try (LocalStack stack = LocalStack.start(stackOptions.options())) {
            System.out.printf("stack ready in %.1f s: kafka %s, registry %s%n", (System.nanoTime() - start) / 1e9,
                    stack.bootstrapServers(), stack.registryUrl());
            RegistryAccess registry = RegistryAccess.of(stack.registryUrl());
            StudyArrived sample = sampleStudy();

            Map<String, Object> producerSettings = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all");
            long offset;
            int partition;
            try (var producer = new KafkaProducer<>(producerSettings, EventSerdes.keySerde().serializer(),
                    EventSerdes.valueSerde(Topics.STUDIES, registry).serializer())) {
                var metadata = producer.send(new ProducerRecord<>(Topics.STUDIES.name(), sample.getCaseId(), sample)).get();
                offset = metadata.offset();
                partition = metadata.partition();
            }
            System.out.printf("wrote StudyArrived for case %s to %s (partition %d, offset %d)%n", sample.getCaseId(),
                    Topics.STUDIES.name(), partition, offset);

            Map<String, Object> consumerSettings = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            TopicPartition tp = new TopicPartition(Topics.STUDIES.name(), partition);
            try (var consumer = new KafkaConsumer<>(consumerSettings, EventSerdes.keySerde().deserializer(), new ByteArrayDeserializer())) {
                consumer.assign(List.of(tp));
                consumer.seek(tp, offset);
                ConsumerRecord<String, byte[]> raw = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (raw == null && System.nanoTime() < deadline) {
                    for (var r : consumer.poll(Duration.ofMillis(500))) {
                        raw = r.offset() == offset ? r : raw;
                    }
                }
                if (raw == null) {
                    System.err.println("the event did not come back within 30 s");
                    return 1;
                }
                ByteBuffer wire = ByteBuffer.wrap(raw.value());
                System.out.printf("read it back: %d bytes, magic byte %d, schema id %d (subject %s), Avro binary after%n",
                        raw.value().length, wire.get(), wire.getInt(), Topics.STUDIES.valueSubject());
                StudyArrived decoded = EventSerdes.valueSerde(Topics.STUDIES, registry).deserializer().deserialize(raw.topic(), raw.value());
                System.out.println("decoded: case " + decoded.getCaseId() + ", " + decoded.getSeries().size() + " series, "
                        + decoded.getExpectedChunks() + " chunks expected" + (decoded.equals(sample) ? " (identical to what was sent)" : " (DIFFERS)"));
                if (!decoded.equals(sample)) {
                    return 1;
                }
            }
            if (keepRunning) {
                System.out.println("stack keeps running; Ctrl-C stops it");
                Thread.currentThread().join();
            }
            System.out.println("stopping the stack");
        }
        return 0;
    }

    private static StudyArrived sampleStudy() {
        Instant now = Instant.now();
        String study = "2.25." + UUID.randomUUID().toString().replace("-", "").chars().limit(24).map(c -> '0' + (c % 10))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
        SeriesInfo.Builder series = SeriesInfo.newBuilder().setSeriesNumber(3).setDescription("ART 1.25mm").setPhase(Phase.AP)
                .setPhaseEvidence("description 'ART 1.25mm'").setSliceCount(48).setChunkCount(3).setRows(512).setColumns(512)
                .setPixelSpacingRowMm(0.7).setPixelSpacingColumnMm(0.7).setSliceSpacingMm(5.0).setSliceThicknessMm(5.0);
        return StudyArrived.newBuilder()
                .setCaseId(study).setCaseRevision(1).setPatientId("SAMPLE-001").setStudyInstanceUid(study).setAccessionNumber("ACC-0001")
                .setSeries(List.of(series.setSeriesInstanceUid(study + ".3").build(),
                        series.setSeriesNumber(4).setDescription("PV 1.25mm").setPhase(Phase.PVP).setPhaseEvidence("description 'PV 1.25mm'")
                                .setSeriesInstanceUid(study + ".4").build()))
                .setSkippedSeries(List.of())
                .setExpectedChunks(6).setFirstInstanceAt(now.minusSeconds(40)).setLastInstanceAt(now.minusSeconds(31)).setOpenedAt(now)
                .build();
    }
}
