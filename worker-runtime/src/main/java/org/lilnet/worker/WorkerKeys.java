package org.lilnet.worker;

import org.lilnet.common.config.Config;
import org.lilnet.common.config.ConfigKey;

import java.time.Duration;
import java.util.List;

/** The configuration keys of a batching worker; each service declares them with its own defaults. */
public record WorkerKeys(ConfigKey<String> consumerGroup, ConfigKey<Integer> maxBatch, ConfigKey<Duration> maxWait,
                         ConfigKey<Integer> prepareThreads, ConfigKey<Duration> shutdownGrace,
                         ConfigKey<Duration> commitInterval, ConfigKey<String> outputCompression, ConfigKey<Integer> inferenceStreams) {

    /** The producer's compression types, as Kafka names them (compression.type). */
    public static final List<String> COMPRESSION_TYPES = java.util.Arrays.stream(org.apache.kafka.common.record.CompressionType.values())
            .map(type -> type.name).toList();

    /**
     * @param outputCompression the compression of the records the worker writes, by default: what its records are worth
     *                          compressing for (see the key's description)
     */
    public static WorkerKeys withDefaults(String group, int maxBatch, Duration maxWait, int prepareThreads, String outputCompression) {
        return new WorkerKeys(
                ConfigKey.string("consumer.group", "Kafka consumer group of this worker; instances of one group share the input "
                        + "partitions (add instances to scale out, up to the partition count).").withDefault(group)
                        .validatedBy(ConfigKey.nonBlank(), "not blank"),
                ConfigKey.integer("batch.max.size", "Most inference units (slices or crops) in one model run; units of several tasks "
                        + "are batched together.").withDefault(maxBatch).validatedBy(ConfigKey.between(1, 1024), "between 1 and 1024"),
                ConfigKey.duration("batch.max.wait", "How long a unit ready for inference may wait for a fuller batch.")
                        .withDefault(maxWait).validatedBy(d -> !d.isNegative() && d.toMillis() <= 60_000, "between 0 and 60s"),
                ConfigKey.integer("worker.prepare.threads", "Threads that read and decode the next tasks while the model runs; 0 reads "
                        + "them on the inference thread between batches (best when the model already uses every core).")
                        .withDefault(prepareThreads).validatedBy(ConfigKey.between(0, 64), "between 0 and 64"),
                ConfigKey.duration("shutdown.grace", "On SIGTERM: how long to finish the tasks in hand (and commit them) before handing "
                        + "the rest back to the group uncommitted.").withDefault(Duration.ofSeconds(20))
                        .validatedBy(ConfigKey.positive(), "positive"),
                ConfigKey.duration("worker.commit.interval", "While more tasks are in hand, finished tasks are committed (results, dead "
                        + "letters and offsets in one Kafka transaction) at most this often; an idle worker commits at once. Longer: fewer "
                        + "transactions under a backlog (less broker and client work per unit), results visible up to this much later.")
                        .withDefault(Duration.ofMillis(100)).validatedBy(d -> !d.isNegative() && d.toMillis() <= 10_000, "between 0 and 10s"),
                ConfigKey.string("worker.output.compression", "Compression of the records this worker writes (the producer's "
                        + "compression.type; kafka.compression.type, when set, wins). The detector-worker's records are mostly 8-bit crop "
                        + "pixels, which lz4 shrinks by about a sixth for about 50 us of the worker's CPU per crop: none by default there. "
                        + "The classifier-worker's are small: lz4.").withDefault(outputCompression)
                        .validatedBy(COMPRESSION_TYPES::contains, "one of " + String.join(", ", COMPRESSION_TYPES)),
                ConfigKey.integer("worker.inference.streams", "Batches run at the same time, each on a thread of its own through the "
                        + "same model sessions; 0: as many as the cores when the models run on the CPU, 1 on a GPU. On a CPU, a batch per "
                        + "core keeps every core busy instead of splitting each batch's operators across the cores, where a core waits "
                        + "for the others at the end of each operator and for any core the broker or the worker's Kafka threads took for "
                        + "a moment (docs/operations.md, \"Inference streams\"); each stream holds its own model activations. 1: one batch "
                        + "at a time over inference.intra.op.threads.").withDefault(0).validatedBy(ConfigKey.between(0, 64), "between 0 and 64"));
    }

    public List<ConfigKey<?>> all() {
        return List.of(consumerGroup, maxBatch, maxWait, prepareThreads, shutdownGrace, commitInterval, outputCompression, inferenceStreams);
    }

    public WorkerSettings settings(Config config, String instanceId) {
        return new WorkerSettings(config.get(consumerGroup), config.get(maxBatch), config.get(maxWait), config.get(prepareThreads),
                config.get(shutdownGrace), config.get(commitInterval), config.get(outputCompression), config.get(inferenceStreams), instanceId);
    }
}
