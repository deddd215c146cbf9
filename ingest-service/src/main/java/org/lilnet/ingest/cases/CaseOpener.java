package org.lilnet.ingest.cases;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Opens the cases that became stable: plans each one and hands it to the writer (one Kafka transaction), then notes
 * it in the case journal. If the writer fails (broker down) nothing is noted and the case is tried again later,
 * with a growing pause; an opening written but not noted (crash in between) is written again with the same revision.
 */
public final class CaseOpener {

    private static final Logger LOG = LoggerFactory.getLogger(CaseOpener.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final CaseRegistry cases;
    private final CasePlanner planner;
    private final Consumer<CasePlan> writer;
    private final Clock clock;
    private final MeterRegistry metrics;
    private long retryAt;
    private long backoff = 500;
    private volatile String lastError;
    private volatile long lastSuccessAt;
    private volatile long writingSince;

    public CaseOpener(CaseRegistry cases, CasePlanner planner, Consumer<CasePlan> writer, Clock clock, MeterRegistry metrics) {
        this.cases = cases;
        this.planner = planner;
        this.writer = writer;
        this.clock = clock;
        this.metrics = metrics;
        metrics.gauge("lilnet.ingest.cases.pending", cases, CaseRegistry::pendingCount);
    }

    /** One pass: opens every case that is due. Returns how many were opened. */
    public int openDue() {
        long now = clock.millis();
        if (now < retryAt) {
            return 0;
        }
        int opened = 0;
        for (CaseSnapshot snapshot : cases.due()) {
            long openedAt = clock.millis();
            CasePlan plan = planner.plan(snapshot, openedAt);
            writingSince = clock.millis();
            try {
                writer.accept(plan);
            } catch (RuntimeException e) {
                writingSince = 0;
                lastError = e.toString();
                retryAt = clock.millis() + backoff;
                LOG.warn("case {} (revision {}) could not be written, retrying in {} ms: {}", snapshot.studyUid(), snapshot.revision(), backoff,
                        e.toString());
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                return opened;
            }
            writingSince = 0;
            backoff = 500;
            lastError = null;
            lastSuccessAt = clock.millis();
            try {
                cases.opened(snapshot, openedAt);
            } catch (java.io.IOException e) {
                LOG.error("case {} revision {} was written but could not be noted in the journal ({}); it will be written again",
                        snapshot.studyUid(), snapshot.revision(), e.toString());
            }
            opened++;
            Counter.builder("lilnet.ingest.cases.opened").description("Case openings written (StudyArrived + DetectTasks)")
                    .tag("revision", snapshot.revision() == 1 ? "first" : "reopened").register(metrics).increment();
            Counter.builder("lilnet.ingest.detect.tasks").description("DetectTasks written").register(metrics).increment(plan.tasks().size());
            LOG.info("case {} revision {} opened: {}; {} detect task(s); skipped: {}; refused instances: {}; quiet {} ms",
                    snapshot.studyUid(), snapshot.revision(),
                    plan.study().getSeries().isEmpty() ? "no series to process" : plan.study().getSeries().stream()
                            .map(s -> s.getPhase() + " '" + s.getDescription() + "' " + s.getSliceCount() + " slices").collect(Collectors.joining(", ")),
                    plan.tasks().size(), plan.study().getSkippedSeries().isEmpty() ? "none" : plan.study().getSkippedSeries().stream()
                            .map(s -> s.getReasonCode() + " '" + s.getDescription() + "'").collect(Collectors.joining(", ")),
                    plan.study().getRefusedInstances().size(), openedAt - snapshot.lastInstanceAt());
        }
        return opened;
    }

    /** The last write error, or null when the last write succeeded (or none was needed). */
    public String lastError() {
        return lastError;
    }

    public long lastSuccessAt() {
        return lastSuccessAt;
    }

    /** How long the write in progress has been waiting (zero when none is): a broker that does not answer. */
    public java.time.Duration writingFor() {
        long since = writingSince;
        return since == 0 ? java.time.Duration.ZERO : java.time.Duration.ofMillis(clock.millis() - since);
    }
}
