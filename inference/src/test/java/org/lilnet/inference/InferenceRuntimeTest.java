package org.lilnet.inference;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Real ONNX Runtime sessions on the hand-checkable test models (see make_test_models.py). */
class InferenceRuntimeTest {

    private static final int ANCHORS = 5376;

    @TempDir
    Path dir;

    private static float sigmoid(double x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    @Test
    void runsTheDetectorAndFindsTheOneBrightCell() throws Exception {
        try (InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(TestModels.copyTo(dir), 1), EnumSet.of(ModelRole.DETECTOR))) {
            ModelSession detector = runtime.session(ModelRole.DETECTOR);
            assertThat(detector.itemOutputSize()).isEqualTo(5 * ANCHORS);
            FloatBuffer input = detector.allocateInput(2);
            // image 1 (the second): the stride-8 cell at grid row 16, column 8 is white, everything else black
            for (int c = 0; c < 3; c++) {
                for (int y = 128; y < 136; y++) {
                    for (int x = 64; x < 72; x++) {
                        input.put(detector.itemInputSize() + c * 512 * 512 + y * 512 + x, 1f);
                    }
                }
            }

            float[] out = detector.run(input, 2);

            assertThat(out).hasSize(2 * 5 * ANCHORS);
            int base = 5 * ANCHORS;
            int anchor = 16 * 64 + 8;
            assertThat(out[base + anchor]).isEqualTo(68f);                       // cx = (8 + 0.5) * 8
            assertThat(out[base + ANCHORS + anchor]).isEqualTo(132f);            // cy = (16 + 0.5) * 8
            assertThat(out[base + 2 * ANCHORS + anchor]).isEqualTo(16f);         // w
            assertThat(out[base + 4 * ANCHORS + anchor]).isCloseTo(sigmoid(10), within(1e-6f));
            assertThat(out[base + 4 * ANCHORS + anchor + 1]).isCloseTo(sigmoid(-30), within(1e-9f));
            assertThat(out[4 * ANCHORS + anchor]).as("first image is black").isCloseTo(sigmoid(-30), within(1e-9f));
            assertThat(out[base + 4 * ANCHORS + 4096]).as("stride 16 never fires").isZero();
            assertThat(runtime.provider().provider()).isEqualTo(ExecutionProvider.CPU);
        }
    }

