package org.lilnet.aggregator.kafka;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.lilnet.aggregator.AggregatorMetrics;
import org.lilnet.aggregator.cases.ArrivedChunk;
import org.lilnet.aggregator.cases.CaseSettings;
import org.lilnet.aggregator.cases.CaseState;
import org.lilnet.common.kafka.EventSerdes;
import org.lilnet.common.topics.Topics;

import java.time.Duration;

/**
 * The aggregator's topology.
 *
 * <p>In words: <em>for each case, collect the per-crop logits of every chunk its latest StudyArrived revision expects;
 * once all are in, pool the crops of both phases with equal weight, average the logits, softmax and argmax, and emit
 * the Diagnosis (COMPLETE, or NO_LESION without crops, or FAILED if a chunk failed); a revision with one phase waits
 * the grace period for the other and then emits SINGLE_PHASE; a revision without progress for the case timeout is
 * reported FAILED; a newer revision supersedes with version + 1.</em>
 *
 * <p>studies.v1 and predictions.v1 are both keyed by case id and have the same partition count, so a case's records
 * meet in one task and its stores. The stores are persistent and logged to changelog topics; with
 * {@code exactly_once_v2} a diagnosis, the state that produced it and the consumed offsets commit together.
 */
public final class AggregatorTopology {

    public static final String CASES_STORE = "cases";
    public static final String CHUNKS_STORE = "case-chunks";
    public static final String TIMERS_STORE = "case-timers";

    private AggregatorTopology() {
    }

    public static Topology build(TopicSerdes serdes, CaseSettings settings, Duration timerInterval, AggregatorMetrics metrics,
                                 String instanceId) {
        Serde<String> keys = EventSerdes.keySerde();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CASES_STORE), keys,
                new JsonStateSerde<>(CaseState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CHUNKS_STORE), keys,
                new JsonStateSerde<>(ArrivedChunk.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIMERS_STORE), keys,
                new JsonStateSerde<>(CaseTimer.class)));

        var studyEvents = serdes.valueSerde(Topics.STUDIES).deserializer();
        var chunkEvents = serdes.valueSerde(Topics.PREDICTIONS).deserializer();

        KStream<String, CaseInput> studies = builder.stream(Topics.STUDIES.name(), Consumed.with(keys, Serdes.ByteArray()))
                .processValues(() -> new Decode<>(Topics.STUDIES, studyEvents, (study, source, time) -> new CaseInput.Study(study, source)),
                        Named.as("decode-studies"));
        KStream<String, CaseInput> chunks = builder.stream(Topics.PREDICTIONS.name(), Consumed.with(keys, Serdes.ByteArray()))
                .processValues(() -> new Decode<>(Topics.PREDICTIONS, chunkEvents, CaseInput.Chunk::new), Named.as("decode-predictions"));

        KStream<String, CaseOutput> outputs = studies.merge(chunks, Named.as("by-case"))
                .process(() -> new CaseFusionProcessor(settings, timerInterval, metrics, instanceId), Named.as("fuse-case"),
                        CASES_STORE, CHUNKS_STORE, TIMERS_STORE);

        outputs.flatMapValues(CaseOutput::diagnoses, Named.as("diagnoses"))
                .to(Topics.DIAGNOSES.name(), Produced.with(keys, serdes.valueSerde(Topics.DIAGNOSES)));
        outputs.flatMapValues(CaseOutput::deadLetters, Named.as("dead-letters"))
                .to(Topics.DEAD_LETTERS.name(), Produced.with(keys, serdes.valueSerde(Topics.DEAD_LETTERS)));
        return builder.build();
    }
}
