package org.lilnet.phantom.eval;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.Diagnosis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads every diagnosis on the diagnoses topic, from the beginning to the end it has now (no consumer group). */
public final class DiagnosesTopic {

    private DiagnosesTopic() {
    }

    public static List<Diagnosis> readAll(String bootstrapServers, String registryUrl, Duration timeout) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "lilnet-eval");
        List<Diagnosis> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(settings, EventSerdes.keySerde().deserializer(),
                EventSerdes.valueSerde(Topics.DIAGNOSES, RegistryAccess.of(registryUrl)).deserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(Topics.DIAGNOSES.name(), timeout)) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.DIAGNOSES.name() + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, Diagnosis> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        out.add(r.value());
                    }
                }
            }
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
