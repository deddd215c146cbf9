package org.lilnet.worker;

import java.time.Duration;

/**
 * How a worker consumes and batches.
 *
 * @param consumerGroup  Kafka consumer group: instances of one group share the input partitions
 * @param maxBatch       most units in one inference
 * @param maxWait        how long a ready unit may wait for a fuller batch
 * @param prepareThreads threads preparing (reading, decoding) tasks alongside inference; 0 = on the loop thread
 * @param shutdownGrace  how long a stopping worker may take to finish the tasks in hand before handing the rest back
 * @param commitInterval while more work is in hand, finished tasks are committed at most this often (one transaction
 *                       for all of them); an idle worker commits at once
 * @param outputCompression compression of the records written (Kafka's compression.type), unless kafka.compression.type says otherwise
 * @param inferenceStreams batches that may run at the same time, each on its own thread; 1 = on the loop thread, one at a
 *                         time; 0 = automatic, for the service to settle ({@link #withInferenceStreams}) before the worker starts
 * @param instanceId     this instance (transactional id, dead letters)
 */
public record WorkerSettings(String consumerGroup, int maxBatch, Duration maxWait, int prepareThreads, Duration shutdownGrace, Duration commitInterval,
                             String outputCompression, int inferenceStreams, String instanceId) {

    public WorkerSettings {
        if (maxBatch < 1 || prepareThreads < 0 || commitInterval.isNegative() || inferenceStreams < 0) {
            throw new IllegalArgumentException("maxBatch must be at least 1, prepareThreads, commitInterval and inferenceStreams at least 0");
        }
    }

    /** The same settings with the inference streams settled. */
    public WorkerSettings withInferenceStreams(int streams) {
        return new WorkerSettings(consumerGroup, maxBatch, maxWait, prepareThreads, shutdownGrace, commitInterval, outputCompression, streams,
                instanceId);
    }

    /** The transactional id of this instance's producer: stable across restarts, unique per instance. */
    public String transactionalId() {
        return consumerGroup + "-" + instanceId;
    }
}
