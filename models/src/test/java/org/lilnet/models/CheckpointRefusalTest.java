package org.lilnet.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** export_classifier.py refuses checkpoints that do not fit, says why on stderr, and writes nothing. */
class CheckpointRefusalTest {

    private static final Path EXPORTER = PythonTool.TOOLS.resolve("export_classifier.py");

    @Test
    void aCheckpointWithARenamedKeyIsRefusedAndTheMessageListsTheKey() throws Exception {
        Path dir = PythonTool.WORK.resolve("renamed");
        ClassifierExport.deleteRecursively(dir);
        Path checkpoint = dir.resolve("renamed.pth.tar");
        PythonTool.run(PythonTool.TEST_PYTHON.resolve("export_fixture.py"), "checkpoint", "--classes", "2",
                "--seed", "5", "--out", checkpoint.toString(),
                "--rename-key", "layer2.1.conv2.weight", "layer2.1.conv2.weights").requireSuccess();
        Path manifest = dir.resolve("models/manifest.json");

        PythonTool.Result result = PythonTool.run(EXPORTER, checkpoint.toString(), "--role", "bm",
                "--manifest", manifest.toString());

        System.out.println("renamed key, stderr: " + result.stderr().strip());
        assertThat(result.exitStatus()).isEqualTo(2);
        assertThat(result.stderr())
                .contains("does not match the LiLNet classifier")
                .contains("missing keys (1): layer2.1.conv2.weight")
                .contains("unexpected keys (1): module.layer2.1.conv2.weights");
        assertThat(result.stdout()).isEmpty();
        assertThat(manifest).doesNotExist();
        assertThat(manifest.resolveSibling("lilnet-bm.onnx")).doesNotExist();
    }

    @Test
    void aCheckpointWithTheWrongClassCountForTheRoleIsRefused() throws Exception {
        ClassifierExport three = ClassifierExport.of(3);
        Path manifest = PythonTool.WORK.resolve("wrong-role/manifest.json");
        ClassifierExport.deleteRecursively(manifest.getParent());

        PythonTool.Result result = PythonTool.run(EXPORTER, three.checkpoint().toString(), "--role", "bm",
                "--manifest", manifest.toString());

        System.out.println("wrong role, stderr: " + result.stderr().strip());
        assertThat(result.exitStatus()).isEqualTo(2);
        assertThat(result.stderr()).contains("has 3 classes, but role 'bm' has 2 labels");
        assertThat(manifest).doesNotExist();
    }

    @Test
    void aMissingCheckpointIsRefused() throws Exception {
        Path missing = PythonTool.WORK.resolve("no-such/Time_B.pth.tar");

        PythonTool.Result result = PythonTool.run(EXPORTER, missing.toString(), "--role", "b",
                "--manifest", PythonTool.WORK.resolve("no-such/models/manifest.json").toString());

        assertThat(result.exitStatus()).isEqualTo(2);
        assertThat(result.stderr()).contains(missing + ": no such file");
    }
}
