package org.lilnet.worker;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BatchInferenceTest {

    private final TaskQueue<String, String, String> queue = new TaskQueue<>(System::nanoTime);
    private final List<Integer> batches = new ArrayList<>();

    /** A model that cannot take the unit "bad". */
    private static List<String> model(List<String> units) {
        if (units.contains("bad")) {
            throw new IllegalStateException("ORT: invalid input");
        }
        return units.stream().map(u -> "r" + u).toList();
    }

    private void add(String task, String... units) {
        queue.add(new TaskContext("in", 0, queue.size(), task, Instant.EPOCH, Instant.EPOCH), task, 1);
        queue.startPreparations(new TaskQueueTest.InlineExecutor(), (t, c) -> t.equals(task) ? List.of(units) : List.of(), 100, 100);
        queue.harvest();
    }

    /** Runs a batch and records it, as the loop thread does with one stream; true when the batch ran whole. */
    private boolean run(TaskQueue.Batch<String, String, String> batch) {
        BatchInference.Outcome<String, String, String> outcome = BatchInference.compute(batch, BatchInferenceTest::model);
        outcome.applyTo(queue, (n, nanos) -> batches.add(n));
        return !outcome.retriedTaskByTask();
    }

    @Test
    void aBatchThatFailsIsRetriedTaskByTaskAndOnlyTheBadTaskFails() {
        add("A", "a0", "a1");
        add("B", "bad", "b1");
        add("C", "c0");

        boolean whole = run(queue.nextBatch(8));

        assertThat(whole).isFalse();
        assertThat(batches).as("A and C ran alone").containsExactly(2, 1);
        List<TaskQueue.Entry<String, String, String>> done = queue.takeCompletedPrefix();
        assertThat(done).extracting(e -> e.task).containsExactly("A", "B", "C");
        assertThat(done.get(0).results).containsExactly("ra0", "ra1");
        assertThat(done.get(1).failure.reason()).isEqualTo("MODEL_ERROR: inference failed: java.lang.IllegalStateException: ORT: invalid input");
        assertThat(done.get(2).results).containsExactly("rc0");
    }

    @Test
    void aGoodBatchRunsOnce() {
        add("A", "a0");
        add("C", "c0", "c1");

        assertThat(run(queue.nextBatch(8))).isTrue();
        assertThat(batches).containsExactly(3);
    }

    @Test
    void batchesRunAtTheSameTimeAreRecordedInWhicheverOrderTheyFinish() {
        add("A", "a0", "a1", "a2");
        add("B", "b0");
        TaskQueue.Batch<String, String, String> first = queue.nextBatch(2);    // a0 a1
        TaskQueue.Batch<String, String, String> second = queue.nextBatch(2);   // a2 b0, taken while the first still runs

        BatchInference.Outcome<String, String, String> secondDone = BatchInference.compute(second, BatchInferenceTest::model);
        BatchInference.Outcome<String, String, String> firstDone = BatchInference.compute(first, BatchInferenceTest::model);
        assertThat(queue.completedPrefix()).as("computing touches no task").isFalse();

        secondDone.applyTo(queue, (n, nanos) -> batches.add(n));
        assertThat(queue.completedPrefix()).as("A still waits for its first two units").isFalse();
        firstDone.applyTo(queue, (n, nanos) -> batches.add(n));

        List<TaskQueue.Entry<String, String, String>> done = queue.takeCompletedPrefix();
        assertThat(done).extracting(e -> e.task).containsExactly("A", "B");
        assertThat(done.get(0).results).containsExactly("ra0", "ra1", "ra2");
        assertThat(done.get(1).results).containsExactly("rb0");
        assertThat(batches).containsExactly(2, 2);
    }
}
