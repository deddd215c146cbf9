package org.lilnet.aggregator.cases;

import org.lilnet.events.Phase;
import org.lilnet.events.SeriesInfo;

/** A processed series of a case revision: its phase, how many chunks to expect, and its pixel spacing. */
public record SeriesExpectation(String seriesInstanceUid, Phase phase, String description, int sliceCount, int chunkCount,
                                double rowSpacingMm, double columnSpacingMm) {

    static SeriesExpectation from(SeriesInfo s) {
        return new SeriesExpectation(s.getSeriesInstanceUid(), s.getPhase(), s.getDescription(), s.getSliceCount(),
                s.getChunkCount(), s.getPixelSpacingRowMm(), s.getPixelSpacingColumnMm());
    }
}
