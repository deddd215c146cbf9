package org.lilnet.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * The small hand-checkable ONNX test models (written by {@code src/test/python/make_test_models.py}), for tests of
 * this module and, through the test jar, of the workers and the integration tests. What they compute is in the
 * script's docstring.
 */
public final class TestModels {

    public static final String MANIFEST = "manifest.json";
    public static final List<String> FILES = List.of(MANIFEST, "test-detector.onnx", "test-bm.onnx", "test-m.onnx", "test-b.onnx",
            "test-detector-640.onnx", "test-detector-fixed1.onnx", "test-bm-3.onnx");

    /** Side of the square boxes the test detector draws around a firing stride-8 cell, pixels. */
    public static final float DETECTOR_BOX_SIDE = 16f;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestModels() {
    }

    /** Copies the models and their manifest into {@code dir}; returns the manifest's path. */
    public static Path copyTo(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String file : FILES) {
                try (InputStream in = TestModels.class.getResourceAsStream("testmodels/" + file)) {
                    if (in == null) {
                        throw new IllegalStateException("test model resource missing: " + file);
                    }
                    Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir.resolve(MANIFEST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites one model entry of a copied manifest (for refusal tests). */
    public static void editEntry(Path manifest, String role, Consumer<ObjectNode> edit) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(manifest.toFile());
            root.withArray("models").forEach(node -> {
                if (node.get("role").asText().equals(role)) {
                    edit.accept((ObjectNode) node);
                }
            });
            JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 of a file, for edited entries. */
    public static String sha256(Path file) {
        try {
            return ModelContract.sha256(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
