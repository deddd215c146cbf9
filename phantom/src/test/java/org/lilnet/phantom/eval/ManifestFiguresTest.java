package org.lilnet.phantom.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ManifestFiguresTest {

    @Test
    void printsTheJavaAndThePythonFiguresEachUnderItsName(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, """
                {"manifestVersion": 1, "models": [
                  {"role": "bm", "name": "n", "version": "1", "file": "bm.onnx", "sha256": "0123456789abcdef",
                   "metrics": {"heldOut": {"pipeline": "python", "evaluation": "evaluate_heldout.py", "generatorSeed": 2002, "patients": 72,
                     "bm": {"n": 72, "acc": 0.8194, "acc95": [0.7222, 0.9028]},
                     "java": {"pipeline": "java", "evaluation": "bin/lilnet eval --run H", "generatorSeed": 2002, "patients": 72,
                       "bm": {"n": 72, "acc": 0.875}}}}},
                  {"role": "detector", "name": "d", "version": "1", "file": "d.onnx", "sha256": "ab", "metrics": {"heldOut": {}}}
                ]}
                """);

        String text = ManifestFigures.text(manifest);

        int java = text.indexOf("through the services' Java stage code (bin/lilnet eval --run H)");
        int python = text.indexOf("Python evaluation (evaluate_heldout.py)");
        assertThat(java).isPositive();
        assertThat(python).isGreaterThan(java);
        assertThat(text.substring(java, python)).contains("bm  n=72  ACC 87.5");
        assertThat(text.substring(python)).contains("ACC 81.9 (72.2-90.3)");
        assertThat(text).contains("detector d 1 (d.onnx, sha256 ab)").contains("no held-out figures recorded");
    }
}
