package org.lilnet.worker;

import org.lilnet.common.topics.Topic;

import java.util.List;

/**
 * What a worker does with a task, in the three steps the loop calls. It knows nothing about Kafka: the loop consumes,
 * batches units of several tasks into one inference, and commits the emitted records with the consumed offsets.
 *
 * @param <T> the task (the consumed event)
 * @param <U> one inference unit (a slice, a crop)
 * @param <R> the result of one unit
 */
public interface BatchStage<T, U, R> {

    /** Name of the stage in dead letters ({@code detector}, {@code classifier}). */
    String stageName();

    /** What the units are, for metrics ({@code slices}, {@code crops}). */
    String unitName();

    /** Topics {@link #complete} and {@link #failed} write to. */
    List<Topic<?>> outputTopics();

    /**
     * How many units preparing the task will give (a chunk's slices, its crops), known from the task alone. The worker
     * reads ahead of the model by units, not tasks: a task of many units holds their bytes while it waits (inline crops,
     * 50 KB each). 1 when a stage cannot tell; a task counts as at least 1 either way.
     */
    default int expectedUnits(T task) {
        return 1;
    }

    /**
     * Reads and decodes what the task needs (blob store, DICOM); runs on a preparation thread, several tasks at once.
     * Returns the task's units (none is fine: it completes without inference).
     *
     * @throws TaskFailure when the task cannot be processed
     */
    List<U> prepare(T task, TaskContext context) throws TaskFailure;

    /**
     * Runs inference on units of one or more tasks; one result per unit, same order. Runs on the loop thread, or with
     * {@code worker.inference.streams} above 1 on several inference threads at once: keep per-call state per thread.
     */
    List<R> infer(List<U> units) throws Exception;

    /** The records of a task whose units all have their results. */
    List<Emit<?>> complete(T task, TaskContext context, List<U> units, List<R> results, TaskTimings timings) throws TaskFailure;

    /** The records of a task that failed: its chunk downstream as FAILED, and a dead letter with the same reason. */
    List<Emit<?>> failed(T task, TaskContext context, TaskFailure failure, TaskTimings timings);

    /**
     * The task's units are done with: its records are committed, or its transaction round failed or was skipped (the
     * task is then consumed and prepared again, into new units). Called once per prepared task, on the emitter thread,
     * after {@link #complete} or {@link #failed}; a stage can take back what its units hold (buffers for the next
     * units). Units of tasks dropped unfinished (a rebalance, a rewind) are left to the garbage collector instead.
     */
    default void release(List<U> units) {
    }
}
