package org.lilnet.inference;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class InferenceSettingsTest {

    private static final Path MANIFEST = Path.of("models/manifest.json");

    @Test
    void onnxRuntimesOwnChoiceIsSharedOutAmongTheStreams() {
        assertThat(InferenceSettings.cpu(MANIFEST, 0).sharedBy(2, 8).intraOpThreads()).isEqualTo(4);
        assertThat(InferenceSettings.cpu(MANIFEST, 0).sharedBy(3, 8).intraOpThreads()).isEqualTo(2);
        assertThat(InferenceSettings.cpu(MANIFEST, 0).sharedBy(4, 2).intraOpThreads()).as("at least one each").isEqualTo(1);
    }

    @Test
    void automaticStreamsAreTheCoresOnTheCpuAndOneOnAGpu() {
        assertThat(InferenceSettings.cpu(MANIFEST, 0).streams(0, 8)).isEqualTo(8);
        assertThat(new InferenceSettings(MANIFEST, ExecutionProvider.CUDA, 0, 0).streams(0, 8)).isEqualTo(1);
        assertThat(new InferenceSettings(MANIFEST, ExecutionProvider.CUDA, 0, 0).streams(3, 8)).as("the operator's number").isEqualTo(3);
        assertThat(InferenceSettings.cpu(MANIFEST, 0).streams(2, 8)).isEqualTo(2);
    }

    @Test
    void oneStreamOrANumberTheOperatorSetIsKept() {
        assertThat(InferenceSettings.cpu(MANIFEST, 0).sharedBy(1, 8).intraOpThreads()).as("ONNX Runtime still chooses").isZero();
        assertThat(InferenceSettings.cpu(MANIFEST, 3).sharedBy(2, 8).intraOpThreads()).isEqualTo(3);
    }
}
