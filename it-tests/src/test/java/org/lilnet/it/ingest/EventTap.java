package org.lilnet.it.ingest;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.DeadLetter;
import org.lilnet.events.DetectTask;
import org.lilnet.events.StudyArrived;
import org.lilnet.stack.LocalStack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What ingest writes, as a read_committed consumer sees it (as the detector and the aggregator will), from the end of
 * the topics at the moment the tap is opened.
 */
final class EventTap implements AutoCloseable {

    record Keyed<V>(String key, V value) {
    }

    final List<Keyed<StudyArrived>> studies = new CopyOnWriteArrayList<>();
    final List<Keyed<DetectTask>> tasks = new CopyOnWriteArrayList<>();
    final List<Keyed<DeadLetter>> deadLetters = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<StudyArrived> studyDeserializer;
    private final Deserializer<DetectTask> taskDeserializer;
    private final Deserializer<DeadLetter> letterDeserializer;
    private final Thread poller;
    private volatile boolean running = true;

    EventTap(LocalStack stack) {
        RegistryAccess registry = RegistryAccess.of(stack.registryUrl());
        studyDeserializer = EventSerdes.valueSerde(Topics.STUDIES, registry).deserializer();
        taskDeserializer = EventSerdes.valueSerde(Topics.DETECT_TASKS, registry).deserializer();
        letterDeserializer = EventSerdes.valueSerde(Topics.DEAD_LETTERS, registry).deserializer();
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.STUDIES.name(), Topics.DETECT_TASKS.name(), Topics.DEAD_LETTERS.name())) {
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fix the start now, not at the first poll
        poller = new Thread(this::poll, "event-tap");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        while (running) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.topic().equals(Topics.STUDIES.name())) {
                    studies.add(new Keyed<>(r.key(), studyDeserializer.deserialize(r.topic(), r.value())));
                } else if (r.topic().equals(Topics.DETECT_TASKS.name())) {
                    tasks.add(new Keyed<>(r.key(), taskDeserializer.deserialize(r.topic(), r.value())));
                } else {
                    deadLetters.add(new Keyed<>(r.key(), letterDeserializer.deserialize(r.topic(), r.value())));
                }
            }
        }
        consumer.close();
    }

    StudyArrived awaitStudy(String caseId, int revision, Duration timeout) throws InterruptedException {
        return await(() -> studies.stream().map(Keyed::value)
                .filter(s -> s.getCaseId().equals(caseId) && s.getCaseRevision() == revision).findFirst().orElse(null), timeout,
                "StudyArrived " + caseId + " revision " + revision);
    }

    List<Keyed<DetectTask>> tasksOf(String caseId, int revision) {
        return tasks.stream().filter(t -> t.value().getCaseId().equals(caseId) && t.value().getCaseRevision() == revision).toList();
    }

    List<DeadLetter> lettersWhere(Predicate<DeadLetter> p) {
        return deadLetters.stream().map(Keyed::value).filter(p).toList();
    }

    static <T> T await(Supplier<T> probe, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " did not arrive within " + timeout.toSeconds() + " s");
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.join(5000);
    }
}
