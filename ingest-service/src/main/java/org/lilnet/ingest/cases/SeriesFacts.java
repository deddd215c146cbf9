package org.lilnet.ingest.cases;

import java.time.LocalTime;
import java.util.List;

/**
 * What a series says about its contrast phase.
 *
 * @param description          SeriesDescription as received (may be null)
 * @param imageType            ImageType values of the series (upper case)
 * @param contrastAgent        ContrastBolusAgent (may be null)
 * @param contrastStart        ContrastBolusStartTime (may be null)
 * @param acquisitionStart     when the series was acquired: its earliest AcquisitionTime, else ContentTime, else
 *                             SeriesTime (may be null)
 */
public record SeriesFacts(String description, List<String> imageType, String contrastAgent, LocalTime contrastStart,
                          LocalTime acquisitionStart) {

    public SeriesFacts {
        imageType = imageType == null ? List.of() : List.copyOf(imageType);
    }

    public static SeriesFacts described(String description) {
        return new SeriesFacts(description, List.of(), null, null, null);
    }
}
