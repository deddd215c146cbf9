package org.lilnet.it.workers;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.lilnet.common.blob.FileBlobStore;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.detector.SyntheticCt;
import org.lilnet.events.ChunkPredictions;
import org.lilnet.events.ChunkStatus;
import org.lilnet.events.DeadLetter;
import org.lilnet.events.DetectTask;
import org.lilnet.events.Phase;
import org.lilnet.events.SliceDetections;
import org.lilnet.events.SliceRef;
import org.lilnet.inference.TestModels;
import org.lilnet.it.support.ItPaths;
import org.lilnet.it.support.ItStack;
import org.lilnet.stack.LocalStack;
import org.lilnet.stack.ServiceProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Done-when 1 of the workers: two detector-workers and two classifier-workers (real processes, one consumer group per
 * worker kind) share the load; one of each is killed with SIGKILL while tasks are in flight, and downstream every
 * task's ChunkPredictions is there exactly once (counted with a read_committed consumer), as is its SliceDetections.
 * A task whose slice is missing from the blob store ends as a FAILED chunk plus one dead letter.
 */
class WorkersScaleOutIT {

    private static final int TASKS = 160;
    private static final int FAILING_TASK = 7;
    private static final Duration START = Duration.ofSeconds(120);

    private final LocalStack stack = ItStack.fresh();
    private final RegistryAccess registry = RegistryAccess.of(stack.registryUrl());

    @Test
    void twoInstancesOfEachWorkerShareTheLoadAndACrashLosesAndDuplicatesNothing() throws Exception {
        Path work = ItPaths.newWorkDirectory("workers-");
        Path manifest = TestModels.copyTo(work.resolve("models"));
        FileBlobStore blobs = new FileBlobStore(work.resolve("blobs"));
        String run = "2.25." + (UUID.randomUUID().getMostSignificantBits() & Long.MAX_VALUE);
        List<DetectTask> tasks = writeStudies(blobs, run);

        Map<String, String> config = new HashMap<>(Map.of(
                "kafka.bootstrap.servers", stack.bootstrapServers(),
                "registry.url", stack.registryUrl(),
                "blob.store.dir", blobs.root().toString(),
                "models.manifest", manifest.toString(),
                "inference.intra.op.threads", "1",
                // a crashed instance is noticed within seconds, its open transaction aborted soon after
                "kafka.session.timeout.ms", "6000",
                "kafka.heartbeat.interval.ms", "1500",
                "kafka.transaction.timeout.ms", "10000"));
        Map<String, String> detectorConfig = new HashMap<>(config);
        detectorConfig.put("consumer.group", "it-detector-" + run);
        detectorConfig.put("batch.max.size", "4");
        Map<String, String> classifierConfig = new HashMap<>(config);
        classifierConfig.put("consumer.group", "it-classifier-" + run);

        List<ServiceProcess> workers = new ArrayList<>();
        try {
            for (int i = 1; i <= 2; i++) {
                // the second instances, which survive and finish everything, run two batches at a time (worker.inference.streams)
                Map<String, String> streams = Map.of("worker.inference.streams", String.valueOf(i));
                workers.add(startWorker("detector-" + i, "org.lilnet.detector.DetectorMain", work, merged(detectorConfig, streams)));
                workers.add(startWorker("classifier-" + i, "org.lilnet.classifier.ClassifierMain", work, merged(classifierConfig, streams)));
            }
            for (ServiceProcess w : workers) {
                awaitStarted(w, START);
            }
            ServiceProcess detector1 = workers.get(0);
            ServiceProcess classifier1 = workers.get(1);
            ServiceProcess detector2 = workers.get(2);
            ServiceProcess classifier2 = workers.get(3);
            awaitBalanced(List.of(detector1, detector2), Duration.ofSeconds(60));
            awaitBalanced(List.of(classifier1, classifier2), Duration.ofSeconds(60));

            produce(tasks);

            // crash one instance of each kind while the detectors are still busy
            try (KafkaConsumer<String, SliceDetections> detections = reader(Topics.DETECTIONS)) {
                java.util.Set<String> seen = new java.util.HashSet<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (seen.size() < TASKS / 4 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, SliceDetections> r : detections.poll(Duration.ofMillis(50))) {
                        if (r.value().getTaskId().startsWith(run)) {
                            seen.add(r.value().getTaskId());
                        }
                    }
                }
                assertThat(seen.size()).as("detections before the crash").isGreaterThanOrEqualTo(TASKS / 4).isLessThan(TASKS);
            }
            double detector1Tasks = detector1.metric("lilnet_worker_tasks_total", "");
            java.util.regex.Matcher inHand = java.util.regex.Pattern.compile("(\\d+) task\\(s\\) in hand").matcher(detector1.get("/health").body());
            int detector1InHand = inHand.find() ? Integer.parseInt(inHand.group(1)) : -1;
            detector1.kill();
            classifier1.kill();
            System.out.printf("[it] killed %s with %d task(s) in hand (it had emitted %.0f) and %s%n", detector1, detector1InHand, detector1Tasks, classifier1);
            assertThat(detector1Tasks).as("detector-1 took part before the crash").isPositive();
            assertThat(detector1InHand).as("detector-1 was killed mid-task").isPositive();

            // the survivors take over the crashed instances' partitions and finish everything
            Map<String, ChunkPredictions> byTask = new HashMap<>();
            try (KafkaConsumer<String, ChunkPredictions> predictions = reader(Topics.PREDICTIONS)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
                while (byTask.keySet().stream().filter(t -> t.startsWith(run)).count() < TASKS && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, ChunkPredictions> r : predictions.poll(Duration.ofMillis(200))) {
                        byTask.put(r.value().getTaskId(), r.value());
                    }
                }
            }
            assertThat(byTask.keySet().stream().filter(t -> t.startsWith(run)).count()).as("tasks with a result after the crash").isEqualTo(TASKS);
            assertThat(detector2.metric("lilnet_worker_tasks_total", "")).as("detector-2 worked").isPositive();
            assertThat(classifier2.metric("lilnet_worker_tasks_total", "")).as("classifier-2 worked").isPositive();
            assertThat(classifier1.process().isAlive()).isFalse();

