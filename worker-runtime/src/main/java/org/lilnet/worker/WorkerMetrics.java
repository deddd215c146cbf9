package org.lilnet.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workers' metrics: tasks, units (slices, crops) and their rates per second, batch size, inference latency,
 * time in the queue and consumer lag. Prometheus names: {@code lilnet_worker_tasks_total{outcome}},
 * {@code lilnet_worker_<unit>_total}, {@code lilnet_worker_<unit>_per_second}, {@code lilnet_worker_batch_size},
 * {@code lilnet_worker_inference_seconds}, {@code lilnet_worker_commit_seconds}, {@code lilnet_worker_queue_wait_seconds},
 * {@code lilnet_worker_queue_lag_records}.
 */
public final class WorkerMetrics {

    private final MeterRegistry registry;
    private final Counter tasksOk;
    private final Counter tasksFailed;
    private final Counter deadLetters;
    private final DistributionSummary batchSize;
    private final Timer inference;
    private final Timer queueWait;
    private final Timer commit;
    private final AtomicLong lag = new AtomicLong();
    private final RecentRate taskRate = new RecentRate();
    private final UnitCounter units;

    /** A count with its recent rate. */
    public static final class UnitCounter {
        private final Counter counter;
        private final RecentRate rate = new RecentRate();

        UnitCounter(MeterRegistry registry, String unit) {
            counter = Counter.builder("lilnet.worker." + unit).description(unit + " processed").register(registry);
            Gauge.builder("lilnet.worker." + unit + ".per.second", rate, RecentRate::perSecond)
                    .description(unit + " per second over the last minute").register(registry);
        }

        public void add(long n) {
            counter.increment(n);
            rate.add(n);
        }

        public double count() {
            return counter.count();
        }
    }

    public WorkerMetrics(MeterRegistry registry, String unitName) {
        this.registry = registry;
        tasksOk = Counter.builder("lilnet.worker.tasks").tag("outcome", "ok").description("tasks emitted").register(registry);
        tasksFailed = Counter.builder("lilnet.worker.tasks").tag("outcome", "failed").description("tasks emitted").register(registry);
        deadLetters = Counter.builder("lilnet.worker.dead.letters").description("dead letters written").register(registry);
        Gauge.builder("lilnet.worker.tasks.per.second", taskRate, RecentRate::perSecond)
                .description("tasks per second over the last minute").register(registry);
        batchSize = DistributionSummary.builder("lilnet.worker.batch.size").description("units per inference batch")
                .publishPercentiles(0.5, 0.95).register(registry);
        inference = Timer.builder("lilnet.worker.inference").description("model run time per batch")
                .publishPercentiles(0.5, 0.95).register(registry);
        queueWait = Timer.builder("lilnet.worker.queue.wait").description("from the task's record timestamp to its pick-up")
                .publishPercentiles(0.5, 0.95).register(registry);
        commit = Timer.builder("lilnet.worker.commit").description("one transaction: results, dead letters and offsets")
                .publishPercentiles(0.5, 0.95).register(registry);
        Gauge.builder("lilnet.worker.queue.lag", lag, AtomicLong::get).baseUnit("records")
                .description("records of the assigned input partitions not yet consumed").register(registry);
        units = new UnitCounter(registry, unitName);
    }

    /** Another count with a rate (e.g. crops cut by the detector). */
    public UnitCounter unitCounter(String unit) {
        return new UnitCounter(registry, unit);
    }

    void task(boolean ok) {
        (ok ? tasksOk : tasksFailed).increment();
        taskRate.add(1);
    }

    void deadLetter() {
        deadLetters.increment();
    }

    void batch(int size, long nanos) {
        batchSize.record(size);
        inference.record(Duration.ofNanos(nanos));
        units.add(size);
    }

    void commit(long nanos) {
        commit.record(Duration.ofNanos(nanos));
    }

    void queueWait(Duration wait) {
        if (!wait.isNegative()) {
            queueWait.record(wait);
        }
    }

    void lag(long records) {
        lag.set(records);
    }

    public double tasksEmitted() {
        return tasksOk.count() + tasksFailed.count();
    }
}
