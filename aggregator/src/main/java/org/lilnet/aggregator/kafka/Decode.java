package org.lilnet.aggregator.kafka;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.lilnet.aggregator.cases.SourceRef;
import org.lilnet.common.topics.Topic;

/**
 * Decodes the bytes of an input topic inside the topology (not in the consumer), so that a record that is not an
 * event of the topic becomes a dead letter in the same transaction instead of stopping the stream.
 */
final class Decode<V extends SpecificRecord> implements FixedKeyProcessor<String, byte[], CaseInput> {

    /** Wraps a decoded event. */
    @FunctionalInterface
    interface Wrap<V> {
        CaseInput wrap(V event, SourceRef source, long timestamp);
    }

    private final Topic<V> topic;
    private final Deserializer<V> deserializer;
    private final Wrap<V> wrap;
    private FixedKeyProcessorContext<String, CaseInput> context;

    Decode(Topic<V> topic, Deserializer<V> deserializer, Wrap<V> wrap) {
        this.topic = topic;
        this.deserializer = deserializer;
        this.wrap = wrap;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, CaseInput> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        SourceRef source = context.recordMetadata().map(m -> new SourceRef(m.topic(), m.partition(), m.offset())).orElse(null);
        if (record.value() == null) {
            context.forward(record.withValue(new CaseInput.Unreadable(source, "a record without value (tombstone) on " + topic)));
            return;
        }
        V event;
        try {
            event = deserializer.deserialize(topic.name(), record.headers(), record.value());
        } catch (RuntimeException e) {
            if (DependencyUnavailable.isCause(e)) {
                // the registry is not reachable: not the record's fault; fail the task so that it is retried
                throw new DependencyUnavailable("cannot decode a " + topic + " record: the schema registry is not reachable", e);
            }
            String cause = e.getCause() == null ? "" : " (" + e.getCause() + ")";
            context.forward(record.withValue(new CaseInput.Unreadable(source, "not a " + topic.valueType().getSimpleName() + " event: "
                    + e + cause)));
            return;
        }
        context.forward(record.withValue(event == null
                ? new CaseInput.Unreadable(source, "the " + topic + " record decodes to nothing")
                : wrap.wrap(event, source, record.timestamp())));
    }
}
