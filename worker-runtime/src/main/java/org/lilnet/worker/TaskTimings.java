package org.lilnet.worker;

/**
 * What a task cost in this worker, milliseconds.
 *
 * @param prepareMillis   reading and decoding its inputs
 * @param inferenceMillis its share of the batches it was in (batch time x its units / batch units)
 * @param totalMillis     from pick-up to emission
 */
public record TaskTimings(long prepareMillis, long inferenceMillis, long totalMillis) {
}
