package org.lilnet.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX Runtime session of one model, loaded once and reused for every batch. Takes a batch of images as floats
 * ({@code batch x 3 x size x size}, NCHW) and returns the declared output as floats ({@code batch x itemOutputSize}).
 * A graph with a fixed batch (e.g. a detector exported without dynamic axes) is fed in groups of that size, the last
 * one padded with zeros.
 */
public final class ModelSession implements AutoCloseable {

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final ModelEntry entry;
    private final int fixedBatch;
    private final int itemInputSize;
    private final int itemOutputSize;
    private final long[] itemInputShape;
    /** Each calling thread's input buffer (a worker may run batches on several threads through one session). */
    private final ThreadLocal<FloatBuffer> threadInputs = new ThreadLocal<>();

    ModelSession(OrtEnvironment environment, OrtSession session, ModelEntry entry) {
        this.environment = environment;
        this.session = session;
        this.entry = entry;
        long batchDim = entry.input().dim(0);
        this.fixedBatch = batchDim == TensorSpec.DYNAMIC ? 0 : (int) batchDim;
        this.itemInputShape = java.util.Arrays.copyOfRange(entry.input().shape(), 1, entry.input().rank());
        this.itemInputSize = (int) product(itemInputShape);
        long[] out = entry.output().shape();
        this.itemOutputSize = (int) product(java.util.Arrays.copyOfRange(out, 1, out.length));
    }

    public ModelEntry entry() {
        return entry;
    }

    /** Floats of one input image ({@code 3 x size x size}). */
    public int itemInputSize() {
        return itemInputSize;
    }

    /** Floats of one image's output (e.g. {@code 5 x 5376} for the detector, {@code N} for a classifier). */
    public int itemOutputSize() {
        return itemOutputSize;
    }

    /** The batch size the graph fixes, or 0 when the batch is dynamic. */
    public int fixedBatch() {
        return fixedBatch;
    }

    /** A direct buffer for up to {@code batch} input images, the form ONNX Runtime reads without a copy. */
    public FloatBuffer allocateInput(int batch) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(Math.max(batch, Math.max(1, fixedBatch)), itemInputSize) * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * The calling thread's own input buffer for up to {@code batch} images, kept and reused by its next calls (made
     * larger when a batch needs it): one buffer per thread, so that threads running batches at once never share one.
     */
    public FloatBuffer threadInput(int batch) {
        FloatBuffer input = threadInputs.get();
        if (input == null || input.capacity() < (long) Math.max(batch, fixedBatch) * itemInputSize) {
            input = allocateInput(batch);
            threadInputs.set(input);
        }
        return input;
    }

    /**
     * Runs the model on the first {@code batch} images of {@code input} (from index 0, whatever its position).
     *
     * @return {@code batch * itemOutputSize()} floats, image after image
     */
    public float[] run(FloatBuffer input, int batch) throws OrtException {
        if (batch <= 0) {
            return new float[0];
        }
        if (fixedBatch == 0 || fixedBatch == batch) {
            return runOnce(region(input, 0, batch), batch);
        }
        float[] out = new float[batch * itemOutputSize];
        FloatBuffer padded = allocateInput(fixedBatch);
        for (int start = 0; start < batch; start += fixedBatch) {
            int n = Math.min(fixedBatch, batch - start);
            padded.clear();
            padded.put(region(input, start, n));
            while (padded.hasRemaining()) {
                padded.put(0f);
            }
            float[] part = runOnce(region(padded, 0, fixedBatch), fixedBatch);
            System.arraycopy(part, 0, out, start * itemOutputSize, n * itemOutputSize);
        }
        return out;
    }

    /** Runs a batch of zeros and returns the output's shape (the load-time contract check). */
    long[] probe(int batch) throws OrtException {
        FloatBuffer zeros = allocateInput(batch);
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, region(zeros, 0, batch), inputShape(batch));
             OrtSession.Result result = session.run(Map.of(entry.input().name(), tensor), Set.of(entry.output().name()))) {
            OnnxValue value = result.get(entry.output().name()).orElseThrow();
            return ((TensorInfo) value.getInfo()).getShape();
        }
    }

    private float[] runOnce(FloatBuffer images, int batch) throws OrtException {
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, images, inputShape(batch));
             OrtSession.Result result = session.run(Map.of(entry.input().name(), tensor), Set.of(entry.output().name()))) {
            OnnxTensor output = (OnnxTensor) result.get(entry.output().name()).orElseThrow();
            FloatBuffer values = output.getFloatBuffer();
            if (values.remaining() != (long) batch * itemOutputSize) {
                throw new IllegalStateException(entry + " returned " + values.remaining() + " values for " + batch + " images, expected "
                        + (long) batch * itemOutputSize + " (shape " + TensorSpec.format(output.getInfo().getShape()) + ")");
            }
            float[] out = new float[values.remaining()];
            values.get(out);
            return out;
        }
    }

    private long[] inputShape(int batch) {
        long[] shape = new long[itemInputShape.length + 1];
        shape[0] = batch;
        System.arraycopy(itemInputShape, 0, shape, 1, itemInputShape.length);
        return shape;
    }

    private FloatBuffer region(FloatBuffer buffer, int firstImage, int images) {
        FloatBuffer view = buffer.duplicate();
        view.limit((firstImage + images) * itemInputSize);
        view.position(firstImage * itemInputSize);
        return view.slice();
    }

    /** The graph's inputs and outputs as ONNX Runtime reports them. */
    static Map<String, ModelContract.GraphTensor> signature(Map<String, NodeInfo> nodes) {
        Map<String, ModelContract.GraphTensor> out = new LinkedHashMap<>();
        nodes.forEach((name, node) -> {
            if (node.getInfo() instanceof TensorInfo t) {
                long[] shape = t.getShape().clone();
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shape[i] < 1 ? TensorSpec.DYNAMIC : shape[i];
                }
                String dtype = t.type == ai.onnxruntime.OnnxJavaType.FLOAT ? ModelContract.FLOAT32 : t.type.name().toLowerCase(java.util.Locale.ROOT);
                out.put(name, new ModelContract.GraphTensor(shape, dtype));
            } else {
                out.put(name, new ModelContract.GraphTensor(new long[0], "not a tensor (" + node.getInfo() + ")"));
            }
        });
        return out;
    }

    OrtSession session() {
        return session;
    }

    private static long product(long[] dims) {
        long p = 1;
        for (long d : dims) {
            p *= d;
        }
        return p;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the session of " + entry + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return entry.toString();
    }
}
