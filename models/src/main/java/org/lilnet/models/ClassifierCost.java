package org.lilnet.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * Measures the ONNX Runtime (Java, CPU) cost of the classifiers of a model directory, printing one line per role
 * and batch size in the same format as models/tools/bench_torch_eager.py (the PyTorch eager baseline), so that
 * models/tools/bench_classifiers.sh can put the two side by side.
 *
 * <pre>java -cp ... org.lilnet.models.ClassifierCost MANIFEST [--batches 1,16] [--runs 5] [--threads 2]</pre>
 */
public final class ClassifierCost {

    private static final int SIDE = 224;

    private ClassifierCost() {
    }

    public static void main(String[] args) throws IOException, OrtException {
        if (args.length < 1) {
            System.err.println("usage: ClassifierCost MANIFEST [--batches 1,16] [--runs 5] [--threads 2]");
            System.exit(2);
        }
        Path manifest = Path.of(args[0]);
        int[] batches = {1, 16};
        int runs = 5;
        int threads = 2;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--batches" -> batches = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        JsonNode models = new ObjectMapper().readTree(manifest.toFile()).get("models");
        for (JsonNode entry : models) {
            String role = entry.get("role").asText();
            if (role.equals("detector")) {
                continue;
            }
            Path onnx = manifest.toAbsolutePath().resolveSibling(entry.get("file").asText());
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(threads);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                long loadStart = System.nanoTime();
                try (OrtSession session = env.createSession(onnx.toString(), options)) {
                    double loadMillis = (System.nanoTime() - loadStart) / 1e6;
                    System.out.printf("onnxruntime-java role=%s session-load-ms=%.0f threads=%d%n", role, loadMillis,
                            threads);
                    for (int batch : batches) {
                        measure(env, session, role, batch, runs, threads);
                    }
                }
            }
        }
    }

    private static void measure(OrtEnvironment env, OrtSession session, String role, int batch, int runs,
                                int threads) throws OrtException {
        float[] images = new float[batch * 3 * SIDE * SIDE];
        Random random = new Random(batch);
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextInt(256) / 255f * 2 - 1;
        }
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(images),
                new long[] {batch, 3, SIDE, SIDE})) {
            for (int w = 0; w < 2; w++) {
                run(session, tensor); // warm-up: the first runs allocate and pick kernels
            }
            double[] millis = new double[runs];
            for (int r = 0; r < runs; r++) {
                long start = System.nanoTime();
                run(session, tensor);
                millis[r] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(millis);
            double median = millis[runs / 2];
            double best = millis[0]; // per-image figures from the fastest run: the machine is shared
            System.out.printf("onnxruntime-java role=%s batch=%d threads=%d median-ms=%.1f min-ms=%.1f "
                    + "per-image-ms=%.1f images-per-s=%.2f%n", role, batch, threads, median, best, best / batch,
                    1000.0 * batch / best);
        }
    }

    private static void run(OrtSession session, OnnxTensor tensor) throws OrtException {
        try (OrtSession.Result result = session.run(Map.of("images", tensor))) {
            if (result.size() != 1) {
                throw new IllegalStateException("expected one output");
            }
        }
    }
}
