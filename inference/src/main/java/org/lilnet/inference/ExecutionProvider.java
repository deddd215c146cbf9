package org.lilnet.inference;

/** Where ONNX Runtime executes the models. */
public enum ExecutionProvider {
    /** The CPU, always available. */
    CPU,
    /** An NVIDIA GPU through the CUDA execution provider: needs the {@code onnxruntime_gpu} build (Maven profile {@code gpu}), CUDA 12 and cuDNN 9. */
    CUDA
}
