package org.lilnet.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one batch of units from several tasks. When the model fails on the batch, each task's units are run alone, so
 * that one bad task fails (MODEL_ERROR) and the others still get their results.
 *
 * <p>Running and recording are apart: {@link #compute} may run on an inference stream's thread, and its {@link Outcome}
 * is applied to the queue by the loop thread, the queue's only user.
 */
final class BatchInference {

    /** The model call. */
    interface Inferer<U, R> {
        List<R> infer(List<U> units) throws Exception;
    }

    /** Told about every successful model run: units and nanoseconds. */
    interface Observer {
        void batch(int size, long nanos);
    }

    /** A model run that gave its results: the units it ran, their results, how long it took. */
    private record Run<T, U, R>(TaskQueue.Batch<T, U, R> batch, List<R> results, long nanos) {
    }

    /** What a batch came to, not yet recorded in the queue. */
    static final class Outcome<T, U, R> {
        private final List<Run<T, U, R>> runs = new ArrayList<>();
        private final Map<TaskQueue.Entry<T, U, R>, TaskFailure> failed = new LinkedHashMap<>();
        private boolean retriedTaskByTask;

        /** Whether the batch as a whole failed and its tasks were run one by one. */
        boolean retriedTaskByTask() {
            return retriedTaskByTask;
        }

        /** Records the results and failures in the queue (the loop thread). */
        void applyTo(TaskQueue<T, U, R> queue, Observer observer) {
            for (Run<T, U, R> run : runs) {
                queue.applyResults(run.batch(), run.results(), run.nanos());
                observer.batch(run.batch().size(), run.nanos());
            }
            failed.forEach(queue::fail);
        }
    }

    private BatchInference() {
    }

    /** Runs a batch without touching the queue (any thread). */
    static <T, U, R> Outcome<T, U, R> compute(TaskQueue.Batch<T, U, R> batch, Inferer<U, R> inferer) {
        Outcome<T, U, R> outcome = new Outcome<>();
        try {
            outcome.runs.add(timed(batch, inferer));
            return outcome;
        } catch (Exception | LinkageError e) {
            outcome.retriedTaskByTask = true;
        }
        Map<TaskQueue.Entry<T, U, R>, TaskQueue.Batch<T, U, R>> perTask = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            TaskQueue.Entry<T, U, R> owner = batch.owners().get(i);
            TaskQueue.Batch<T, U, R> own = perTask.computeIfAbsent(owner,
                    o -> new TaskQueue.Batch<>(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
            own.owners().add(owner);
            own.unitIndexes().add(batch.unitIndexes().get(i));
            own.units().add(batch.units().get(i));
        }
        perTask.forEach((owner, own) -> {
            try {
                outcome.runs.add(timed(own, inferer));
            } catch (Exception | LinkageError again) {
                outcome.failed.put(owner, new TaskFailure("MODEL_ERROR", "inference failed: " + again, again));
            }
        });
        return outcome;
    }

    private static <T, U, R> Run<T, U, R> timed(TaskQueue.Batch<T, U, R> batch, Inferer<U, R> inferer) throws Exception {
        long start = System.nanoTime();
        List<R> results = inferer.infer(batch.units());
        long nanos = System.nanoTime() - start;
        if (results.size() != batch.size()) {
            throw new IllegalStateException("inference returned " + results.size() + " results for " + batch.size() + " units");
        }
        return new Run<>(batch, results, nanos);
    }
}
