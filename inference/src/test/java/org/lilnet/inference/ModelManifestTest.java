package org.lilnet.inference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelManifestTest {

    @TempDir
    Path dir;

    @Test
    void readsEveryEntryWithFilesRelativeToTheManifest() throws Exception {
        ModelManifest manifest = ModelManifest.load(TestModels.copyTo(dir));

        ModelEntry detector = manifest.entry(ModelRole.DETECTOR).orElseThrow();
        assertThat(detector.file()).isEqualTo(dir.toAbsolutePath().resolve("test-detector.onnx"));
        assertThat(detector.input()).isEqualTo(new TensorSpec("images", new long[] {-1, 3, 512, 512}, "float32"));
        assertThat(detector.output()).isEqualTo(new TensorSpec("output0", new long[] {-1, 5, 5376}, "float32"));
        assertThat(detector.labels()).containsExactly("lesion");
        assertThat(detector.sha256()).isEqualTo(TestModels.sha256(detector.file()));
        assertThat(manifest.entry(ModelRole.M).orElseThrow().labels()).containsExactly("HCC", "ICC", "MET");
        assertThat(manifest.entries()).extracting(ModelEntry::role).containsExactly(ModelRole.DETECTOR, ModelRole.BM, ModelRole.M, ModelRole.B);
        assertThat(detector.ref().getRole()).isEqualTo("detector");
        assertThat(detector.ref().getName()).isEqualTo("test-bright-cell-detector");
    }

    @Test
    void refusesAStructurallyBrokenManifestNamingEveryProblem() throws Exception {
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, """
                {"manifestVersion": 2, "models": [
                  {"role": "segmenter", "name": "x", "version": "1", "file": "x.onnx", "sha256": "abc",
                   "input": {"name": "images", "shape": [-1, 3, 512, 512], "dtype": "float32"},
                   "output": {"name": "o", "shape": [-1, 0], "dtype": "float32"}, "labels": [], "source": {"kind": "test"}},
                  {"role": "bm", "name": "bm", "version": "1", "file": "bm.onnx", "sha256": "%s",
                   "input": {"name": "images", "shape": [-1, 3, 224, 224], "dtype": "float32"},
                   "output": {"name": "logits", "shape": [-1, 2], "dtype": "float32"}, "labels": ["benign", "malignant"],
                   "source": {"kind": "lilnet-checkpoint"}}
                ]}""".formatted("0".repeat(64)));

        assertThatThrownBy(() -> ModelManifest.load(manifest))
                .isInstanceOf(ModelContractException.class)
                .satisfies(e -> assertThat(((ModelContractException) e).problems()).containsExactlyInAnyOrder(
                        "manifestVersion is 2, this service reads version 1",
                        "models[0].role 'segmenter' is not one of detector, bm, m, b",
                        "models[0].sha256 must be 64 hex digits, is 'abc'",
                        "models[0].output.shape[1] is 0: must be a positive integer or -1 (dynamic)",
                        "models[0].labels must be a non-empty array of strings",
                        "models[1] (bm).source.checkpoint is missing or not a string",
                        "models[1] (bm).source.checkpointSha256 is missing or not a string"));
    }

    @Test
    void refusesTwoModelsForOneRole() throws Exception {
        Path manifest = TestModels.copyTo(dir);
        TestModels.editEntry(manifest, "m", node -> node.put("role", "bm"));

        assertThatThrownBy(() -> ModelManifest.load(manifest)).hasMessageContaining("role 'bm' appears twice");
    }

    @Test
    void saysWhenTheManifestIsNotJson() throws Exception {
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, "{\"manifestVersion\": 1,");

        assertThatThrownBy(() -> ModelManifest.load(manifest)).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ModelManifest.load(dir.resolve("absent.json"))).hasMessageContaining("cannot be read");
    }

    @Test
    void contractLabelsAreThoseOfThePaper() {
        assertThat(List.of(ModelRole.BM.contractLabels(), ModelRole.M.contractLabels(), ModelRole.B.contractLabels())).containsExactly(
                List.of("benign", "malignant"), List.of("HCC", "ICC", "MET"), List.of("FNH", "HEM", "CYST"));
    }
}
