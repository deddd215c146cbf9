package org.lilnet.aggregator.kafka;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.lilnet.common.topics.Topic;

/** The value serde of each topic: {@code EventSerdes} (registry) in production, a registry-free Avro serde in tests. */
@FunctionalInterface
public interface TopicSerdes {

    <V extends SpecificRecord> Serde<V> valueSerde(Topic<V> topic);
}
