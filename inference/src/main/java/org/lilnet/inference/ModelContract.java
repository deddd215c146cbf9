package org.lilnet.inference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The model contract (MODEL-CONTRACT.md) as checks. Three layers, each naming what differs:
 * <ol>
 * <li>the manifest's declaration against the role: detector {@code [B,3,512,512] -> [B,4+classes,5376]}
 * (anchors of strides 8, 16 and 32 at 512), classifiers {@code [B,3,224,224] -> [B,N]} with the contract's
 * labels in the contract's order;</li>
 * <li>the ONNX graph against the declaration (names, ranks, fixed dimensions, element type);</li>
 * <li>the output shape of a probe run against the declaration (catches what a graph leaves symbolic).</li>
 * </ol>
 */
public final class ModelContract {

    /** Strides of the YOLOv8 detection head; anchors = sum over strides of (size / stride)^2. */
    public static final int[] DETECTOR_STRIDES = {8, 16, 32};
    public static final String FLOAT32 = "float32";

    private ModelContract() {
    }

    /** Anchor count of a YOLOv8 head at a square input size: 5376 at 512. */
    public static long anchorsAt(int size) {
        long anchors = 0;
        for (int stride : DETECTOR_STRIDES) {
            anchors += (long) (size / stride) * (size / stride);
        }
        return anchors;
    }

    /** Shape of one element of a tensor as the ONNX graph states it; dynamic (symbolic) dimensions are -1. */
    public record GraphTensor(long[] shape, String dtype) {
        public GraphTensor {
            shape = shape.clone();
        }
    }

    /** Checks the declared input and output of an entry against its role's contract. */
    public static List<String> checkDeclared(ModelEntry entry) {
        List<String> problems = new ArrayList<>();
        ModelRole role = entry.role();
        int size = role.inputSize();
        long[] wantIn = {TensorSpec.DYNAMIC, 3, size, size};
        long[] wantOut = role == ModelRole.DETECTOR
                ? new long[] {TensorSpec.DYNAMIC, 4 + entry.labels().size(), anchorsAt(size)}
                : new long[] {TensorSpec.DYNAMIC, role.contractLabels().size()};
        String why = role == ModelRole.DETECTOR
                ? " (rows cx, cy, w, h and one score per label, " + anchorsAt(size) + " anchors at " + size + " with strides 8, 16, 32)"
                : "";
        checkShape(entry, "input", entry.input(), wantIn, "", problems);
        checkShape(entry, "output", entry.output(), wantOut, why, problems);
        if (role.isClassifier() && !entry.labels().equals(role.contractLabels())) {
            problems.add(entry + ": labels are " + entry.labels() + ", the contract's " + role + " labels are " + role.contractLabels()
                    + " (same names, same order)");
        }
        return problems;
    }

    private static void checkShape(ModelEntry entry, String which, TensorSpec declared, long[] want, String why, List<String> problems) {
        if (!FLOAT32.equals(declared.dtype())) {
            problems.add(entry + ": " + which + " " + declared.name() + " has dtype " + declared.dtype() + ", the contract wants " + FLOAT32);
        }
        boolean fits = declared.rank() == want.length;
        for (int i = 1; fits && i < want.length; i++) {
            fits = declared.dim(i) == want[i];
        }
        if (!fits) {
            problems.add(entry + ": " + which + " " + declared.name() + " is declared " + TensorSpec.format(declared.shape())
                    + ", the " + entry.role() + " contract wants " + formatWithBatch(want) + why);
        }
    }

    /** Checks the ONNX graph's inputs and outputs against the manifest's declaration. */
    public static List<String> checkGraph(ModelEntry entry, Map<String, GraphTensor> inputs, Map<String, GraphTensor> outputs) {
        List<String> problems = new ArrayList<>();
        if (inputs.size() != 1) {
            problems.add(entry + ": the graph has " + inputs.size() + " inputs " + inputs.keySet() + ", the contract has one image input");
        }
        compare(entry, "input", entry.input(), inputs, problems);
        compare(entry, "output", entry.output(), outputs, problems);
        return problems;
    }

    private static void compare(ModelEntry entry, String which, TensorSpec declared, Map<String, GraphTensor> graph, List<String> problems) {
        GraphTensor actual = graph.get(declared.name());
        if (actual == null) {
            problems.add(entry + ": the manifest names " + which + " '" + declared.name() + "' but the graph's " + which + "s are " + graph.keySet());
            return;
        }
        if (!FLOAT32.equals(actual.dtype())) {
            problems.add(entry + ": graph " + which + " " + declared.name() + " has element type " + actual.dtype() + ", the contract wants " + FLOAT32);
        }
        long[] shape = actual.shape();
        boolean fits = shape.length == declared.rank();
        for (int i = 0; fits && i < shape.length; i++) {
            // a dynamic graph dimension takes the declared size; a fixed one must be what the manifest says
            fits = shape[i] == TensorSpec.DYNAMIC || shape[i] == declared.dim(i);
        }
        if (!fits) {
            problems.add(entry + ": graph " + which + " " + declared.name() + " is " + formatGraph(shape) + ", the manifest declares "
                    + TensorSpec.format(declared.shape()));
        }
    }

    /** Checks the output shape of a probe run with {@code batch} images against the declaration. */
    public static List<String> checkProbe(ModelEntry entry, int batch, long[] outputShape) {
        long[] want = entry.output().shape();
        want[0] = batch;
        if (java.util.Arrays.equals(want, outputShape)) {
            return List.of();
        }
        return List.of(entry + ": a probe run with " + batch + " image(s) gave " + entry.output().name() + " "
                + TensorSpec.format(outputShape) + ", the manifest declares " + TensorSpec.format(entry.output().shape())
                + (entry.role() == ModelRole.DETECTOR ? " (" + anchorsAt(entry.role().inputSize()) + " anchors at "
                + entry.role().inputSize() + " with strides 8, 16, 32)" : ""));
    }

    /** SHA-256 of a file, lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Checks that the file is there and is the one the manifest names by hash. */
    public static List<String> checkFile(ModelEntry entry) {
        if (!Files.isRegularFile(entry.file())) {
            return List.of(entry + ": file " + entry.file() + " does not exist");
        }
        try {
            String actual = sha256(entry.file());
            return actual.equals(entry.sha256()) ? List.of()
                    : List.of(entry + ": sha256 of " + entry.file() + " is " + actual + ", the manifest says " + entry.sha256()
                    + " (wrong or changed file)");
        } catch (IOException e) {
            return List.of(entry + ": file " + entry.file() + " cannot be read: " + e.getMessage());
        }
    }

    private static String formatWithBatch(long[] shape) {
        StringBuilder out = new StringBuilder("[B");
        for (int i = 1; i < shape.length; i++) {
            out.append(", ").append(shape[i]);
        }
        return out.append(']').toString();
    }

    private static String formatGraph(long[] shape) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            out.append(i == 0 ? "" : ", ").append(shape[i] == TensorSpec.DYNAMIC ? "dynamic" : String.valueOf(shape[i]));
        }
        return out.append(']').toString();
    }
}
