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
        queue.add(new TaskContext("in", 0, queue.size(), task, Instant.EPOCH, Instant.EPOCH), task);
        queue.startPreparations(new TaskQueueTest.InlineExecutor(), (t, c) -> t.equals(task) ? List.of(units) : List.of(), 100, 100);
        queue.harvest();
    }

    @Test
    void aBatchThatFailsIsRetriedTaskByTaskAndOnlyTheBadTaskFails() {
        add("A", "a0", "a1");
        add("B", "bad", "b1");
        add("C", "c0");

        boolean whole = BatchInference.run(queue, queue.nextBatch(8), BatchInferenceTest::model, (n, nanos) -> batches.add(n));

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

        assertThat(BatchInference.run(queue, queue.nextBatch(8), BatchInferenceTest::model, (n, nanos) -> batches.add(n))).isTrue();
        assertThat(batches).containsExactly(3);
    }
}
