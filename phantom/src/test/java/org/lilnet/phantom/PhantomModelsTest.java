package org.lilnet.phantom;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lilnet.dicom.CtSlice;
import org.lilnet.dicom.CtSliceReader;
import org.lilnet.events.Phase;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The committed phantom models (../models) as the services will run them: ONNX Runtime in Java, the manifest's
 * contract, the same numbers as PyTorch on fixed inputs, and lesions found and classified on a study this module
 * writes, with the contract's window and crop done here in Java.
 */
class PhantomModelsTest {

    static final Path MODELS = Path.of(System.getProperty("lilnet.repo.root", "..")).resolve("models").toAbsolutePath().normalize();
    static OrtEnvironment env;
    static Map<String, OrtSession> sessions = new java.util.HashMap<>();
    static JsonNode manifest;

    @BeforeAll
    static void load() throws Exception {
        manifest = new ObjectMapper().readTree(MODELS.resolve("manifest.json").toFile());
        env = OrtEnvironment.getEnvironment();
        for (JsonNode m : manifest.path("models")) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            sessions.put(m.path("role").asText(), env.createSession(MODELS.resolve(m.path("file").asText()).toString(), options));
        }
    }

    @AfterAll
    static void close() throws Exception {
        for (OrtSession s : sessions.values()) {
            s.close();
        }
    }

    @Test
    void theManifestDescribesFourSmallModelsWithTheContractsShapesAndTheirSha256() throws Exception {
        assertThat(manifest.path("manifestVersion").asInt()).isEqualTo(1);
        List<String> roles = new ArrayList<>();
        for (JsonNode m : manifest.path("models")) {
            String role = m.path("role").asText();
            roles.add(role);
            Path file = MODELS.resolve(m.path("file").asText());
            byte[] bytes = Files.readAllBytes(file);
            assertThat(bytes.length).as(role + " size").isLessThan(5_000_000);
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).as(role + " sha256")
                    .isEqualTo(m.path("sha256").asText());
            assertThat(m.path("source").path("kind").asText()).isEqualTo("phantom-trained");
            assertThat(m.path("metrics").path("heldOut").path("patients").asInt()).isGreaterThanOrEqualTo(60);
            OrtSession s = sessions.get(role);
            String input = s.getInputNames().iterator().next();
            String output = s.getOutputNames().iterator().next();
            assertThat(input).isEqualTo(m.path("input").path("name").asText()).isEqualTo("images");
            assertThat(output).isEqualTo(m.path("output").path("name").asText());
            long[] inShape = ((ai.onnxruntime.TensorInfo) s.getInputInfo().get(input).getInfo()).getShape();
            long[] outShape = ((ai.onnxruntime.TensorInfo) s.getOutputInfo().get(output).getInfo()).getShape();
            assertThat(inShape).containsExactly(role.equals("detector") ? new long[] {-1, 3, 512, 512} : new long[] {-1, 3, 224, 224});
            assertThat(outShape).containsExactly(switch (role) {
                case "detector" -> new long[] {-1, 5, 5376};
                case "bm" -> new long[] {-1, 2};
                default -> new long[] {-1, 3};
            });
        }
        assertThat(roles).containsExactly("detector", "bm", "m", "b");
        assertThat(labels("bm")).containsExactly("benign", "malignant");
        assertThat(labels("m")).containsExactly("HCC", "ICC", "MET");
        assertThat(labels("b")).containsExactly("FNH", "HEM", "CYST");
    }

    @Test
    void onnxRuntimeInJavaComputesWhatPyTorchComputedOnTheReferenceInputs() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(MODELS.resolve("phantom-reference.json").toFile());
        int[][] img = pattern();
        float[][][] det = detect(img, 2); // a batch of two identical slices: the batch is dynamic
        JsonNode anchors = ref.path("detector").path("anchors");
        JsonNode values = ref.path("detector").path("values");
        for (int i = 0; i < anchors.size(); i++) {
            for (int row = 0; row < 5; row++) {
                double expected = values.get(i).get(row).asDouble();
                for (int b = 0; b < 2; b++) {
                    assertThat((double) det[b][row][anchors.get(i).asInt()]).as("detector row " + row + " anchor " + anchors.get(i))
                            .isCloseTo(expected, within(1e-3 + 1e-4 * Math.abs(expected)));
                }
            }
        }
        JsonNode box = ref.path("crop").path("box");
        int[][] crop = crop(img, box.get(0).asDouble(), box.get(1).asDouble(), box.get(2).asDouble(), box.get(3).asDouble());
        long sum = 0;
        for (int[] r : crop) {
            for (int v : r) {
                sum += v;
            }
        }
        assertThat(sum).as("the Java crop is the Python crop").isEqualTo(ref.path("crop").path("sum").asLong());
        for (String role : List.of("bm", "m", "b")) {
            float[] logits = classify(role, crop);
            JsonNode expected = ref.path("classifiers").path(role);
            assertThat(logits).hasSize(expected.size());
            for (int k = 0; k < logits.length; k++) {
                assertThat((double) logits[k]).as(role + " logit " + k).isCloseTo(expected.get(k).asDouble(), within(1e-3));
            }
        }
    }

    @Test
    void findsAndClassifiesLargeTypicalLesionsOfAStudyWrittenHere(@TempDir Path out) throws Exception {
        PhantomOptions options = PhantomOptions.defaults().withSlicesPerSeries(16).withPhases(EnumSet.of(Phase.AP, Phase.PVP))
                .withLocalizerProbability(0).withLesionCount(1, 1).withLesionSize(30, 40);
        int found = 0;
        int rightBranch = 0;
        int cases = 0;
        for (String cls : List.of("CYST", "HCC", "HEM", "ICC")) {
            GeneratedStudy study = new PhantomGenerator(options.withClassMix(ClassMix.parse(cls))).generateStudy(5, 0, out.resolve(cls));
            GroundTruth.Lesion lesion = study.truth().lesions().get(0);
            GroundTruth.Extent e = lesion.extents().stream().filter(x -> x.phase().equals("AP")).findFirst().orElseThrow();
            int k = (int) Math.round(e.centerSlice());
            GroundTruth.SliceBox truthBox = e.slices().stream().filter(s -> s.sliceIndex() == k).findFirst().orElseThrow();
            CtSlice slice = CtSliceReader.read(study.files().get(e.seriesInstanceUid()).get(k));
            int[][] img = window(slice);
            float[][] output = detect(img, 1)[0];
            boolean hit = false;
            for (double[] b : boxes(output)) {
                hit |= iou(b, new double[] {truthBox.box().x1(), truthBox.box().y1(), truthBox.box().x2(), truthBox.box().y2()}) >= 0.1;
            }
            found += hit ? 1 : 0;
            float[] bm = classify("bm", crop(img, truthBox.box().x1(), truthBox.box().y1(), truthBox.box().x2(), truthBox.box().y2()));
            boolean malignant = bm[1] > bm[0];
            rightBranch += malignant == LesionClass.valueOf(cls).malignant() ? 1 : 0;
            cases++;
        }
        assertThat(found).as("lesions of 3-4 cm found on their middle slice").isGreaterThanOrEqualTo(cases - 1);
        assertThat(rightBranch).as("benign/malignant right from one arterial crop").isGreaterThanOrEqualTo(cases - 1);
    }

    // --- the contract, in Java

    static List<String> labels(String role) {
        for (JsonNode m : manifest.path("models")) {
            if (m.path("role").asText().equals(role)) {
                List<String> out = new ArrayList<>();
                m.path("labels").forEach(l -> out.add(l.asText()));
                return out;
            }
        }
        throw new AssertionError(role);
    }

    /** HU -> 8 bits: window level 40, width 400, rounded to nearest, clamped. */
    static int[][] window(CtSlice s) {
        int[][] img = new int[s.rows()][s.columns()];
        for (int r = 0; r < s.rows(); r++) {
            for (int c = 0; c < s.columns(); c++) {
                double v = (s.hu(r, c) - (40 - 200.0)) / 400 * 255;
                img[r][c] = (int) Math.max(0, Math.min(255, Math.floor(v + 0.5)));
            }
        }
        return img;
    }

    /** The reference pattern of models/tools/write_reference.py. */
    static int[][] pattern() {
        int[][] img = new int[512][512];
        for (int r = 0; r < 512; r++) {
            for (int c = 0; c < 512; c++) {
                int v = 60 + (3 * r + 5 * c) % 64;
                if ((r - 200) * (r - 200) + (c - 300) * (c - 300) <= 400) {
                    v = 200;
                }
                if ((r - 350) * (r - 350) + (c - 150) * (c - 150) <= 144) {
                    v = 30;
                }
                img[r][c] = v;
            }
        }
        return img;
    }

    /** 224x224 square centred on the box (boxes here are smaller than 224), black outside the image. */
    static int[][] crop(int[][] img, double x1, double y1, double x2, double y2) {
        assertThat(Math.max(x2 - x1, y2 - y1)).isLessThanOrEqualTo(224);
        int x0 = (int) Math.floor((x1 + x2) / 2 - 112 + 0.5);
        int y0 = (int) Math.floor((y1 + y2) / 2 - 112 + 0.5);
        int[][] out = new int[224][224];
        for (int r = 0; r < 224; r++) {
            for (int c = 0; c < 224; c++) {
                int rr = y0 + r, cc = x0 + c;
                out[r][c] = rr < 0 || cc < 0 || rr >= img.length || cc >= img[0].length ? 0 : img[rr][cc];
            }
        }
        return out;
    }

    static float[][][] detect(int[][] img, int batch) throws Exception {
        float[] data = new float[batch * 3 * 512 * 512];
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < 3; ch++) {
                int base = (b * 3 + ch) * 512 * 512;
                for (int r = 0; r < 512; r++) {
                    for (int c = 0; c < 512; c++) {
                        data[base + r * 512 + c] = img[r][c] / 255f;
                    }
                }
            }
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {batch, 3, 512, 512});
             OrtSession.Result result = sessions.get("detector").run(Map.of("images", t))) {
            return (float[][][]) result.get(0).getValue();
        }
    }

    static float[] classify(String role, int[][] crop) throws Exception {
        float[] data = new float[3 * 224 * 224];
        for (int ch = 0; ch < 3; ch++) {
            for (int r = 0; r < 224; r++) {
                for (int c = 0; c < 224; c++) {
                    data[ch * 224 * 224 + r * 224 + c] = crop[r][c] / 255f * 2 - 1;
                }
            }
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {1, 3, 224, 224});
             OrtSession.Result result = sessions.get(role).run(Map.of("images", t))) {
            return ((float[][]) result.get(0).getValue())[0];
        }
    }

    /** Score >= 0.25, class-agnostic NMS at IoU 0.5; boxes x1, y1, x2, y2. */
    static List<double[]> boxes(float[][] out) {
        List<double[]> candidates = new ArrayList<>();
        for (int a = 0; a < out[0].length; a++) {
            if (out[4][a] >= 0.25) {
                candidates.add(new double[] {out[0][a] - out[2][a] / 2, out[1][a] - out[3][a] / 2, out[0][a] + out[2][a] / 2,
                        out[1][a] + out[3][a] / 2, out[4][a]});
            }
        }
        candidates.sort((p, q) -> Double.compare(q[4], p[4]));
        List<double[]> kept = new ArrayList<>();
        for (double[] c : candidates) {
            if (kept.stream().allMatch(k -> iou(k, c) <= 0.5)) {
                kept.add(c);
            }
        }
        return kept;
    }

    static double iou(double[] a, double[] b) {
        double ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        double iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        double inter = ix * iy;
        double union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union > 0 ? inter / union : 0;
    }
}