            // graceful stop of the survivors: nothing more can be written after this
            for (ServiceProcess w : List.of(detector2, classifier2)) {
                long t0 = System.nanoTime();
                int exit = w.stop(Duration.ofSeconds(40));
                System.out.printf("[it] %s stopped on SIGTERM in %.1f s, exit code %d%n", w.name(), (System.nanoTime() - t0) / 1e9, exit);
                assertThat(exit).as(w.name() + " ran its shutdown hook and exited on SIGTERM (137 would be a forced kill)").isEqualTo(143);
            }

            Map<String, Long> predictionCount = countAll(Topics.PREDICTIONS, v -> v.getTaskId(), run);
            Map<String, Long> detectionCount = countAll(Topics.DETECTIONS, v -> v.getTaskId(), run);
            List<DeadLetter> letters = readAll(Topics.DEAD_LETTERS).stream()
                    .filter(l -> l.getCaseId() != null && l.getCaseId().startsWith(run)).toList();

            for (DetectTask task : tasks) {
                assertThat(predictionCount.get(task.getTaskId())).as("ChunkPredictions of " + task.getTaskId()).isEqualTo(1L);
                assertThat(detectionCount.get(task.getTaskId())).as("SliceDetections of " + task.getTaskId()).isEqualTo(1L);
            }
            assertThat(predictionCount).hasSize(TASKS);
            for (int i = 0; i < TASKS; i++) {
                ChunkPredictions p = byTask.get(tasks.get(i).getTaskId());
                assertThat(p.getSliceCount()).isEqualTo(i == FAILING_TASK ? 0 : 4);
                if (i == FAILING_TASK) {
                    assertThat(p.getStatus()).isEqualTo(ChunkStatus.FAILED);
                    assertThat(p.getFailureReason()).startsWith("SLICE_MISSING: slice 3");
                } else {
                    assertThat(p.getStatus()).as(p.getTaskId()).isEqualTo(ChunkStatus.OK);
                    assertThat(p.getCrops()).as("crops of " + p.getTaskId()).hasSize(i % 2 == 0 ? 1 : 0);
                    assertThat(p.getModels()).extracting(m -> m.getRole()).containsExactly("detector", "bm", "m", "b");
                    assertThat(p.getTimingsMillis()).containsKeys("detect.queue", "detect.read", "detect.inference", "detect.total",
                            "classify.queue", "classify.inference", "classify.total");
                }
            }
            ChunkPredictions lesion = byTask.get(tasks.get(0).getTaskId());
            assertThat(lesion.getCrops().get(0).getSliceIndex()).isEqualTo(2);
            assertThat(lesion.getCrops().get(0).getBmLogits()).hasSize(2);
            assertThat(letters).as("one dead letter, for the failing task").singleElement().satisfies(l -> {
                assertThat(l.getReasonCode()).isEqualTo("SLICE_MISSING");
                assertThat(l.getStage()).isEqualTo("detector");
                assertThat(l.getCaseId()).isEqualTo(tasks.get(FAILING_TASK).getCaseId());
                assertThat(l.getSourceTopic()).isEqualTo(Topics.DETECT_TASKS.name());
            });
            System.out.printf("[it] %d tasks, each with exactly one SliceDetections and one ChunkPredictions after a SIGKILL of one instance of each worker%n", TASKS);
        } finally {
            workers.forEach(ServiceProcess::close);
        }
    }

    private static Map<String, String> merged(Map<String, String> config, Map<String, String> more) {
        Map<String, String> out = new HashMap<>(config);
        out.putAll(more);
        return out;
    }

    /** Eight slices of one series in the blob store; task i uses four of them (a lesion on slice 2 when i is even). */
    private static List<DetectTask> writeStudies(FileBlobStore blobs, String run) throws Exception {
        String study = run + ".1";
        String series = study + ".1";
        List<SliceRef> files = new ArrayList<>();
        for (int f = 0; f < 8; f++) {
            String sop = series + "." + f;
            String key = "dicom/" + study + "/" + series + "/" + sop + ".dcm";
            SyntheticCt.Square[] lesion = f == 2 ? new SyntheticCt.Square[] {new SyntheticCt.Square(200, 240, 8, 300)} : new SyntheticCt.Square[0];
            blobs.put(key, SyntheticCt.slice(study, series, sop, f * 5.0, lesion));
            files.add(SliceRef.newBuilder().setSopInstanceUid(sop).setBlobKey(key).setSliceIndex(f).setSlicePositionMm(f * 5.0).build());
        }
        List<DetectTask> tasks = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < TASKS; i++) {
            String caseId = run + ".2." + i;
            String taskSeries = caseId + ".1";
            List<SliceRef> slices = new ArrayList<>();
            int[] pick = i % 2 == 0 ? new int[] {0, 1, 2, 3} : new int[] {4, 5, 6, 7};
            for (int k = 0; k < 4; k++) {
                SliceRef f = files.get(pick[k]);
                slices.add(SliceRef.newBuilder(f).setSliceIndex(k).build());
            }
            if (i == FAILING_TASK) {
                slices.set(3, SliceRef.newBuilder(slices.get(3)).setBlobKey("dicom/" + study + "/missing.dcm").build());
            }
            tasks.add(DetectTask.newBuilder().setTaskId(caseId + "/0/" + taskSeries + "/0").setCaseId(caseId).setCaseRevision(0)
                    .setStudyInstanceUid(caseId).setSeriesInstanceUid(taskSeries).setPhase(i % 2 == 0 ? Phase.AP : Phase.PVP)
                    .setChunkIndex(0).setChunkCount(1).setSlices(slices).setPixelSpacingRowMm(0.7).setPixelSpacingColumnMm(0.7)
                    .setLastInstanceAt(now).setEnqueuedAt(now).build());
        }
        return tasks;
    }

    private void produce(List<DetectTask> tasks) throws Exception {
        try (Serde<DetectTask> serde = EventSerdes.valueSerde(Topics.DETECT_TASKS, registry);
             KafkaProducer<String, DetectTask> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), serde.serializer())) {
            for (DetectTask t : tasks) {
                producer.send(new ProducerRecord<>(Topics.DETECT_TASKS.name(), t.getSeriesInstanceUid() + "/" + t.getChunkIndex(), t));
            }
            producer.flush();
        }
    }

    /** Both instances hold partitions of the group's input. */
    private static void awaitBalanced(List<ServiceProcess> instances, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (ServiceProcess w : instances) {
                String body = w.get("/health").body();
                all &= body.matches("(?s).*\"worker\":\\{\"status\":\"UP\",\"detail\":\"([1-9]\\d*) partition.*");
            }
            if (all) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the instances did not share the partitions: " + instances.get(0).get("/health").body() + " / "
                + instances.get(1).get("/health").body());
    }

    /** A worker process with its own ops port and ONNX Runtime temp directory. */
    private static ServiceProcess startWorker(String name, String mainClass, Path work, Map<String, String> config) throws Exception {
        Map<String, String> settings = new HashMap<>(config);
        settings.put("temp.dir", work.resolve("tmp").resolve(name).toString());
        return ServiceProcess.start(name, mainClass, settings, work, "384m");
    }

    /** Waits until the worker says it started (models loaded, group joined) and /health answers UP. */
    private static void awaitStarted(ServiceProcess worker, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!worker.isAlive()) {
                throw new IllegalStateException(worker.name() + " exited at start-up:\n" + worker.logTail(40));
            }
            if (worker.logText().contains(" started") && worker.get("/health").statusCode() == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(worker.name() + " did not start within " + timeout.toSeconds() + " s:\n" + worker.logTail(40));
    }

    private <V extends SpecificRecord> KafkaConsumer<String, V> reader(Topic<V> topic) {
        Serde<V> serde = EventSerdes.valueSerde(topic, registry);
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), serde.deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** Every committed record of a topic, up to its end. */
    private <V extends SpecificRecord> List<V> readAll(Topic<V> topic) {
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = reader(topic)) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    private <V extends SpecificRecord> Map<String, Long> countAll(Topic<V> topic, Function<V, String> taskId, String run) {
        return readAll(topic).stream().map(taskId).filter(t -> t.startsWith(run)).collect(Collectors.groupingBy(t -> t, Collectors.counting()));
    }

}