    @Test
    void eachThreadGetsAnInputBufferOfItsOwnKeptForItsNextBatches() throws Exception {
        try (InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(TestModels.copyTo(dir), 1), EnumSet.of(ModelRole.DETECTOR))) {
            ModelSession detector = runtime.session(ModelRole.DETECTOR);
            java.nio.FloatBuffer mine = detector.threadInput(2);
            assertThat(mine.capacity()).isEqualTo(2 * detector.itemInputSize());
            assertThat(detector.threadInput(1)).as("a smaller batch: the same buffer").isSameAs(mine);
            java.nio.FloatBuffer larger = detector.threadInput(3);
            assertThat(larger.capacity()).isEqualTo(3 * detector.itemInputSize());
            assertThat(detector.threadInput(2)).as("kept once larger").isSameAs(larger);

            java.util.concurrent.atomic.AtomicReference<java.nio.FloatBuffer> other = new java.util.concurrent.atomic.AtomicReference<>();
            Thread thread = new Thread(() -> other.set(detector.threadInput(2)));
            thread.start();
            thread.join();
            assertThat(other.get()).as("another thread's buffer").isNotNull().isNotSameAs(larger);
        }
    }

    @Test
    void runsTheThreeClassifiersOnABatchInOrder() throws Exception {
        try (InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(TestModels.copyTo(dir), 1), ModelRole.CLASSIFIERS)) {
            ModelSession bm = runtime.session(ModelRole.BM);
            FloatBuffer input = bm.allocateInput(3);
            float[] means = {0.5f, -1f, 0.25f};
            for (int i = 0; i < 3; i++) {
                for (int p = 0; p < 224 * 224; p++) {
                    input.put(i * bm.itemInputSize() + p, means[i]);
                }
            }

            assertThat(bm.run(input, 3)).containsExactly(new float[] {-1f, 2f, 2f, -1f, -0.5f, 1.5f}, within(1e-5f));
            assertThat(runtime.session(ModelRole.M).run(input, 3))
                    .containsExactly(new float[] {0.5f, 1f, 1.5f, -1f, -2f, -3f, 0.25f, 0.5f, 0.75f}, within(1e-5f));
            assertThat(runtime.session(ModelRole.B).run(input, 3))
                    .containsExactly(new float[] {-0.5f, 0.5f, 0.5f, 1f, 0.5f, -1f, -0.25f, 0.5f, 0.25f}, within(1e-5f));
            assertThatThrownBy(() -> runtime.session(ModelRole.DETECTOR)).hasMessageContaining("no detector model was opened");
        }
    }

    @Test
    void cudaAskedForOnTheCpuBuildFallsBackToTheCpuWithOneLogLineSayingWhy() throws Exception {
        List<String> lines = new ArrayList<>();
        try (var capture = LogCapture.of(InferenceRuntime.class, lines)) {
            InferenceSettings settings = new InferenceSettings(TestModels.copyTo(dir), ExecutionProvider.CUDA, 0, 1);
            try (InferenceRuntime runtime = InferenceRuntime.open(settings, EnumSet.allOf(ModelRole.class))) {
                assertThat(runtime.provider().provider()).isEqualTo(ExecutionProvider.CPU);
                assertThat(runtime.provider().reason()).startsWith("inference.execution.provider=cuda but CUDA cannot be loaded (")
                        .endsWith("); running on the CPU");
                FloatBuffer input = runtime.session(ModelRole.BM).allocateInput(1);
                assertThat(runtime.session(ModelRole.BM).run(input, 1)).containsExactly(0f, 1f);
            }
        }
        assertThat(lines.stream().filter(l -> l.contains("execution provider")).toList()).singleElement().asString()
                .startsWith("execution provider CPU: inference.execution.provider=cuda but CUDA cannot be loaded");
    }

    @Test
    void acceptsADetectorWithAFixedBatchAndFeedsItOneImageAtATime() throws Exception {
        Path manifest = TestModels.copyTo(dir);
        TestModels.editEntry(manifest, "detector", node -> {
            node.put("file", "test-detector-fixed1.onnx");
            node.put("sha256", TestModels.sha256(dir.resolve("test-detector-fixed1.onnx")));
            node.withArray("/input/shape").set(0, 1);
            node.withArray("/output/shape").set(0, 1);
        });
        try (InferenceRuntime runtime = InferenceRuntime.open(InferenceSettings.cpu(manifest, 1), EnumSet.of(ModelRole.DETECTOR))) {
            ModelSession detector = runtime.session(ModelRole.DETECTOR);
            assertThat(detector.fixedBatch()).isEqualTo(1);
            FloatBuffer input = detector.allocateInput(3);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    input.put(2 * detector.itemInputSize() + y * 512 + x, 1f);
                }
            }
            float[] out = detector.run(input, 3);
            assertThat(out).hasSize(3 * 5 * ANCHORS);
            assertThat(out[2 * 5 * ANCHORS + 4 * ANCHORS]).as("third image, first cell").isGreaterThan(0.99f);
            assertThat(out[5 * ANCHORS + 4 * ANCHORS]).as("second image, first cell").isLessThan(1e-6f);
        }
    }

    @Test
    void refusesAFixedBatchGraphDeclaredDynamic() {
        Path manifest = TestModels.copyTo(dir);
        TestModels.editEntry(manifest, "detector", node -> {
            node.put("file", "test-detector-fixed1.onnx");
            node.put("sha256", TestModels.sha256(dir.resolve("test-detector-fixed1.onnx")));
        });
        assertThatThrownBy(() -> InferenceRuntime.open(InferenceSettings.cpu(manifest, 1), EnumSet.of(ModelRole.DETECTOR)))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("graph input images is [1, 3, 512, 512], the manifest declares [-1, 3, 512, 512]");
    }

    @Test
    void refusesAFileWhoseHashDiffers() {
        Path manifest = TestModels.copyTo(dir);
        TestModels.editEntry(manifest, "b", node -> node.put("sha256", "ab".repeat(32)));

        assertThatThrownBy(() -> InferenceRuntime.open(InferenceSettings.cpu(manifest, 1), ModelRole.CLASSIFIERS))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("b model test-mean-b 0.0.1 (test-b.onnx): sha256 of " + dir.toAbsolutePath().resolve("test-b.onnx")
                        + " is " + TestModels.sha256(dir.resolve("test-b.onnx")) + ", the manifest says " + "ab".repeat(32));
    }

    @Test
    void refusesADetectorExportedAt640EvenWhenTheManifestClaims512() {
        Path manifest = TestModels.copyTo(dir);
        TestModels.editEntry(manifest, "detector", node -> {
            node.put("file", "test-detector-640.onnx");
            node.put("sha256", TestModels.sha256(dir.resolve("test-detector-640.onnx")));
        });
        assertThatThrownBy(() -> InferenceRuntime.open(InferenceSettings.cpu(manifest, 1), EnumSet.of(ModelRole.DETECTOR)))
                .hasMessageContaining("graph input images is [dynamic, 3, 640, 640], the manifest declares [-1, 3, 512, 512]");
    }

    @Test
    void refusesAClassifierWithMoreLogitsThanLabelsFoundByTheProbeRun() {
        Path manifest = TestModels.copyTo(dir);
        TestModels.editEntry(manifest, "bm", node -> {
            node.put("file", "test-bm-3.onnx");
            node.put("sha256", TestModels.sha256(dir.resolve("test-bm-3.onnx")));
        });
        assertThatThrownBy(() -> InferenceRuntime.open(InferenceSettings.cpu(manifest, 1), ModelRole.CLASSIFIERS))
                .isInstanceOf(ModelContractException.class)
                .satisfies(e -> assertThat(((ModelContractException) e).problems()).singleElement().asString()
                        .contains("bm model test-mean-bm").containsAnyOf("gave logits [2, 3], the manifest declares [-1, 2]",
                                "graph output logits is [dynamic, 3], the manifest declares [-1, 2]"));
    }

    @Test
    void namesAMissingRole() throws Exception {
        Path manifest = TestModels.copyTo(dir);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(manifest.toFile());
        root.withArray("models").remove(3);
        json.writeValue(manifest.toFile(), root);

        assertThatThrownBy(() -> InferenceRuntime.open(InferenceSettings.cpu(manifest, 1), ModelRole.CLASSIFIERS))
                .isInstanceOf(ModelContractException.class)
                .hasMessageContaining("no model with role 'b' in the manifest");
    }

    @Test
    void namesAMissingFile() {
        Path manifest = TestModels.copyTo(dir);
        TestModels.editEntry(manifest, "m", node -> node.put("file", "absent.onnx"));

        assertThatThrownBy(() -> InferenceRuntime.open(InferenceSettings.cpu(manifest, 1), ModelRole.CLASSIFIERS))
                .hasMessageContaining("m model test-mean-m 0.0.1 (absent.onnx): file " + dir.toAbsolutePath().resolve("absent.onnx") + " does not exist");
    }

    /** Collects the formatted messages a logger writes while open. */
    static final class LogCapture extends AbstractAppender implements AutoCloseable {
        private final List<String> lines;
        private final String loggerName;

        private LogCapture(String loggerName, List<String> lines) {
            super("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
            this.lines = lines;
            this.loggerName = loggerName;
        }

        static LogCapture of(Class<?> type, List<String> lines) {
            LogCapture capture = new LogCapture(type.getName(), lines);
            capture.start();
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            Configuration config = context.getConfiguration();
            LoggerConfig logger = new LoggerConfig(type.getName(), Level.INFO, true);
            logger.addAppender(capture, Level.INFO, null);
            config.addLogger(type.getName(), logger);
            context.updateLoggers();
            return capture;
        }

        @Override
        public void append(LogEvent event) {
            synchronized (lines) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        }

        @Override
        public void close() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            context.getConfiguration().removeLogger(loggerName);
            context.updateLoggers();
            stop();
        }
    }
}
