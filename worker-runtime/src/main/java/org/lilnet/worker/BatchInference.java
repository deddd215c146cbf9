package org.lilnet.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one batch of units from several tasks. When the model fails on the batch, each task's units are run alone, so
 * that one bad task fails (MODEL_ERROR) and the others still get their results.
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

    private BatchInference() {
    }

    /** Returns false when the batch as a whole failed (and was retried task by task). */
    static <T, U, R> boolean run(TaskQueue<T, U, R> queue, TaskQueue.Batch<T, U, R> batch, Inferer<U, R> inferer, Observer observer) {
        long start = System.nanoTime();
        try {
            List<R> results = inferer.infer(batch.units());
            long nanos = System.nanoTime() - start;
            queue.applyResults(batch, results, nanos);
            observer.batch(batch.size(), nanos);
            return true;
        } catch (Exception | LinkageError e) {
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
                long t0 = System.nanoTime();
                try {
                    List<R> results = inferer.infer(own.units());
                    long nanos = System.nanoTime() - t0;
                    queue.applyResults(own, results, nanos);
                    observer.batch(own.size(), nanos);
                } catch (Exception | LinkageError again) {
                    queue.fail(owner, new TaskFailure("MODEL_ERROR", "inference failed: " + again, again));
                }
            });
            return false;
        }
    }
}
