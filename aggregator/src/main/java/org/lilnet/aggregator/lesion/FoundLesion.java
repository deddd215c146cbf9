package org.lilnet.aggregator.lesion;

import org.lilnet.aggregator.fusion.Decision;

import java.util.List;

/**
 * A lesion as seen in one series: the crops grouped by {@link LesionGrouper}, measured.
 *
 * @param crops            its crops, in slice order
 * @param largest          the crop with the largest box (by area)
 * @param widthMm          largest box width x column spacing
 * @param heightMm         largest box height x row spacing
 * @param decision         fused result over its crops
 */
public record FoundLesion(List<Crop> crops, Crop largest, double widthMm, double heightMm, Decision decision) {

    public Crop first() {
        return crops.get(0);
    }

    public Crop last() {
        return crops.get(crops.size() - 1);
    }

    /** The larger of width and height, mm. */
    public double sizeMm() {
        return Math.max(widthMm, heightMm);
    }

    public float maxDetectionScore() {
        float max = 0;
        for (Crop c : crops) {
            max = Math.max(max, c.detectionScore());
        }
        return max;
    }
}
