package org.lilnet.inference;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModelContractTest {

    private static ModelEntry detector(long[] in, long[] out, List<String> labels) {
        return new ModelEntry(ModelRole.DETECTOR, "d", "1", Path.of("d.onnx"), "0".repeat(64),
                new TensorSpec("images", in, "float32"), new TensorSpec("output0", out, "float32"), labels, "test");
    }

    private static ModelEntry classifier(ModelRole role, long[] out, List<String> labels) {
        return new ModelEntry(role, "c", "1", Path.of("c.onnx"), "0".repeat(64),
                new TensorSpec("images", new long[] {-1, 3, 224, 224}, "float32"), new TensorSpec("logits", out, "float32"), labels, "test");
    }

    @Test
    void anchorsOfAYoloV8HeadFollowTheInputSize() {
        // 64x64 + 32x32 + 16x16 cells at strides 8, 16, 32
        assertThat(ModelContract.anchorsAt(512)).isEqualTo(4096 + 1024 + 256).isEqualTo(5376);
        assertThat(ModelContract.anchorsAt(640)).isEqualTo(8400);
    }

    @Test
    void acceptsTheContractShapesWithADynamicOrFixedBatch() {
        assertThat(ModelContract.checkDeclared(detector(new long[] {-1, 3, 512, 512}, new long[] {-1, 5, 5376}, List.of("lesion")))).isEmpty();
        assertThat(ModelContract.checkDeclared(detector(new long[] {1, 3, 512, 512}, new long[] {1, 5, 5376}, List.of("lesion")))).isEmpty();
        // two classes: 4 box rows + 2 scores
        assertThat(ModelContract.checkDeclared(detector(new long[] {-1, 3, 512, 512}, new long[] {-1, 6, 5376}, List.of("a", "b")))).isEmpty();
        assertThat(ModelContract.checkDeclared(classifier(ModelRole.M, new long[] {-1, 3}, List.of("HCC", "ICC", "MET")))).isEmpty();
    }

    @Test
    void refusesADetectorExportedAt640NamingTheAnchors() {
        List<String> problems = ModelContract.checkDeclared(detector(new long[] {-1, 3, 640, 640}, new long[] {-1, 5, 8400}, List.of("lesion")));

        assertThat(problems).containsExactly(
                "detector model d 1 (d.onnx): input images is declared [-1, 3, 640, 640], the detector contract wants [B, 3, 512, 512]",
                "detector model d 1 (d.onnx): output output0 is declared [-1, 5, 8400], the detector contract wants [B, 5, 5376]"
                        + " (rows cx, cy, w, h and one score per label, 5376 anchors at 512 with strides 8, 16, 32)");
    }

    @Test
    void refusesADetectorWhoseScoreRowsDoNotMatchItsLabels() {
        assertThat(ModelContract.checkDeclared(detector(new long[] {-1, 3, 512, 512}, new long[] {-1, 5, 5376}, List.of("a", "b"))))
                .singleElement().asString().contains("wants [B, 6, 5376]");
    }

    @Test
    void refusesClassifierLabelsInAnotherOrderOrCount() {
        assertThat(ModelContract.checkDeclared(classifier(ModelRole.M, new long[] {-1, 3}, List.of("HCC", "MET", "ICC"))))
                .containsExactly("m model c 1 (c.onnx): labels are [HCC, MET, ICC], the contract's m labels are [HCC, ICC, MET] (same names, same order)");
        assertThat(ModelContract.checkDeclared(classifier(ModelRole.BM, new long[] {-1, 3}, List.of("benign", "malignant"))))
                .containsExactly("bm model c 1 (c.onnx): output logits is declared [-1, 3], the bm contract wants [B, 2]");
    }

    @Test
    void refusesAnotherElementType() {
        ModelEntry e = new ModelEntry(ModelRole.BM, "c", "1", Path.of("c.onnx"), "0".repeat(64),
                new TensorSpec("images", new long[] {-1, 3, 224, 224}, "float16"), new TensorSpec("logits", new long[] {-1, 2}, "float32"),
                List.of("benign", "malignant"), "test");
        assertThat(ModelContract.checkDeclared(e)).containsExactly("bm model c 1 (c.onnx): input images has dtype float16, the contract wants float32");
    }

    @Test
    void comparesTheGraphWithTheDeclaration() {
        ModelEntry e = detector(new long[] {-1, 3, 512, 512}, new long[] {-1, 5, 5376}, List.of("lesion"));
        var symbolicOutput = Map.of("output0", new ModelContract.GraphTensor(new long[] {-1, -1, -1}, "float32"));

        assertThat(ModelContract.checkGraph(e, Map.of("images", new ModelContract.GraphTensor(new long[] {-1, 3, 512, 512}, "float32")),
                symbolicOutput)).isEmpty();
        assertThat(ModelContract.checkGraph(e, Map.of("images", new ModelContract.GraphTensor(new long[] {1, 3, 640, 640}, "float32")),
                symbolicOutput)).containsExactly(
                "detector model d 1 (d.onnx): graph input images is [1, 3, 640, 640], the manifest declares [-1, 3, 512, 512]");
        assertThat(ModelContract.checkGraph(e, Map.of("input", new ModelContract.GraphTensor(new long[] {-1, 3, 512, 512}, "float32")),
                symbolicOutput)).containsExactly("detector model d 1 (d.onnx): the manifest names input 'images' but the graph's inputs are [input]");
    }

    @Test
    void comparesAProbeRunWithTheDeclaration() {
        ModelEntry e = detector(new long[] {-1, 3, 512, 512}, new long[] {-1, 5, 5376}, List.of("lesion"));

        assertThat(ModelContract.checkProbe(e, 2, new long[] {2, 5, 5376})).isEmpty();
        assertThat(ModelContract.checkProbe(e, 2, new long[] {2, 5, 8400})).containsExactly(
                "detector model d 1 (d.onnx): a probe run with 2 image(s) gave output0 [2, 5, 8400], the manifest declares [-1, 5, 5376]"
                        + " (5376 anchors at 512 with strides 8, 16, 32)");
    }
}
