package org.lilnet.aggregator.cases;

/** Where a consumed record is (for dead letters). */
public record SourceRef(String topic, int partition, long offset) {
}
