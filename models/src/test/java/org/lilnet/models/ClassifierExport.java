package org.lilnet.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One export per class count N, made once per test JVM and shared by the test classes (a ResNet50 export takes
 * seconds): a checkpoint saved from a randomly initialised LiLNet network, its ONNX export and manifest entry made
 * by export_classifier.py, and the PyTorch model's aggregated logits for a fixed input batch.
 */
record ClassifierExport(int classes, String role, Path checkpoint, Path manifest, Path onnx, Path reference,
                        long checkpointMillis, long exportMillis, long referenceMillis) {

    static final int BATCH = 3;
    private static final Map<Integer, ClassifierExport> EXPORTS = new ConcurrentHashMap<>();

    static synchronized ClassifierExport of(int classes) {
        return EXPORTS.computeIfAbsent(classes, n -> {
            try {
                return make(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * N=2 goes the operator's way (a checkpoint, then export_classifier.py); N=3 the benchmark's way
     * (make_random_classifiers.py, which saves a random checkpoint and exports it with the same exporter), so both
     * tools are exercised without a third ResNet50 export.
     */
    private static ClassifierExport make(int classes) throws IOException, InterruptedException {
        String role = classes == 2 ? "bm" : "m";
        Path dir = PythonTool.WORK.resolve("n" + classes);
        deleteRecursively(dir);
        Path manifest = dir.resolve("models/manifest.json");
        Path onnx;
        Path checkpoint;
        Path reference = dir.resolve("reference");
        Path fixture = PythonTool.TEST_PYTHON.resolve("export_fixture.py");

        long checkpointMillis;
        long exportMillis;
        if (role.equals("bm")) {
            checkpoint = dir.resolve("random-n2.pth.tar");
            checkpointMillis = PythonTool.run(fixture, "checkpoint", "--classes", "2", "--seed", "42",
                    "--out", checkpoint.toString()).requireSuccess().millis();
            exportMillis = PythonTool.run(PythonTool.TOOLS.resolve("export_classifier.py"), checkpoint.toString(),
                    "--role", role, "--manifest", manifest.toString()).requireSuccess().millis();
            onnx = manifest.resolveSibling("lilnet-bm.onnx");
        } else {
            checkpointMillis = 0; // included in the export time below
            exportMillis = PythonTool.run(PythonTool.TOOLS.resolve("make_random_classifiers.py"),
                    "--out", manifest.getParent().toString(), "--roles", role, "--seed", "43",
                    "--keep-checkpoints").requireSuccess().millis();
            checkpoint = manifest.resolveSibling("checkpoints/random-m-seed43.pth.tar");
            onnx = manifest.resolveSibling("lilnet-m.onnx");
        }
        PythonTool.Result referenced = PythonTool.run(fixture, "reference", "--checkpoint", checkpoint.toString(),
                "--onnx", onnx.toString(), "--batch", "" + BATCH, "--seed", "7", "--out-dir", reference.toString())
                .requireSuccess();
        ClassifierExport export = new ClassifierExport(classes, role, checkpoint, manifest, onnx, reference,
                checkpointMillis, exportMillis, referenced.millis());
        System.out.printf("export fixture N=%d: random checkpoint %d ms, export %d ms, "
                        + "PyTorch reference (batch %d, incl. start-up) %d ms; %s%n", classes, checkpointMillis,
                exportMillis, BATCH, referenced.millis(), referenced.stdout().strip());
        return export;
    }

    float[] input() throws IOException {
        return readFloats(reference.resolve("input.f32"));
    }

    float[] referenceLogits() throws IOException {
        return readFloats(reference.resolve("logits.f32"));
    }

    Path referenceInfo() {
        return reference.resolve("reference.json");
    }

    static float[] readFloats(Path file) throws IOException {
        FloatBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
