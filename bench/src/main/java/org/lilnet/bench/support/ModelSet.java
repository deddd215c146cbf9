package org.lilnet.bench.support;

import java.nio.file.Path;

/**
 * A model directory the benchmark measures with, and how to rebuild the same networks in PyTorch for the eager
 * baseline.
 *
 * @param key           short name used in tables ("phantom", "lilnet")
 * @param title         what the set is, in words
 * @param manifest      its models/manifest.json
 * @param detectorNet   the detector network in PyTorch: "phantom" (models/tools/phantom_models.py) or "cost" (the
 *                      benchmark's YOLOv8-like stand-in, bench/src/main/python/make_cost_models.py)
 * @param classifierNet the classifier networks in PyTorch: "phantom" or "lilnet" (ResNet50 + LiLNet heads)
 */
public record ModelSet(String key, String title, Path manifest, String detectorNet, String classifierNet) {
}
