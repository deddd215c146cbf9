package org.lilnet.inference;

import java.util.Arrays;

/**
 * A model input or output as the manifest declares it: name, shape ({@value #DYNAMIC} = dynamic, the batch) and
 * element type.
 */
public record TensorSpec(String name, long[] shape, String dtype) {

    public static final long DYNAMIC = -1;

    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    /** {@code [-1, 3, 512, 512]}. */
    public static String format(long[] shape) {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && Arrays.equals(t.shape, shape) && t.dtype.equals(dtype);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + format(shape) + " " + dtype;
    }
}
