package org.lilnet.aggregator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.lilnet.aggregator.cases.CaseOutputs.InputOutcome;
import org.lilnet.aggregator.cases.CaseStage;
import org.lilnet.events.Diagnosis;
import org.lilnet.events.DiagnosisStatus;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * The aggregator's metrics: cases by stage (open = not yet diagnosed), diagnoses by status, the time from the last
 * prediction of a case to its diagnosis, what became of the inputs, dead letters by reason, and the backlog on the input
 * topics.
 */
public final class AggregatorMetrics {

    private final MeterRegistry registry;
    /** Per stream task (a task owns a partition's stores), cases by stage: the gauges add them up. */
    private final Map<String, Map<CaseStage, Integer>> casesByTask = new ConcurrentHashMap<>();
    /** Set once Kafka Streams exists; NaN (not known) until then. */
    private volatile DoubleSupplier inputLag = () -> Double.NaN;

    public AggregatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (CaseStage stage : CaseStage.values()) {
            Gauge.builder("lilnet.aggregator.cases", this, m -> m.cases(stage))
                    .description("Cases in this instance's stores, by stage").tag("stage", lower(stage)).register(registry);
        }
        Gauge.builder("lilnet.aggregator.open.cases", this, AggregatorMetrics::openCases)
                .description("Cases whose latest revision has no final diagnosis yet").register(registry);
        Gauge.builder("lilnet.aggregator.input.lag", this, m -> m.inputLag.getAsDouble()).baseUnit("records")
                .description("Records on the input topics (studies, predictions) this instance's stream threads have not consumed; NaN before the first fetch")
                .register(registry);
        for (DiagnosisStatus status : DiagnosisStatus.values()) {
            diagnoses(status);
            latency(status);
        }
    }

    private void count(Diagnosis diagnosis) {
        diagnoses(diagnosis.getStatus()).increment();
        Long millis = diagnosis.getTimingsMillis().get("aggregate.lastPredictionToDiagnosis");
        if (millis != null) {
            latency(diagnosis.getStatus()).record(Duration.ofMillis(millis));
        }
    }

    /** Called by the case processor; public for the Kafka adapter package. */
    public void emitted(Diagnosis diagnosis) {
        count(diagnosis);
    }

    public void input(InputOutcome outcome) {
        Counter.builder("lilnet.aggregator.inputs").description("Input records by what became of them")
                .tag("outcome", lower(outcome)).register(registry).increment();
    }

    public void deadLetter(String reasonCode) {
        Counter.builder("lilnet.aggregator.dead.letters").description("Dead letters written, by reason")
                .tag("reason", reasonCode).register(registry).increment();
    }

    /** Where the input backlog is read from (Kafka Streams' consumer metrics); called once the streams client exists. */
    public void inputLag(DoubleSupplier records) {
        this.inputLag = records;
    }

    public void cases(String task, Map<CaseStage, Integer> byStage) {
        casesByTask.put(task, new EnumMap<>(byStage));
    }

    public void taskClosed(String task) {
        casesByTask.remove(task);
    }

    public int cases(CaseStage stage) {
        return casesByTask.values().stream().mapToInt(m -> m.getOrDefault(stage, 0)).sum();
    }

    public int openCases() {
        int open = 0;
        for (CaseStage stage : CaseStage.values()) {
            if (stage.open()) {
                open += cases(stage);
            }
        }
        return open;
    }

    public double diagnosesCount(DiagnosisStatus status) {
        return diagnoses(status).count();
    }

    private Counter diagnoses(DiagnosisStatus status) {
        return Counter.builder("lilnet.aggregator.diagnoses").description("Diagnoses emitted, by status")
                .tag("status", status.name()).register(registry);
    }

    private Timer latency(DiagnosisStatus status) {
        return Timer.builder("lilnet.aggregator.prediction.to.diagnosis")
                .description("Time from the last chunk prediction of a case (record time) to its diagnosis; includes the grace period of SINGLE_PHASE")
                .tag("status", status.name())
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
