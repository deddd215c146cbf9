package org.lilnet.phantom;

import org.lilnet.events.Phase;

import java.time.LocalTime;

/**
 * One series of a study as planned: phase, identity, geometry and timing.
 *
 * @param phase               contrast phase (a localizer carries the phase of nothing: UNKNOWN)
 * @param localizer           true for the scout image
 * @param seriesNumber        SeriesNumber
 * @param seriesInstanceUid   SeriesInstanceUID
 * @param description         SeriesDescription ("" = absent)
 * @param thicknessMm         SliceThickness (and spacing: slices are contiguous)
 * @param firstZ              z of slice 0 (the lowest, mm); slice k is at firstZ + k * thicknessMm
 * @param sliceCount          slices
 * @param secondsAfterContrast acquisition start relative to the contrast start (negative before it)
 * @param startTime           AcquisitionTime of the first acquired slice (the highest: scans run head to feet)
 * @param scanSeconds         duration of the scan over the series
 * @param noiseSigma          image noise, HU
 * @param noiseSeed           seed of the noise
 */
record SeriesPlan(Phase phase, boolean localizer, int seriesNumber, String seriesInstanceUid, String description,
                  double thicknessMm, double firstZ, int sliceCount, double secondsAfterContrast, LocalTime startTime,
                  double scanSeconds, double noiseSigma, long noiseSeed) {

    double z(int sliceIndex) {
        return firstZ + sliceIndex * thicknessMm;
    }

    /** InstanceNumber of a slice: acquisition order, from the top. */
    int instanceNumber(int sliceIndex) {
        return sliceCount - sliceIndex;
    }

    /** AcquisitionTime of a slice. */
    LocalTime acquisitionTime(int sliceIndex) {
        double offset = scanSeconds * (sliceCount - 1 - sliceIndex) / Math.max(1, sliceCount - 1);
        return startTime.plusNanos(Math.round(offset * 1e9));
    }
}
