package org.lilnet.bench.support;

import java.nio.file.Path;

/**
 * A model directory the benchmark measures with, and how to rebuild the same networks in PyTorch for the eager
 * baseline.
 *
 * @param key                short name used in tables ("phantom", "lilnet")
 * @param title              what the set is, in words
 * @param manifest           its models/manifest.json
 * @param detectorNet        the detector network in PyTorch: "phantom" (models/tools/phantom_models.py) or "cost" (the
 *                           benchmark's YOLOv8-class stand-in, bench/src/main/python/make_cost_models.py)
 * @param classifierNet      the classifier networks in PyTorch: "phantom" or "lilnet" (ResNet50 + LiLNet heads)
 * @param workersManifest    the manifest the workers benchmark uses (the same, or another detector in it)
 * @param workersDetectorNet its detector network in PyTorch
 * @param workersTitle       what that set is, in words
 */
public record ModelSet(String key, String title, Path manifest, String detectorNet, String classifierNet, Path workersManifest,
                       String workersDetectorNet, String workersTitle) {

    public ModelSet(String key, String title, Path manifest, String detectorNet, String classifierNet) {
        this(key, title, manifest, detectorNet, classifierNet, manifest, detectorNet, title);
    }

    /** The set the workers benchmark measures. */
    public ModelSet forWorkers() {
        return new ModelSet(key, workersTitle, workersManifest, workersDetectorNet, classifierNet);
    }

    public boolean workersDiffer() {
        return !workersManifest.equals(manifest);
    }
}
