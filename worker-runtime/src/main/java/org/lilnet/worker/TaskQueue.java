package org.lilnet.worker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * The tasks a worker holds, in the order they were consumed, and the batching across them: units of several tasks go
 * into one inference batch, and tasks leave the queue only as a prefix of completed tasks, so that the offsets
 * committed with their results never skip an unfinished task. Plain logic, no Kafka; the loop thread owns it.
 */
final class TaskQueue<T, U, R> {

    /** One consumed task and how far it got. */
    static final class Entry<T, U, R> {
        final TaskContext context;
        final T task;
        final long receivedNanos;
        /** The units the stage expects from the task ({@link BatchStage#expectedUnits}), at least 1. */
        final int expectedUnits;
        Future<List<U>> preparing;
        long prepareStartNanos;
        long preparedNanos;
        long prepareNanos;
        List<U> units;
        List<R> results;
        int batched;
        int done;
        double inferenceNanos;
        TaskFailure failure;

        Entry(TaskContext context, T task, TaskFailure failure, long receivedNanos, int expectedUnits) {
            this.context = context;
            this.task = task;
            this.failure = failure;
            this.receivedNanos = receivedNanos;
            this.expectedUnits = Math.max(1, expectedUnits);
        }

        boolean waiting() {
            return preparing == null && units == null && failure == null;
        }

        boolean prepared() {
            return units != null;
        }

        boolean complete() {
            return failure != null || (units != null && done == units.size());
        }

        int unbatched() {
            return units == null || failure != null ? 0 : units.size() - batched;
        }

        TaskTimings timings(long nowNanos) {
            return new TaskTimings(prepareNanos / 1_000_000, Math.round(inferenceNanos / 1_000_000), (nowNanos - receivedNanos) / 1_000_000);
        }
    }

    /** Units taken for one inference, with the task each came from. */
    record Batch<T, U, R>(List<Entry<T, U, R>> owners, List<Integer> unitIndexes, List<U> units) {
        int size() {
            return units.size();
        }
    }

    /** Prepares a task on a preparation thread. */
    interface Preparer<T, U> {
        List<U> prepare(T task, TaskContext context) throws TaskFailure;
    }

    private final Deque<Entry<T, U, R>> entries = new ArrayDeque<>();
    private final LongSupplier clock;
    /** The size of each share while units too few for a full batch are handed out ({@link #nextShare}); 0 otherwise. */
    private int partialShare;

