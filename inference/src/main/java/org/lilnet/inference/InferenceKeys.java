package org.lilnet.inference;

import org.lilnet.common.config.ConfigKey;

import java.nio.file.Path;
import java.util.List;

/** Configuration keys of every service that runs models (detector-worker, classifier-worker). */
public final class InferenceKeys {

    private InferenceKeys() {
    }

    public static final ConfigKey<Path> MODELS_MANIFEST = ConfigKey.path("models.manifest",
                    "The model manifest (models/manifest.json): which ONNX file plays which role, with SHA-256, input/output and labels. "
                            + "Files are checked against it and against the model contract at start-up; a mismatch stops the service with the difference.")
            .withDefault(Path.of("models/manifest.json"));

    public static final ConfigKey<ExecutionProvider> EXECUTION_PROVIDER = ConfigKey.choice("inference.execution.provider", ExecutionProvider.class,
                    "Where ONNX Runtime runs the models. cuda needs the GPU build (Maven profile gpu), CUDA 12 and cuDNN 9; when CUDA cannot "
                            + "be loaded the service runs on the CPU and says why in one log line.")
            .withDefault(ExecutionProvider.CPU);

    public static final ConfigKey<Integer> CUDA_DEVICE = ConfigKey.integer("inference.cuda.device",
                    "CUDA device id used when inference.execution.provider is cuda.")
            .withDefault(0).validatedBy(ConfigKey.between(0, 64), "between 0 and 64");

    public static final ConfigKey<Integer> INTRA_OP_THREADS = ConfigKey.integer("inference.intra.op.threads",
                    "Threads ONNX Runtime uses inside one inference of a model; 0 lets ONNX Runtime choose (one per physical core), or, "
                            + "when the worker runs several batches at once (worker.inference.streams), shares the cores out among them.")
            .withDefault(0).validatedBy(ConfigKey.between(0, 256), "between 0 and 256");

    public static final ConfigKey<Path> TEMP_DIR = ConfigKey.path("temp.dir",
                    "The process's temporary directory (java.io.tmpdir). ONNX Runtime unpacks its native library there and leaves an empty "
                            + "folder behind; old ones are removed at start-up.")
            .withDefault(Path.of("data/tmp"));

    public static final List<ConfigKey<?>> ALL = List.of(MODELS_MANIFEST, EXECUTION_PROVIDER, CUDA_DEVICE, INTRA_OP_THREADS, TEMP_DIR);
}
