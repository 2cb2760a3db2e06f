package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ReLU, element-wise on a flat array of any shape: {@code y = max(x, 0)}.
 *
 * <p>Reference: {@code torch.relu} (fixture {@code relu}). The derivative at exactly 0 is taken as 0,
 * like torch. {@code max} follows {@link Math#max}: NaN propagates, and -0.0 becomes +0.0.
 * The backward reads the OUTPUT y (y > 0 exactly where x > 0), so a layer can run in place and keep
 * only y. Memory bound: forward reads 4 and writes 4 bytes per element, backward reads 8 and writes 4.
 *
 * <p>Parallel over fixed-size chunks; element-wise, so any thread count gives identical bits.
 *
 * <p>Omitted: leaky/parametric variants, fusion with the preceding batch norm.
 */
public final class ReluCpu {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Elements per parallel chunk (a multiple of any vector length). */
    private static final int GRAIN = 1 << 16;

    private ReluCpu() {}

    /** y[i] = max(x[i], 0) for i in [0, len). y: written; x: read; y may be x (in place). */
    public static void forward(float[] y, float[] x, int len) {
        Args.nonNegative("len", len);
        Args.len("y", y, len, "len");
        Args.len("x", x, len, "len");
        Parallel.forChunks(len, GRAIN, (chunk, from, to) -> {
            int i = from;
            for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
                FloatVector.fromArray(F, x, i).lanewise(VectorOperators.MAX, 0f).intoArray(y, i);
            }
            for (; i < to; i++) {
                y[i] = Math.max(x[i], 0f);
            }
        });
    }

    /** dx[i] = y[i] > 0 ? dy[i] : 0. dx: written; dy, y: read (y = forward output); dx may be dy. */
    public static void backward(float[] dx, float[] dy, float[] y, int len) {
        Args.nonNegative("len", len);
        Args.len("dx", dx, len, "len");
        Args.len("dy", dy, len, "len");
        Args.len("y", y, len, "len");
        Parallel.forChunks(len, GRAIN, (chunk, from, to) -> {
            FloatVector zero = FloatVector.zero(F);
            int i = from;
            for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
                FloatVector yv = FloatVector.fromArray(F, y, i);
                zero.blend(FloatVector.fromArray(F, dy, i), yv.compare(VectorOperators.GT, 0f)).intoArray(dx, i);
            }
            for (; i < to; i++) {
                dx[i] = y[i] > 0f ? dy[i] : 0f;
            }
        });
    }
}
