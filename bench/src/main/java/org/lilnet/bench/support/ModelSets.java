package org.lilnet.bench.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The two model sets every figure is measured with: the phantom-trained models ({@code models/manifest.json}), and
 * the same detector with LiLNet-architecture classifiers (ResNet50 + heads, exported by the real exporter, random
 * weights: the compute cost of the published models). For the workers benchmark the second set's detector is a
 * YOLOv8-class stand-in (about 10 GFLOPs a slice at 512, random weights, finds nothing, as most slices of a study;
 * the published YOLOv8x costs about 165 GFLOPs), so that both workers are measured at the published models' scale;
 * the end-to-end runs keep the phantom detector, whose lesions give the classifiers work. Made once with
 * {@code models/tools/make_random_classifiers.py} and {@code bench/src/main/python/make_cost_models.py} (Debian
 * python3-torch) and kept under the cache directory (never in the source tree: about 100 MB a model).
 */
public final class ModelSets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelSets() {
    }

    /**
     * @param root     the repository
     * @param phantom  the phantom-trained manifest (usually models/manifest.json); when it does not exist, the phantom
     *                 set is left out and the LiLNet set gets the benchmark's stand-in detector
     * @param cache    where generated models are kept between runs (under a target/ directory)
     */
    public static List<ModelSet> prepare(Path root, Path phantom, Path cache, List<String> wanted) throws IOException, InterruptedException {
        List<ModelSet> sets = new ArrayList<>();
        boolean havePhantom = Files.isRegularFile(phantom);
        if (!havePhantom) {
            System.out.println("[bench] no phantom-trained models at " + phantom + ": the phantom set is left out; the LiLNet set gets the "
                    + "benchmark's stand-in detector (bench/src/main/python/make_cost_models.py)");
        }
        if (havePhantom && wanted.contains("phantom")) {
            sets.add(new ModelSet("phantom", "phantom-trained detector and classifiers (" + root.relativize(phantom.toAbsolutePath().normalize())
                    + ")", phantom, detectorNet(phantom), "phantom"));
        }
        if (wanted.contains("lilnet")) {
            Path detectorManifest = phantom;
            if (!havePhantom) {
                Path costDir = cache.resolve("cost-detector");
                if (!Files.isRegularFile(costDir.resolve("manifest.json"))) {
                    python(root, "bench/src/main/python/make_cost_models.py", costDir.toString(), "--detector-only");
                }
                detectorManifest = costDir.resolve("manifest.json");
            }
            String detectorSha = detectorSha(detectorManifest);
            Path dir = cache.resolve("lilnet-random-" + detectorSha.substring(0, 12));
            if (!complete(dir.resolve("manifest.json"))) {
                System.out.println("[bench] making LiLNet-architecture classifiers with random weights in " + dir + " (once; about a minute)");
                python(root, "models/tools/make_random_classifiers.py", "--out", dir.toString(), "--detector-from", detectorManifest.toString());
            }
            Path standIn = cache.resolve("yolov8-class-detector");
            if (!Files.isRegularFile(standIn.resolve("manifest.json"))) {
                System.out.println("[bench] making the YOLOv8-class stand-in detector in " + standIn + " (once)");
                python(root, "bench/src/main/python/make_cost_models.py", standIn.toString(), "--detector-only", "--finds-nothing");
            }
            Path workers = withDetector(dir.resolve("manifest.json"), standIn.resolve("manifest.json"), "manifest-workers.json");
            sets.add(new ModelSet("lilnet", "the same detector, LiLNet-architecture classifiers (ResNet50 + LiLNet heads, exporter, random weights)",
                    dir.resolve("manifest.json"), detectorNet(detectorManifest), "lilnet", workers, "cost",
                    "LiLNet-architecture classifiers (as above) and a YOLOv8-class stand-in detector (bench/src/main/python/make_cost_models.py "
                            + "--finds-nothing: about 10 GFLOPs a slice at 512, random weights, no detections; the published YOLOv8x costs "
                            + "about 165)"));
        }
        return sets;
    }

    /**
     * A copy of a manifest with the detector entry (and file) of another, written next to it as {@code name}; the
     * services verify the copied file's sha256 as usual.
     */
    static Path withDetector(Path manifest, Path detectorManifest, String name) throws IOException {
        ObjectNode out = (ObjectNode) JSON.readTree(manifest.toFile());
        ObjectNode detector = detector(detectorManifest).deepCopy();
        String file = "stand-in-" + detector.path("file").asText();
        Files.copy(detectorManifest.resolveSibling(detector.path("file").asText()), manifest.resolveSibling(file),
                StandardCopyOption.REPLACE_EXISTING);
        detector.put("file", file);
        ArrayNode models = JSON.createArrayNode();
        models.add(detector);
        for (JsonNode m : out.path("models")) {
            if (!m.path("role").asText().equals("detector")) {
                models.add(m);
            }
        }
        out.set("models", models);
        Path target = manifest.resolveSibling(name);
        JSON.writerWithDefaultPrettyPrinter().writeValue(target.toFile(), out);
        return target;
    }

    /** "phantom" for a phantom-trained detector, "cost" for the benchmark's stand-in. */
    static String detectorNet(Path manifest) throws IOException {
        JsonNode detector = detector(manifest);
        String kind = detector.path("source").path("kind").asText("");
        return kind.equals("bench-cost-stand-in") ? "cost" : "phantom";
    }

    public static String detectorSha(Path manifest) throws IOException {
        return detector(manifest).path("sha256").asText("unknown-detector");
    }

    private static JsonNode detector(Path manifest) throws IOException {
        for (JsonNode m : JSON.readTree(manifest.toFile()).path("models")) {
            if (m.path("role").asText().equals("detector")) {
                return m;
            }
        }
        throw new IOException(manifest + " has no detector entry");
    }

    /** The manifest exists with four entries whose files exist. */
    static boolean complete(Path manifest) {
        try {
            JsonNode models = JSON.readTree(manifest.toFile()).path("models");
            if (models.size() != 4) {
                return false;
            }
            for (JsonNode m : models) {
                if (!Files.isRegularFile(manifest.resolveSibling(m.path("file").asText("-")))) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void python(Path root, String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON, root.resolve(script).toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(root.toFile()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed (it needs Debian python3-torch, python3-torchvision, python3-onnx)");
        }
    }

    /** Debian's Python with torch: the python3 first on PATH may have none. */
    public static final String PYTHON = "/usr/bin/python3";
}
