package org.lilnet.aggregator.kafka;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.lilnet.aggregator.AggregatorMetrics;
import org.lilnet.aggregator.cases.ArrivedChunk;
import org.lilnet.aggregator.cases.CaseFusion;
import org.lilnet.aggregator.cases.CaseOutputs;
import org.lilnet.aggregator.cases.CaseSettings;
import org.lilnet.aggregator.cases.CaseStage;
import org.lilnet.aggregator.cases.CaseState;
import org.lilnet.aggregator.cases.SourceRef;
import org.lilnet.common.kafka.DeadLetters;
import org.lilnet.events.DeadLetter;
import org.lilnet.events.Diagnosis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The thin Kafka side of {@link CaseFusion}: loads a case's state from the stores, hands it the event (or the time,
 * from a wall-clock punctuation), writes the state back with its next timer, and forwards what it emitted.
 */
final class CaseFusionProcessor implements Processor<String, CaseInput, String, CaseOutput>, CaseOutputs {

    private static final Logger LOG = LoggerFactory.getLogger(CaseFusionProcessor.class);
    static final String STAGE = "aggregator";

    private final CaseSettings settings;
    private final Duration timerInterval;
    private final AggregatorMetrics metrics;
    private final String instanceId;

    private ProcessorContext<String, CaseOutput> context;
    private KeyValueStore<String, CaseState> cases;
    private KeyValueStore<String, CaseTimer> timers;
    private CaseFusion fusion;
    private String task;
    private final Map<CaseStage, Integer> stages = new EnumMap<>(CaseStage.class);
    private long now;

    CaseFusionProcessor(CaseSettings settings, Duration timerInterval, AggregatorMetrics metrics, String instanceId) {
        this.settings = settings;
        this.timerInterval = timerInterval;
        this.metrics = metrics;
        this.instanceId = instanceId;
    }

    @Override
    public void init(ProcessorContext<String, CaseOutput> context) {
        this.context = context;
        this.cases = context.getStateStore(AggregatorTopology.CASES_STORE);
        this.timers = context.getStateStore(AggregatorTopology.TIMERS_STORE);
        this.fusion = new CaseFusion(settings, new StoreChunkArchive(context.getStateStore(AggregatorTopology.CHUNKS_STORE)), this);
        this.task = context.taskId().toString();
        try (KeyValueIterator<String, CaseTimer> it = timers.all()) {
            while (it.hasNext()) {
                stages.merge(it.next().value.stage(), 1, Integer::sum);
            }
        }
        metrics.cases(task, stages);
        context.schedule(timerInterval, PunctuationType.WALL_CLOCK_TIME, this::onTime);
    }

    @Override
    public void process(Record<String, CaseInput> record) {
        now = context.currentSystemTimeMs();
        CaseInput input = record.value();
        if (input instanceof CaseInput.Unreadable unreadable) {
            deadLetter(record.key(), record.key(), unreadable.source(), "UNREADABLE_RECORD", unreadable.detail());
        } else if (input instanceof CaseInput.Study study) {
            String caseId = study.study().getCaseId();
            if (keyMatches(record.key(), caseId, study.source())) {
                withCase(caseId, state -> fusion.onStudy(state, study.study(), now));
            }
        } else if (input instanceof CaseInput.Chunk chunk) {
            String caseId = chunk.predictions().getCaseId();
            if (keyMatches(record.key(), caseId, chunk.source())) {
                ArrivedChunk arrived = ArrivedChunk.from(chunk.predictions(), chunk.source(), chunk.timestamp());
                withCase(caseId, state -> fusion.onChunk(state, arrived, now));
            }
        }
    }

    /** The two topics meet by key: a record keyed otherwise sits in another partition than its case. */
    private boolean keyMatches(String key, String caseId, SourceRef source) {
        if (caseId.equals(key)) {
            return true;
        }
        deadLetter(key, caseId, source, "KEY_MISMATCH", "the record's key '" + key + "' is not its case id '" + caseId
                + "': it cannot meet the other records of its case");
        return false;
    }

    private void withCase(String caseId, Consumer<CaseState> action) {
        CaseState state = cases.get(caseId);
        if (state == null) {
            state = new CaseState(caseId);
        }
        action.accept(state);
        save(state);
    }

    private void onTime(long wallClock) {
        now = wallClock;
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, CaseTimer> it = timers.all()) {
            while (it.hasNext()) {
                var entry = it.next();
                if (entry.value.dueAt() <= wallClock) {
                    due.add(entry.key);
                }
            }
        }
        for (String caseId : due) {
            CaseState state = cases.get(caseId);
            if (state == null) {
                forget(caseId);
            } else if (fusion.onTime(state, wallClock)) {
                save(state);
            } else {
                LOG.info("case {} forgotten after the retention period", caseId);
                forget(caseId);
            }
        }
    }

    private void save(CaseState state) {
        cases.put(state.caseId(), state);
        CaseTimer timer = new CaseTimer(state.nextDueAt(now, settings), state.stage());
        CaseTimer before = timers.get(state.caseId());
        timers.put(state.caseId(), timer);
        if (before == null || before.stage() != timer.stage()) {
            if (before != null) {
                stages.merge(before.stage(), -1, Integer::sum);
            }
            stages.merge(timer.stage(), 1, Integer::sum);
            metrics.cases(task, stages);
        }
    }

    private void forget(String caseId) {
        cases.delete(caseId);
        CaseTimer before = timers.delete(caseId);
        if (before != null) {
            stages.merge(before.stage(), -1, Integer::sum);
            metrics.cases(task, stages);
        }
    }

    // ---- CaseOutputs ------------------------------------------------------------------------------------------------

    @Override
    public void diagnosis(Diagnosis diagnosis) {
        LOG.info("case {} version {}: {}{}{}", diagnosis.getCaseId(), diagnosis.getVersion(), diagnosis.getStatus(),
                diagnosis.getMalignancy() == null ? "" : " " + diagnosis.getMalignancy() + "/" + diagnosis.getSubtype(),
                diagnosis.getChanges() == null ? "" : " (" + diagnosis.getChanges() + ")");
        context.forward(new Record<>(diagnosis.getCaseId(), CaseOutput.of(diagnosis), now));
        metrics.emitted(diagnosis);
    }

    @Override
    public void deadLetter(String caseId, SourceRef source, String reasonCode, String detail) {
        deadLetter(caseId, caseId, source, reasonCode, detail);
    }

    private void deadLetter(String key, String caseId, SourceRef source, String reasonCode, String detail) {
        LOG.warn("dead letter {} for case {}: {}", reasonCode, caseId, detail);
        DeadLetter.Builder letter = DeadLetters.letter(STAGE, reasonCode, detail, instanceId)
                .setOriginalKey(key).setCaseId(caseId).setOccurredAt(Instant.ofEpochMilli(now));
        if (source != null) {
            letter.setSourceTopic(source.topic()).setSourcePartition(source.partition()).setSourceOffset(source.offset());
        }
        context.forward(new Record<>(key, CaseOutput.of(letter.build()), now));
        metrics.deadLetter(reasonCode);
    }

    @Override
    public void input(InputOutcome outcome) {
        metrics.input(outcome);
    }

    @Override
    public void close() {
        metrics.taskClosed(task);
    }
}
