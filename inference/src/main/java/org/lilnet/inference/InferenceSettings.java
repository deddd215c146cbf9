package org.lilnet.inference;

import org.lilnet.common.config.Config;

import java.nio.file.Path;

/**
 * How a service runs its models.
 *
 * @param manifest         the model manifest
 * @param provider         the execution provider asked for
 * @param cudaDevice       CUDA device id (when {@code provider} is CUDA)
 * @param intraOpThreads   threads per model for one inference; 0 lets ONNX Runtime choose (one per physical core)
 */
public record InferenceSettings(Path manifest, ExecutionProvider provider, int cudaDevice, int intraOpThreads) {

    /** Settings from a service configuration that declares {@link InferenceKeys#ALL}. */
    public static InferenceSettings from(Config config) {
        return new InferenceSettings(config.get(InferenceKeys.MODELS_MANIFEST), config.get(InferenceKeys.EXECUTION_PROVIDER),
                config.get(InferenceKeys.CUDA_DEVICE), config.get(InferenceKeys.INTRA_OP_THREADS));
    }

    public static InferenceSettings cpu(Path manifest, int intraOpThreads) {
        return new InferenceSettings(manifest, ExecutionProvider.CPU, 0, intraOpThreads);
    }

    /**
     * How many batches a worker runs at once for worker.inference.streams {@code configured}; 0 (automatic): as many as
     * the cores on the CPU, one on a GPU, which takes one batch at a time best (asked for CUDA and fallen back to the
     * CPU: still one, with ONNX Runtime's threads).
     */
    public int streams(int configured, int cores) {
        if (configured > 0) {
            return configured;
        }
        return provider == ExecutionProvider.CUDA ? 1 : Math.max(1, cores);
    }

    /**
     * The settings for {@code streams} batches running at once through the same sessions (worker.inference.streams):
     * ONNX Runtime's own choice (0) would give every run a thread per core, streams x cores threads on the cores, so it
     * becomes the cores shared out among the streams, at least one each. A number the operator set is kept.
     */
    public InferenceSettings sharedBy(int streams, int cores) {
        if (intraOpThreads != 0 || streams <= 1) {
            return this;
        }
        return new InferenceSettings(manifest, provider, cudaDevice, Math.max(1, cores / streams));
    }
}
