package org.lilnet.worker;

import java.time.Instant;

/**
 * Where a task came from and when it was picked up.
 *
 * @param topic           source topic
 * @param partition       source partition
 * @param offset          source offset
 * @param key             record key
 * @param recordTimestamp the record's timestamp (when it was produced)
 * @param pickedUpAt      when this worker received it
 */
public record TaskContext(String topic, int partition, long offset, String key, Instant recordTimestamp, Instant pickedUpAt) {
}
