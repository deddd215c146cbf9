package org.lilnet.common.topics;

import org.apache.avro.specific.SpecificRecord;

/**
 * A topic of the pipeline: its name, what its key means, its value type and how many partitions it gets by
 * default. Keys are always strings. Partitions are the unit of horizontal scale: a consumer group cannot use
 * more instances than the topic has partitions.
 *
 * @param name              topic name, versioned ({@code .v1}): an incompatible value change makes a new topic
 * @param keyMeaning        what the string key is, in words
 * @param valueType         Avro class of the value
 * @param defaultPartitions partitions created by the local stack and the deployment manifests
 * @param producers         services that write it
 * @param consumers         services that read it
 */
public record Topic<V extends SpecificRecord>(String name, String keyMeaning, Class<V> valueType, int defaultPartitions,
                                              String producers, String consumers) {

    /** Schema registry subject of the value (TopicIdStrategy, as Confluent's TopicNameStrategy). */
    public String valueSubject() {
        return name + "-value";
    }

    @Override
    public String toString() {
        return name;
    }
}
