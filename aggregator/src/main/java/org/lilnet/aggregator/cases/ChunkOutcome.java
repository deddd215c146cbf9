package org.lilnet.aggregator.cases;

import org.lilnet.events.Phase;

/** What arrived for one expected chunk. */
public record ChunkOutcome(String seriesInstanceUid, Phase phase, int chunkIndex, boolean failed, String failure, int cropCount,
                           long receivedAt) {
}
