package org.lilnet.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exported LiLNet classifiers run on ONNX Runtime (Java, as the services run them) with the PyTorch model's
 * aggregated logits, for N = 2 (role bm) and N = 3 (role m), and their manifest entries describe them.
 */
class ClassifierExportTest {

    /** The bound: ONNX Runtime logits equal PyTorch's within 1e-4. */
    private static final double TOLERANCE = 1e-4;
    private static final int SIDE = 224;
    private static final Map<String, List<String>> LABELS = Map.of(
            "bm", List.of("benign", "malignant"),
            "m", List.of("HCC", "ICC", "MET"),
            "b", List.of("FNH", "HEM", "CYST"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "N={0}")
    @ValueSource(ints = {2, 3})
    void onnxRuntimeLogitsEqualThePyTorchAggregatedLogits(int classes) throws Exception {
        ClassifierExport export = ClassifierExport.of(classes);
        float[] input = export.input();
        float[] expected = export.referenceLogits();
        assertThat(expected).hasSize(ClassifierExport.BATCH * classes);

        float[][] actual = run(export.onnx(), input, ClassifierExport.BATCH);

        double maxDiff = 0;
        for (int b = 0; b < ClassifierExport.BATCH; b++) {
            assertThat(actual[b]).hasSize(classes);
            for (int c = 0; c < classes; c++) {
                maxDiff = Math.max(maxDiff, Math.abs(actual[b][c] - expected[b * classes + c]));
            }
        }
        System.out.printf("N=%d: max |ONNX Runtime - PyTorch| over %d x %d logits = %.3g (logits e.g. %s)%n",
                classes, ClassifierExport.BATCH, classes, maxDiff, java.util.Arrays.toString(actual[0]));
        assertThat(maxDiff).isLessThanOrEqualTo(TOLERANCE);
        // random weights still give distinct rows: a graph that ignored its input would not pass the bound above
        assertThat(actual[0]).isNotEqualTo(actual[1]);
    }

    @ParameterizedTest(name = "N={0}")
    @ValueSource(ints = {2, 3})
    void theBatchIsDynamicAndTheGraphHasTheContractsNames(int classes) throws Exception {
        ClassifierExport export = ClassifierExport.of(classes);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(export.onnx().toString(), new OrtSession.SessionOptions())) {
            assertThat(session.getInputNames()).containsExactly("images");
            assertThat(session.getOutputNames()).containsExactly("logits");
            assertThat(shape(session.getInputInfo().get("images"))).containsExactly(-1, 3, SIDE, SIDE);
            assertThat(shape(session.getOutputInfo().get("logits"))).containsExactly(-1, classes);
        }
        // one image alone gives the same logits as inside the batch of three
        float[] input = export.input();
        float[] expected = export.referenceLogits();
        float[] second = java.util.Arrays.copyOfRange(input, 3 * SIDE * SIDE, 2 * 3 * SIDE * SIDE);
        float[][] alone = run(export.onnx(), second, 1);
        for (int c = 0; c < classes; c++) {
            assertThat((double) alone[0][c]).isCloseTo(expected[classes + c], org.assertj.core.data.Offset.offset(TOLERANCE));
        }
        JsonNode info = JSON.readTree(export.referenceInfo().toFile());
        for (JsonNode opset : info.get("onnxOpsets")) {
            assertThat(opset.asInt()).isBetween(1, 17);
        }
    }

    @ParameterizedTest(name = "N={0}")
    @ValueSource(ints = {2, 3})
    void theManifestEntryDescribesTheExport(int classes) throws Exception {
        ClassifierExport export = ClassifierExport.of(classes);
        JsonNode manifest = JSON.readTree(export.manifest().toFile());
        assertThat(manifest.get("manifestVersion").asInt()).isEqualTo(1);
        assertThat(manifest.get("models")).hasSize(1);
        JsonNode entry = manifest.get("models").get(0);

        assertThat(entry.get("role").asText()).isEqualTo(export.role());
        assertThat(entry.get("name").asText()).isIn("lilnet-" + export.role(), "lilnet-random-" + export.role());
        assertThat(entry.get("version").asText()).isNotBlank();
        Path file = export.manifest().resolveSibling(entry.get("file").asText());
        assertThat(file).isEqualTo(export.onnx());
        assertThat(entry.get("sha256").asText()).isEqualTo(sha256(file));
        assertThat(texts(entry.get("labels"))).isEqualTo(LABELS.get(export.role()));
        assertThat(entry.get("input").get("name").asText()).isEqualTo("images");
        assertThat(ints(entry.get("input").get("shape"))).containsExactly(-1, 3, SIDE, SIDE);
        assertThat(entry.get("input").get("dtype").asText()).isEqualTo("float32");
        assertThat(entry.get("output").get("name").asText()).isEqualTo("logits");
        assertThat(ints(entry.get("output").get("shape"))).containsExactly(-1, classes);
        assertThat(entry.get("output").get("dtype").asText()).isEqualTo("float32");
        JsonNode source = entry.get("source");
        assertThat(source.get("kind").asText()).isEqualTo("lilnet-checkpoint");
        assertThat(source.get("checkpoint").asText()).isEqualTo(export.checkpoint().getFileName().toString());
        assertThat(source.get("checkpointSha256").asText()).isEqualTo(sha256(export.checkpoint()));
    }

    /** Runs the ONNX file on {@code batch} images of the contract's size; returns logits per image. */
    static float[][] run(Path onnx, float[] images, int batch) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(images),
                     new long[] {batch, 3, SIDE, SIDE});
             OrtSession.Result result = session.run(Map.of("images", tensor))) {
            return (float[][]) result.get(0).getValue();
        }
    }

    private static long[] shape(NodeInfo node) {
        return ((TensorInfo) node.getInfo()).getShape();
    }

    private static List<String> texts(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static long[] ints(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
    }

    static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] block = new byte[1 << 20];
            for (int n; (n = in.read(block)) > 0; ) {
                digest.update(block, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
