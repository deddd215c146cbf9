package org.lilnet.worker;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.lilnet.common.config.CommonKeys;
import org.lilnet.common.config.Config;
import org.lilnet.common.kafka.Dependencies;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.kafka.KafkaSettings;
import org.lilnet.common.kafka.RegistryAccess;
import org.lilnet.common.ops.Health;
import org.lilnet.common.topics.Topic;
import org.lilnet.common.topics.Topics;
import org.lilnet.events.DeadLetter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consume-batch-infer-produce loop of a worker, exactly once: a read_committed consumer in a group, a
 * transactional producer, and each round's results, dead letters and consumed offsets committed in one transaction.
 * Tasks are prepared on a few threads while the loop thread runs inference on batches that mix units of several
 * tasks ({@code batch.max.size}, {@code batch.max.wait}); results leave in consumption order, committed by an emitter
 * thread one transaction at a time while the loop thread runs the next batch. Under a backlog the finished tasks of
 * several batches share one transaction ({@link CommitPacing}, {@code worker.commit.interval}). With
 * {@code worker.inference.streams} above 1, up to that many batches run at once, each on an inference thread of its own;
 * the loop thread hands them out and records their outcomes (it alone touches the task queue).
 *
 * <p>A task that cannot be processed is emitted as the stage's FAILED result plus a dead letter. A record that is not
 * even a task (undecodable) becomes a dead letter. On a rebalance the tasks of revoked partitions are handed back
 * (dropped uncommitted); an aborted transaction rewinds to the committed offsets. On {@link #close()} the worker stops
 * consuming, finishes the tasks in hand within {@code shutdown.grace}, commits them and hands back the rest.
 */
public final class TransactionalWorker<T extends SpecificRecord, U, R> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalWorker.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    private static final Duration BUSY_POLL = Duration.ofMillis(5);
    /** The consumer's fetch.max.bytes unless {@code kafka.fetch.max.bytes} says otherwise: about 40 inline crops. */
    static final int FETCH_MAX_BYTES = 2 * 1024 * 1024;

    private final Topic<T> input;
    private final BatchStage<T, U, R> stage;
    private final WorkerSettings settings;
    private final Config config;
    private final RegistryAccess registry;
    private final WorkerMetrics metrics;
    private final TaskQueue<T, U, R> queue = new TaskQueue<>(System::nanoTime);
    private final Map<String, Serializer<SpecificRecord>> serializers = new HashMap<>();
    private final Thread thread;
    private final ExecutorService preparers;
    private final AtomicInteger assigned = new AtomicInteger();
    /** Commits run here, one transaction at a time, while the loop thread goes on with the next batch. */
    private final ExecutorService emitter;
    private final java.util.concurrent.atomic.AtomicReference<Throwable> emitFailure = new java.util.concurrent.atomic.AtomicReference<>();
    private java.util.concurrent.Future<?> lastEmit = java.util.concurrent.CompletableFuture.completedFuture(null);
    private long lastEmitNanos = System.nanoTime();
    private final CommitPacing pacing;
    /** Inference threads when batches run side by side (worker.inference.streams > 1); null: batches run on the loop thread. */
    private final ExecutorService streams;
    /** Batches the streams have finished, for the loop thread to record. */
    private final java.util.concurrent.BlockingQueue<StreamOutcome<T, U, R>> finished = new java.util.concurrent.LinkedBlockingQueue<>();
    /** Batches handed to the streams and not yet recorded (loop thread only). */
    private int inFlight;

    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private Deserializer<T> deserializer;
    private volatile boolean stopping;
    private volatile long lastLoopNanos = System.nanoTime();
    private volatile Throwable died;

    public TransactionalWorker(Topic<T> input, BatchStage<T, U, R> stage, WorkerSettings settings, Config config, RegistryAccess registry,
                               WorkerMetrics metrics, Health health) {
        if (settings.inferenceStreams() < 1) {
            throw new IllegalArgumentException("worker.inference.streams 0 (automatic) must be settled before the worker starts");
        }
        this.input = input;
        this.stage = stage;
        this.settings = settings;
        this.config = config;
        this.registry = registry;
        this.metrics = metrics;
        this.pacing = new CommitPacing(settings.commitInterval());
        AtomicInteger n = new AtomicInteger();
        // 0 preparation threads: tasks are read on the loop thread, between batches (no contention with the model on few cores)
        this.preparers = settings.prepareThreads() == 0 ? new InlineExecutor() : Executors.newFixedThreadPool(settings.prepareThreads(), r -> {
            Thread t = new Thread(r, stage.stageName() + "-prepare-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger s = new AtomicInteger();
        this.streams = settings.inferenceStreams() == 1 ? null : Executors.newFixedThreadPool(settings.inferenceStreams(), r -> {
            Thread t = new Thread(r, stage.stageName() + "-infer-" + s.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.emitter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, stage.stageName() + "-emit");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::run, stage.stageName() + "-loop");
        health.register("worker", this::health);
    }

    /** Waits for the broker and the registry, registers the schemas, joins the group and starts the loop. */
    @SuppressWarnings("unchecked")
    public void start() {
        Duration wait = config.get(CommonKeys.STARTUP_WAIT);
        Dependencies.awaitKafka(KafkaSettings.admin(config, settings.transactionalId() + "-admin"), wait);
        Dependencies.awaitRegistry(registry, wait);
        Serde<T> inputSerde = EventSerdes.valueSerde(input, registry);
        deserializer = inputSerde.deserializer();
        for (Topic<?> topic : outputTopics()) {
            serializers.put(topic.name(), (Serializer<SpecificRecord>) EventSerdes.valueSerde(topic, registry).serializer());
        }

        Map<String, Object> consumerSettings = KafkaSettings.consumer(config, settings.transactionalId(), settings.consumerGroup());
        consumerSettings.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        consumerSettings.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(10, 2 * settings.maxBatch()));
        // what the consumer fetches ahead is held until it is polled: at Kafka's 50 MB default, tasks with inline crops
        // (50 KB each) from many partitions outlived the young generation and were promoted
        consumerSettings.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_MAX_BYTES);
        consumer = new KafkaConsumer<>(consumerSettings, new StringDeserializer(), new ByteArrayDeserializer());
        producer = new KafkaProducer<>(KafkaSettings.transactionalProducer(config, settings.transactionalId(), settings.transactionalId(),
                settings.outputCompression()),
                new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        consumer.subscribe(List.of(input.name()), new Rebalance());
        thread.start();
        LOG.info("{} consuming {} in group {} (batch.max.size {}, batch.max.wait {} ms, inference streams {}, transactional id {})",
                stage.stageName(), input, settings.consumerGroup(), settings.maxBatch(), settings.maxWait().toMillis(), settings.inferenceStreams(),
                settings.transactionalId());
    }

    private List<Topic<?>> outputTopics() {
        List<Topic<?>> topics = new ArrayList<>(stage.outputTopics());
        if (!topics.contains(Topics.DEAD_LETTERS)) {
            topics.add(Topics.DEAD_LETTERS);
        }
        return topics;
    }

    private Health.Check health() {
        Throwable failure = died;
        if (failure != null) {
            return Health.Check.down("the worker loop stopped: " + failure);
        }
        long silentMillis = (System.nanoTime() - lastLoopNanos) / 1_000_000;
        if (thread.isAlive() && silentMillis > 120_000) {
            return Health.Check.down("the worker loop has not turned for " + silentMillis / 1000 + " s");
        }
        return Health.Check.up(assigned.get() + " partition(s) of " + input + " assigned, " + queue.size() + " task(s) in hand");
    }

    private void run() {
        try {
            loop();
        } catch (Throwable t) {
            if (!stopping) {
                died = t;
                LOG.error("{} worker loop failed; the process exits so that it is restarted: {}", stage.stageName(), t.toString(), t);
            }
        } finally {
            preparers.shutdownNow();
            stopStreams();
            emitter.shutdown();
            try {
                emitter.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(producer);
            closeQuietly(consumer);
            if (died != null && !stopping) {
                new Thread(() -> System.exit(1), "exit").start();
            }
        }
    }

    private void loop() throws InterruptedException {
        long drainDeadline = 0;
        boolean draining = false;
        long maxWaitNanos = settings.maxWait().toNanos();
        while (true) {
            lastLoopNanos = System.nanoTime();
            if (stopping && !draining) {
                draining = true;
                drainDeadline = System.nanoTime() + settings.shutdownGrace().toNanos();
                LOG.info("{} stopping: finishing {} task(s) in hand", stage.stageName(), queue.size());
            }
            checkEmitter();
            recordInferences(0);
            queue.harvest();
            if (streams != null) {
                // free streams first: preparing a task on this thread can take a millisecond
                while (handOut(draining, maxWaitNanos)) {
                    // one batch per free stream
                }
            }
            if (draining) {
                boolean onlyWaiting = queue.preparing() == 0 && queue.readyUnits() == 0 && inFlight == 0;
                if (queue.isEmpty() || onlyWaiting || System.nanoTime() > drainDeadline) {
                    break;
                }
            } else {
                queue.startPreparations(preparers, stage::prepare, maxPreparing(), readyTarget());
                queue.harvest();
            }

            boolean runBatch = handOut(draining, maxWaitNanos);
            emitCompleted(draining);

            if (draining) {
                if (!runBatch) {
                    recordInferences(BUSY_POLL.toNanos());
                }
                continue;
            }
            if (inFlight == settings.inferenceStreams() && !canPrepareMore() && batchDue(false, maxWaitNanos)) {
                // the next batch is due and every stream is busy: wait for a stream, not for records (nor spin on polls)
                recordInferences(IDLE_POLL.toNanos());
            }
            Duration timeout;
            if (queue.readyUnits() >= settings.maxBatch() || canPrepareMore()) {
                timeout = Duration.ZERO;
            } else if (queue.readyUnits() > 0) {
                timeout = Duration.ofNanos(Math.max(0, maxWaitNanos - (System.nanoTime() - queue.oldestReadySince())));
            } else if (queue.preparing() > 0 || queue.completedPrefix()) {
                timeout = BUSY_POLL;   // a preparation to harvest, or finished tasks waiting for the previous commit
            } else {
                timeout = IDLE_POLL;
            }
            if (inFlight > 0 && timeout.compareTo(BUSY_POLL) > 0) {
                timeout = BUSY_POLL;   // a stream's batch may finish meanwhile
            }
            poll(timeout);
        }
        awaitEmitter();
        emitCompleted(true);
        awaitEmitter();
        checkEmitter();
        int handedBack = queue.size();
        if (handedBack > 0) {
            LOG.info("{} stopped with {} task(s) not finished: handed back uncommitted to the group", stage.stageName(), handedBack);
        }
    }

    private void poll(Duration timeout) {
        // read ahead by units, not tasks: 32 waiting chunks of 8 inline crops held 13 MB, more than the young
        // generation's survivor space, and were promoted (young pauses of 6-25 ms a second, then full collections)
        boolean full = queue.waitingUnits() >= readyTarget() || queue.readyUnits() >= readyTarget();
        Set<TopicPartition> assignment = consumer.assignment();
        if (full) {
            consumer.pause(assignment);
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
        ConsumerRecords<String, byte[]> records;
        try {
            records = consumer.poll(timeout);
        } catch (WakeupException e) {
            return;
        }
        Instant now = Instant.now();
        for (ConsumerRecord<String, byte[]> record : records) {
            TaskContext context = new TaskContext(record.topic(), record.partition(), record.offset(), record.key(),
                    Instant.ofEpochMilli(record.timestamp()), now);
            metrics.queueWait(Duration.between(context.recordTimestamp(), now));
            try {
                T task = deserializer.deserialize(record.topic(), record.headers(), record.value());
                if (task == null) {
                    throw new IllegalArgumentException("empty record (tombstone)");
                }
                queue.add(context, task, stage.expectedUnits(task));
            } catch (RuntimeException e) {
                queue.addUndecodable(context, new TaskFailure("UNDECODABLE_RECORD",
                        "the record is not a readable " + input.valueType().getSimpleName() + ": " + e.getMessage(), e));
            }
        }
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            lag += consumer.currentLag(tp).orElse(0);
        }
        metrics.lag(lag);
    }

    /** Tasks read at once: one per preparation thread, or one on the loop thread. */
    private int maxPreparing() {
        return Math.max(1, settings.prepareThreads());
    }

    /** Whether a waiting task could start being read now ({@link TaskQueue#startPreparations} with the same bounds). */
    private boolean canPrepareMore() {
        return queue.waiting() > 0 && queue.readyUnits() < readyTarget() && queue.preparing() < maxPreparing();
    }

    /** Units to keep prepared: a batch for each stream and the next one (each prepared unit holds its pixels). */
    private int readyTarget() {
        return (settings.inferenceStreams() + 1) * settings.maxBatch();
    }

    /** Runs the next batch, or hands it to a free stream, when one is due. */
    private boolean handOut(boolean draining, long maxWaitNanos) {
        boolean due = inFlight < settings.inferenceStreams() && batchDue(draining, maxWaitNanos);
        if (due) {
            infer(queue.nextShare(settings.maxBatch(), settings.inferenceStreams()));
        }
        return due;
    }

    /** Whether the ready units make a batch now: a full one, or fewer that waited batch.max.wait (or the last before a stop). */
    private boolean batchDue(boolean draining, long maxWaitNanos) {
        int ready = queue.readyUnits();
        return ready >= settings.maxBatch() || (ready > 0 && (draining || System.nanoTime() - queue.oldestReadySince() >= maxWaitNanos));
    }

    /**
     * Runs one batch, on this thread or on a free inference stream; when it fails, each task's units are run alone so
     * that one bad task does not fail the others.
     */
    private void infer(TaskQueue.Batch<T, U, R> batch) {
        if (streams == null) {
            record(BatchInference.compute(batch, stage::infer), batch.size());
            return;
        }
        inFlight++;
        streams.execute(() -> {
            try {
                finished.add(new StreamOutcome<>(BatchInference.compute(batch, stage::infer), batch.size(), null));
            } catch (Throwable t) {
                finished.add(new StreamOutcome<>(null, batch.size(), t));
            }
        });
    }

    /** A batch a stream has finished: its outcome, or what broke the stream (an Error: the worker dies as it would inline). */
    private record StreamOutcome<T, U, R>(BatchInference.Outcome<T, U, R> outcome, int size, Throwable error) {
    }

    /** Records the batches the streams have finished, waiting up to {@code waitNanos} for the first when none has yet. */
    private void recordInferences(long waitNanos) throws InterruptedException {
        if (inFlight == 0) {
            if (waitNanos > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(waitNanos));
            }
            return;
        }
        StreamOutcome<T, U, R> next = waitNanos > 0 ? finished.poll(waitNanos, TimeUnit.NANOSECONDS) : finished.poll();
        while (next != null) {
            inFlight--;
            if (next.error() != null) {
                throw new IllegalStateException("an inference stream failed: " + next.error(), next.error());
            }
            record(next.outcome(), next.size());
            next = finished.poll();
        }
    }

    private void record(BatchInference.Outcome<T, U, R> outcome, int size) {
        outcome.applyTo(queue, metrics::batch);
        if (outcome.retriedTaskByTask()) {
            LOG.warn("{} inference failed on a batch of {} unit(s) from several tasks; retried task by task", stage.stageName(), size);
        }
    }

    /** Lets the running batches end (ONNX Runtime cannot be interrupted) so that no model runs once the worker is closed. */
    private void stopStreams() {
        if (streams == null) {
            return;
        }
        streams.shutdownNow();
        try {
            if (!streams.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("{} an inference stream is still running after 60 s", stage.stageName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Hands the completed prefix of tasks to the emitter thread: their results and dead letters and the consumed offsets
     * go out in one transaction, while this thread runs the next batch. Rounds commit in order; after a failed round the
     * following ones are skipped until the loop has rewound ({@link #checkEmitter}). Unless {@code now}, finished tasks
     * wait while the previous transaction is still being committed, or while more work is in hand and the last
     * transaction began less than {@code worker.commit.interval} ago: they then go out together.
     */
    private void emitCompleted(boolean now) {
        if (!now && !commitDue()) {
            return;
        }
        List<TaskQueue.Entry<T, U, R>> done = queue.takeCompletedPrefix();
        if (done.isEmpty()) {
            return;
        }
        long completed = System.nanoTime();
        lastEmitNanos = completed;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TaskQueue.Entry<T, U, R> e : done) {
            offsets.merge(new TopicPartition(e.context.topic(), e.context.partition()), new OffsetAndMetadata(e.context.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        var group = consumer.groupMetadata();
        lastEmit = emitter.submit(() -> commit(done, offsets, group, completed));
    }

    private boolean commitDue() {
        boolean moreInHand = queue.readyUnits() > 0 || queue.preparing() > 0 || queue.waiting() > 0;
        return pacing.due(lastEmit.isDone(), moreInHand, Duration.ofNanos(System.nanoTime() - lastEmitNanos));
    }

    /** One transaction (emitter thread). */
    private void commit(List<TaskQueue.Entry<T, U, R>> done, Map<TopicPartition, OffsetAndMetadata> offsets,
                        org.apache.kafka.clients.consumer.ConsumerGroupMetadata group, long completedNanos) {
        try {
            commitRound(done, offsets, group, completedNanos);
        } finally {
            for (TaskQueue.Entry<T, U, R> e : done) {
                if (e.units != null) {
                    stage.release(e.units);
                }
            }
        }
    }

    private void commitRound(List<TaskQueue.Entry<T, U, R>> done, Map<TopicPartition, OffsetAndMetadata> offsets,
                             org.apache.kafka.clients.consumer.ConsumerGroupMetadata group, long completedNanos) {
        if (emitFailure.get() != null) {
            return;   // an earlier round failed: these tasks are consumed again after the rewind
        }
        long start = System.nanoTime();
        try {
            producer.beginTransaction();
            int failed = 0;
            int letters = 0;
            for (TaskQueue.Entry<T, U, R> e : done) {
                for (Emit<?> emit : emits(e, completedNanos)) {
                    letters += emit.topic() == Topics.DEAD_LETTERS ? 1 : 0;
                    send(emit);
                }
                failed += e.failure == null ? 0 : 1;
            }
            producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
            metrics.commit(System.nanoTime() - start);
            for (TaskQueue.Entry<T, U, R> e : done) {
                metrics.task(e.failure == null);
            }
            for (int i = 0; i < letters; i++) {
                metrics.deadLetter();
            }
            if (failed > 0) {
                LOG.warn("{} emitted {} task(s), {} of them FAILED (see {})", stage.stageName(), done.size(), failed, Topics.DEAD_LETTERS);
            }
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException | FencedInstanceIdException e) {
            emitFailure.set(new FatalEmitFailure(e));
        } catch (KafkaException e) {
            LOG.warn("{} transaction aborted ({}): rewinding to the committed offsets", stage.stageName(), e.toString());
            try {
                producer.abortTransaction();
                emitFailure.set(e);
            } catch (KafkaException abortFailed) {
                emitFailure.set(new FatalEmitFailure(abortFailed));
            }
        } catch (RuntimeException e) {
            try {
                producer.abortTransaction();
                emitFailure.set(e);
            } catch (KafkaException abortFailed) {
                emitFailure.set(new FatalEmitFailure(abortFailed));
            }
        }
    }

    /** The producer cannot go on (fenced, unauthorised): the process must restart. */
    private static final class FatalEmitFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FatalEmitFailure(Throwable cause) {
            super(cause.toString(), cause);
        }
    }

    /** Waits until every round handed to the emitter is committed (or skipped). */
    private void awaitEmitter() {
        try {
            lastEmit.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            emitFailure.compareAndSet(null, e.getCause());
        }
    }

    /** After a failed round: rethrows a fatal failure, otherwise drops the tasks in hand and rewinds to the committed offsets. */
    private void checkEmitter() {
        if (emitFailure.get() == null) {
            return;
        }
        awaitEmitter();
        Throwable failure = emitFailure.get();
        if (failure instanceof FatalEmitFailure fatal) {
            throw fatal;
        }
        rewind();
        emitFailure.set(null);
        sleepQuietly(Duration.ofSeconds(1));
    }

    /** What a finished task emits: its result, or its FAILED result and a dead letter (or only a dead letter when undecodable). */
    private List<Emit<?>> emits(TaskQueue.Entry<T, U, R> e, long nowNanos) {
        TaskTimings timings = e.timings(nowNanos);
        if (e.task == null) {
            return List.of(Emit.of(Topics.DEAD_LETTERS, e.context.key(), deadLetter(e.context, stage.stageName(), e.failure, settings.instanceId(), null)));
        }
        if (e.failure == null) {
            try {
                return stage.complete(e.task, e.context, e.units, e.results, timings);
            } catch (TaskFailure f) {
                e.failure = f;
            } catch (RuntimeException unexpected) {
                e.failure = new TaskFailure("COMPLETION_ERROR", unexpected.toString(), unexpected);
            }
        }
        return stage.failed(e.task, e.context, e.failure, timings);
    }

    private void send(Emit<?> emit) {
        Serializer<SpecificRecord> serializer = serializers.get(emit.topic().name());
        if (serializer == null) {
            throw new IllegalStateException(stage.stageName() + " emitted to " + emit.topic() + ", which it does not declare");
        }
        byte[] value = serializer.serialize(emit.topic().name(), emit.value());
        producer.send(new ProducerRecord<>(emit.topic().name(), emit.key(), value));
    }

    /** After an abort: forget the tasks in hand and continue from the committed offsets. */
    private void rewind() {
        int dropped = queue.clear();
        Set<TopicPartition> assignment = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assignment);
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition tp : assignment) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset == null) {
                fromStart.add(tp);
            } else {
                consumer.seek(tp, offset);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
        LOG.info("{} rewound {} partition(s); {} task(s) will be consumed again", stage.stageName(), assignment.size(), dropped);
    }

    /** A dead letter for a task, saying where its record is. */
    public static DeadLetter deadLetter(TaskContext context, String stageName, TaskFailure failure, String instanceId, String caseId) {
        return org.lilnet.common.kafka.DeadLetters.letter(stageName, failure.reasonCode(), failure.detail(), instanceId)
                .setOriginalKey(context.key())
                .setSourceTopic(context.topic())
                .setSourcePartition(context.partition())
                .setSourceOffset(context.offset())
                .setCaseId(caseId)
                .build();
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            handBack(partitions, "revoked", true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            handBack(partitions, "lost", false);   // another member may own them already: commit nothing more
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.set(consumer.assignment().size());
            if (!partitions.isEmpty()) {
                LOG.info("{} assigned {} more partition(s), {} in all", stage.stageName(), partitions.size(), assigned.get());
            }
        }

        private void handBack(Collection<TopicPartition> partitions, String how, boolean commitFinished) {
            // what is already done for these partitions is committed before they go
            awaitEmitter();
            if (commitFinished) {
                emitCompleted(true);
                awaitEmitter();
            }
            int dropped = queue.drop(partitions);
            assigned.set(Math.max(0, consumer.assignment().size() - partitions.size()));
            if (!partitions.isEmpty()) {
                LOG.info("{} partitions {}: {}; {} task(s) in hand handed back uncommitted", stage.stageName(), how, partitions.size(), dropped);
            }
        }
    }

    /** Stops consuming, finishes the tasks in hand within the grace period, commits, leaves the group. */
    @Override
    public void close() {
        stopping = true;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            thread.join(settings.shutdownGrace().plusSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        preparers.shutdownNow();
        try {
            preparers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopStreams();   // the loop did, unless it outlived the join: the service closes the models next
    }

    /** Runs each task at once on the calling thread. */
    static final class InlineExecutor extends java.util.concurrent.AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing {}: {}", c, e.toString());
            }
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
