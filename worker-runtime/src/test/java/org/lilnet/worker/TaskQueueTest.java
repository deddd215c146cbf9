package org.lilnet.worker;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TaskQueueTest {

    /** Runs preparations at once, on the caller's thread. */
    static final class InlineExecutor extends AbstractExecutorService {
        @Override public void execute(Runnable command) { command.run(); }
        @Override public void shutdown() { }
        @Override public List<Runnable> shutdownNow() { return List.of(); }
        @Override public boolean isShutdown() { return false; }
        @Override public boolean isTerminated() { return false; }
        @Override public boolean awaitTermination(long timeout, TimeUnit unit) { return true; }
    }

    private long now = 0;
    private final TaskQueue<String, String, String> queue = new TaskQueue<>(() -> now);
    private final InlineExecutor inline = new InlineExecutor();

    /** Task "A3" has three units A0, A1, A2; "X" fails to prepare. */
    private static List<String> prepare(String task, TaskContext context) throws TaskFailure {
        if (task.equals("X")) {
            throw new TaskFailure("UNREADABLE_SLICE", "slice 3 is not DICOM");
        }
        int n = Integer.parseInt(task.substring(1));
        List<String> units = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            units.add(task.charAt(0) + "" + i);
        }
        return units;
    }

    private void add(String task, int partition, long offset) {
        queue.add(new TaskContext("in", partition, offset, task, Instant.EPOCH, Instant.EPOCH), task, 1);
    }

    private void prepareAll() {
        queue.startPreparations(inline, TaskQueueTest::prepare, 100, 100);
        queue.harvest();
    }

    private List<String> inferNext(int max) {
        TaskQueue.Batch<String, String, String> batch = queue.nextBatch(max);
        queue.applyResults(batch, batch.units().stream().map(u -> "r" + u).toList(), 1_000_000);
        return batch.units();
    }

    @Test
    void batchesUnitsAcrossTasksInConsumptionOrder() {
        add("A3", 0, 10);
        add("B2", 1, 20);
        add("C4", 0, 11);
        prepareAll();

        assertThat(queue.readyUnits()).isEqualTo(9);
        assertThat(inferNext(4)).containsExactly("A0", "A1", "A2", "B0");
        assertThat(inferNext(4)).containsExactly("B1", "C0", "C1", "C2");
        List<TaskQueue.Entry<String, String, String>> done = queue.takeCompletedPrefix();
        assertThat(done).extracting(e -> e.task).containsExactly("A3", "B2");
        assertThat(done.get(1).results).containsExactly("rB0", "rB1");
        assertThat(inferNext(4)).containsExactly("C3");
        assertThat(queue.takeCompletedPrefix()).singleElement().satisfies(e -> assertThat(e.results).containsExactly("rC0", "rC1", "rC2", "rC3"));
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aTaskLeavesOnlyWhenEveryEarlierTaskHasLeft() {
        add("A2", 0, 1);
        add("B0", 0, 2);   // no units: complete as soon as prepared
        add("X", 0, 3);    // fails to prepare: complete at once, as a failure
        prepareAll();

        assertThat(queue.takeCompletedPrefix()).as("A is not inferred yet").isEmpty();
        inferNext(8);
        List<TaskQueue.Entry<String, String, String>> done = queue.takeCompletedPrefix();

        assertThat(done).extracting(e -> e.task).containsExactly("A2", "B0", "X");
        assertThat(done.get(2).failure.reason()).isEqualTo("UNREADABLE_SLICE: slice 3 is not DICOM");
    }

    @Test
    void preparesNoMoreThanAllowedAndWaitingTasksStayCheap() {
        for (int i = 0; i < 5; i++) {
            add("A4", 0, i);
        }
        for (int round = 0; round < 10; round++) {   // as the loop does: start what is allowed, collect, again
            queue.startPreparations(inline, TaskQueueTest::prepare, 1, 8);
            queue.harvest();
        }

        assertThat(queue.readyUnits()).as("stops once 8 units are ready").isEqualTo(8);
        assertThat(queue.waiting()).isEqualTo(3);
    }

    @Test
    void countsTheUnitsExpectedFromWaitingTasksAndEachTaskAsAtLeastOne() {
        queue.add(new TaskContext("in", 0, 0, "A8", Instant.EPOCH, Instant.EPOCH), "A8", 8);
        queue.add(new TaskContext("in", 0, 1, "B0", Instant.EPOCH, Instant.EPOCH), "B0", 0);
        queue.add(new TaskContext("in", 0, 2, "C3", Instant.EPOCH, Instant.EPOCH), "C3", 3);
        assertThat(queue.waitingUnits()).isEqualTo(8 + 1 + 3);

        queue.startPreparations(inline, TaskQueueTest::prepare, 1, 100);   // A8 starts: it no longer waits
        assertThat(queue.waitingUnits()).isEqualTo(1 + 3);
        queue.harvest();
        assertThat(queue.readyUnits()).isEqualTo(8);
        assertThat(queue.waiting()).isEqualTo(2);
    }

    @Test
    void dropsTheTasksOfRevokedPartitionsOnly() {
        add("A1", 0, 1);
        add("B1", 1, 1);
        add("C1", 0, 2);
        prepareAll();

        assertThat(queue.drop(List.of(new TopicPartition("in", 0)))).isEqualTo(2);
        inferNext(8);
        assertThat(queue.takeCompletedPrefix()).extracting(e -> e.task).containsExactly("B1");
    }

    @Test
    void chargesEachTaskItsShareOfABatch() {
        add("A3", 0, 1);
        add("B1", 0, 2);
        prepareAll();
        TaskQueue.Batch<String, String, String> batch = queue.nextBatch(4);
        queue.applyResults(batch, List.of("a", "b", "c", "d"), 8_000_000);
        now = 20_000_000;

        Map<String, TaskTimings> timings = new java.util.HashMap<>();
        queue.takeCompletedPrefix().forEach(e -> timings.put(e.task, e.timings(now)));

        assertThat(timings.get("A3").inferenceMillis()).isEqualTo(6);
        assertThat(timings.get("B1").inferenceMillis()).isEqualTo(2);
        assertThat(timings.get("B1").totalMillis()).isEqualTo(20);
    }

    @Test
    void aFailedTaskDropsItsRemainingUnits() {
        add("A3", 0, 1);
        add("B1", 0, 2);
        prepareAll();
        TaskQueue.Batch<String, String, String> batch = queue.nextBatch(2);
        queue.fail(batch.owners().get(0), new TaskFailure("MODEL_ERROR", "boom"));

        assertThat(queue.readyUnits()).as("only B's unit is left").isEqualTo(1);
        assertThat(inferNext(2)).containsExactly("B0");
        assertThat(queue.takeCompletedPrefix()).extracting(e -> e.failure == null).containsExactly(false, true);
    }

    @Test
    void knowsSinceWhenTheOldestReadyUnitWaits() {
        add("A1", 0, 1);
        now = 5;
        prepareAll();
        now = 9;
        add("B1", 0, 2);
        prepareAll();

        assertThat(queue.oldestReadySince()).isEqualTo(5);
        inferNext(1);
        assertThat(queue.oldestReadySince()).isEqualTo(9);
        inferNext(1);
        assertThat(queue.oldestReadySince()).isEqualTo(-1);
    }

    @Test
    void theLastUnitsInHandAreSharedEquallyAmongTheStreamsAtMostAFullBatchEach() {
        assertThat(TaskQueue.shareSize(40, 16, 2)).isEqualTo(16);
        assertThat(TaskQueue.shareSize(16, 16, 2)).as("one batch's worth: half each").isEqualTo(8);
        assertThat(TaskQueue.shareSize(8, 16, 2)).isEqualTo(4);
        assertThat(TaskQueue.shareSize(7, 16, 2)).isEqualTo(4);
        assertThat(TaskQueue.shareSize(1, 16, 4)).isEqualTo(1);
        assertThat(TaskQueue.shareSize(8, 16, 1)).as("one stream takes them all, as before").isEqualTo(8);
        assertThat(TaskQueue.shareSize(40, 16, 1)).isEqualTo(16);
    }

    @Test
    void unitsTooFewForAFullBatchGoToTheStreamsInEqualSharesNotEverSmallerRemainders() {
        add("A8", 0, 0);
        prepareAll();
        assertThat(queue.nextShare(16, 2).units()).containsExactly("A0", "A1", "A2", "A3");
        assertThat(queue.nextShare(16, 2).units()).as("the second stream's share, not half of the rest").containsExactly("A4", "A5", "A6", "A7");

        add("B3", 0, 1);   // a new lot: a new share
        add("C40", 0, 2);
        prepareAll();
        add("D5", 0, 3);   // not read yet: more is coming, so full batches while there are enough
        assertThat(queue.nextShare(16, 2).size()).isEqualTo(16);
        assertThat(queue.nextShare(16, 2).size()).isEqualTo(16);
        assertThat(queue.nextShare(16, 2).size()).as("11 left: shares of 6").isEqualTo(6);
        assertThat(queue.nextShare(16, 2).size()).isEqualTo(5);
        assertThat(queue.readyUnits()).isZero();

        prepareAll();
        add("E30", 0, 4);
        prepareAll();
        assertThat(queue.readyUnits()).isEqualTo(35);
        assertThat(queue.nextShare(16, 2).size()).as("enough for a batch per stream").isEqualTo(16);
        assertThat(queue.nextShare(16, 2).size()).as("the last 19 in hand: shares of 10, not 16 and 3").isEqualTo(10);
        assertThat(queue.nextShare(16, 2).size()).isEqualTo(9);
        assertThat(queue.nextShare(16, 1).units()).as("nothing left").isEmpty();
    }
}
