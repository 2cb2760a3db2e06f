package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;

/**
 * An output or gradient tensor owned by a layer, reallocated only when the batch shape changes, so
 * that steady-state training allocates nothing.
 */
final class Buffers {

    private Buffers() {}

    /** {@code t} if it already has {@code shape}, else a new zero tensor of that shape. */
    static Tensor ensure(Tensor t, int... shape) {
        return t != null && t.hasShape(shape) ? t : Tensor.zeros(shape);
    }

    /** Same as {@link #ensure} for a float[] of exactly {@code n} elements. */
    static float[] ensure(float[] a, int n) {
        return a != null && a.length == n ? a : new float[n];
    }

    static int[] ensure(int[] a, int n) {
        return a != null && a.length == n ? a : new int[n];
    }
}