    TaskQueue(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    /** A task the stage expects {@code expectedUnits} units from (counted as at least 1). */
    void add(TaskContext context, T task, int expectedUnits) {
        entries.addLast(new Entry<>(context, task, null, clock.getAsLong(), expectedUnits));
    }

    /** A record that is not a task at all (undecodable): it completes at once as a failure. */
    void addUndecodable(TaskContext context, TaskFailure failure) {
        entries.addLast(new Entry<>(context, null, failure, clock.getAsLong(), 1));
    }

    int size() {
        return entries.size();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Collects finished preparations (units or failure). */
    void harvest() {
        for (Entry<T, U, R> e : entries) {
            if (e.preparing != null && e.preparing.isDone()) {
                try {
                    List<U> units = e.preparing.get();
                    e.units = List.copyOf(units);
                    e.results = new ArrayList<>(Collections.nCopies(units.size(), null));
                } catch (ExecutionException ex) {
                    e.failure = ex.getCause() instanceof TaskFailure f ? f
                            : new TaskFailure("PREPARE_ERROR", String.valueOf(ex.getCause()), ex.getCause());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (CancellationException ex) {
                    e.failure = new TaskFailure("PREPARE_ERROR", "preparation cancelled");
                }
                e.preparing = null;
                e.preparedNanos = clock.getAsLong();
                e.prepareNanos = e.preparedNanos - e.prepareStartNanos;
            }
        }
    }

    int preparing() {
        int n = 0;
        for (Entry<T, U, R> e : entries) {
            n += e.preparing != null ? 1 : 0;
        }
        return n;
    }

    /** Units prepared and not yet in a batch. */
    int readyUnits() {
        int n = 0;
        for (Entry<T, U, R> e : entries) {
            n += e.unbatched();
        }
        return n;
    }

    /** Tasks neither preparing nor prepared yet. */
    int waiting() {
        int n = 0;
        for (Entry<T, U, R> e : entries) {
            n += e.waiting() ? 1 : 0;
        }
        return n;
    }

    /** The units expected from the waiting tasks (each at least 1). */
    int waitingUnits() {
        int n = 0;
        for (Entry<T, U, R> e : entries) {
            n += e.waiting() ? e.expectedUnits : 0;
        }
        return n;
    }

    /**
     * Starts preparing waiting tasks, oldest first, while fewer than {@code maxPreparing} are being prepared and fewer
     * than {@code maxReadyUnits} units wait for inference (bounds memory: a prepared slice holds its pixels).
     */
    void startPreparations(ExecutorService executor, Preparer<T, U> preparer, int maxPreparing, int maxReadyUnits) {
        int preparing = preparing();
        int ready = readyUnits();
        for (Entry<T, U, R> e : entries) {
            if (preparing >= maxPreparing || ready >= maxReadyUnits) {
                return;
            }
            if (e.waiting()) {
                e.prepareStartNanos = clock.getAsLong();
                Entry<T, U, R> entry = e;
                e.preparing = executor.submit(() -> preparer.prepare(entry.task, entry.context));
                preparing++;
            }
        }
    }

    /** Since when the oldest ready unit waits for a batch (nanos), or -1 when none waits. */
    long oldestReadySince() {
        long oldest = -1;
        for (Entry<T, U, R> e : entries) {
            if (e.unbatched() > 0 && (oldest < 0 || e.preparedNanos < oldest)) {
                oldest = e.preparedNanos;
            }
        }
        return oldest;
    }

    /**
     * Each stream's share of {@code ready} units that are all there is to run: an equal share, at most a full batch, so
     * that the other cores do not idle while one stream runs the remainder alone (the tail of a backlog, a lone chunk).
     */
    static int shareSize(int ready, int maxBatch, int streams) {
        return Math.max(1, Math.min(maxBatch, (ready + streams - 1) / streams));
    }

    /**
     * The next batch for one of {@code streams} inference streams: a full batch while there are enough ready units, or
     * while more tasks are being read. Fewer, or the last units in hand when they would not fill a batch per stream (the
     * tail of a backlog), are shared out ({@link #shareSize}) in shares fixed when the first of them is taken, so that
     * streams freeing one after the other each get a share, not ever smaller remainders, and no stream runs the tail
     * alone while the others idle.
     */
    Batch<T, U, R> nextShare(int maxBatch, int streams) {
        int ready = readyUnits();
        boolean moreInHand = waiting() > 0 || preparing() > 0;
        int size;
        if (ready >= (long) streams * maxBatch || (moreInHand && ready >= maxBatch)) {
            size = maxBatch;
            partialShare = 0;
        } else {
            if (partialShare == 0) {
                partialShare = shareSize(ready, maxBatch, streams);
            }
            size = Math.min(ready, partialShare);
        }
        Batch<T, U, R> batch = nextBatch(size);
        if (readyUnits() == 0) {
            partialShare = 0;
        }
        return batch;
    }

    /** Takes up to {@code max} ready units, oldest task first. */
    Batch<T, U, R> nextBatch(int max) {
        List<Entry<T, U, R>> owners = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        List<U> units = new ArrayList<>();
        for (Entry<T, U, R> e : entries) {
            while (units.size() < max && e.unbatched() > 0) {
                indexes.add(e.batched);
                units.add(e.units.get(e.batched++));
                owners.add(e);
            }
            if (units.size() == max) {
                break;
            }
        }
        return new Batch<>(owners, indexes, units);
    }

    /** Records the results of a batch and the inference time it cost each task. */
    void applyResults(Batch<T, U, R> batch, List<R> results, long batchNanos) {
        if (results.size() != batch.size()) {
            throw new IllegalStateException("inference returned " + results.size() + " results for " + batch.size() + " units");
        }
        for (int i = 0; i < batch.size(); i++) {
            Entry<T, U, R> e = batch.owners().get(i);
            e.results.set(batch.unitIndexes().get(i), results.get(i));
            e.done++;
            e.inferenceNanos += (double) batchNanos / batch.size();
        }
    }

    /** Marks a task of a batch as failed (its units are dropped). */
    void fail(Entry<T, U, R> entry, TaskFailure failure) {
        if (entry.failure == null) {
            entry.failure = failure;
        }
    }

    /** Whether the oldest task is complete (there is something to commit). */
    boolean completedPrefix() {
        return !entries.isEmpty() && entries.peekFirst().complete();
    }

    /** Removes and returns the longest prefix of completed tasks. */
    List<Entry<T, U, R>> takeCompletedPrefix() {
        List<Entry<T, U, R>> out = new ArrayList<>();
        while (!entries.isEmpty() && entries.peekFirst().complete()) {
            out.add(entries.pollFirst());
        }
        return out;
    }

    /** Drops the tasks of partitions this worker no longer owns (their offsets were not committed: the new owner redoes them). */
    int drop(Collection<org.apache.kafka.common.TopicPartition> partitions) {
        int dropped = 0;
        for (Iterator<Entry<T, U, R>> it = entries.iterator(); it.hasNext(); ) {
            Entry<T, U, R> e = it.next();
            if (partitions.contains(new org.apache.kafka.common.TopicPartition(e.context.topic(), e.context.partition()))) {
                if (e.preparing != null) {
                    e.preparing.cancel(true);
                }
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    /** Drops everything (after an aborted transaction the consumer rewinds to the committed offsets). */
    int clear() {
        int n = entries.size();
        entries.forEach(e -> {
            if (e.preparing != null) {
                e.preparing.cancel(true);
            }
        });
        entries.clear();
        return n;
    }
}
