package dev.mtdtl.tensor;

import java.util.Arrays;

/**
 * A float32 tensor: a shape and a contiguous row-major buffer (NCHW for images).
 *
 * <p>Deliberately small. There are no strides: every tensor is contiguous, so a kernel sees a plain
 * {@code float[]} and a few dimensions. {@link #view} reinterprets the same buffer under another shape
 * with the same element count (a reshape costs nothing). Ops never allocate behind the caller's back:
 * the caller owns outputs, and layers preallocate activations per batch shape.
 */
public final class Tensor {

    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /** A zero tensor of the given shape. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shape.numel(shape)], shape.clone());
    }

    /** Wrap {@code data} (not copied) under {@code shape}; the lengths must agree. */
    public static Tensor of(float[] data, int... shape) {
        long n = Shape.numelLong(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " holds " + n
                    + " elements but the buffer has " + data.length);
        }
        return new Tensor(data, shape.clone());
    }

    /** The same buffer under another shape with the same number of elements. */
    public Tensor view(int... newShape) {
        long n = Shape.numelLong(newShape);
        if (n != data.length) {
            throw new IllegalArgumentException("cannot view " + Shape.str(shape) + " (" + data.length
                    + " elements) as " + Shape.str(newShape) + " (" + n + " elements)");
        }
        return new Tensor(data, newShape.clone());
    }

    /** A deep copy. */
    public Tensor copy() {
        return new Tensor(data.clone(), shape.clone());
    }

    /** The backing buffer (shared, not copied). */
    public float[] data() {
        return data;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of axis {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int numel() {
        return data.length;
    }

    /** True if the shape equals {@code s}. */
    public boolean hasShape(int... s) {
        return Arrays.equals(shape, s);
    }

    /** Throw an exception naming {@code what} and both shapes unless the shape equals {@code expected}. */
    public Tensor requireShape(String what, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + Shape.str(expected) + ", got "
                    + Shape.str(shape));
        }
        return this;
    }

    public void fill(float v) {
        Arrays.fill(data, v);
    }

    /** Copy the contents of {@code src} (same element count) into this tensor. */
    public void copyFrom(Tensor src) {
        if (src.data.length != data.length) {
            throw new IllegalArgumentException("copy from " + Shape.str(src.shape) + " into "
                    + Shape.str(shape) + ": element counts differ");
        }
        System.arraycopy(src.data, 0, data, 0, data.length);
    }

    @Override
    public String toString() {
        return "Tensor" + Shape.str(shape);
    }
}
