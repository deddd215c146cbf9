package org.lilnet.worker;

import org.apache.avro.specific.SpecificRecord;
import org.lilnet.common.topics.Topic;

/** One record a task produces (its result, or a dead letter), sent in the transaction that commits the task. */
public record Emit<V extends SpecificRecord>(Topic<V> topic, String key, V value) {

    public static <V extends SpecificRecord> Emit<V> of(Topic<V> topic, String key, V value) {
        return new Emit<>(topic, key, value);
    }
}
