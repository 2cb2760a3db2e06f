package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Global average pooling: the mean over the S = H*W positions of each (n, c) plane.
 *
 * <p>Letters: N batch, C channels, S = H*W. x is (N, C, S), y is (N, C).
 * Reference: {@code x.mean(dim=(2, 3))} (fixture {@code global_avg_pool}); in the base CNN it turns
 * conv62's (N, 256, 3, 4) into the (N, 256) input of fc-feature.
 *
 * <p>Sums run in double ({@link LaneSum}); backward spreads {@code dy/S} evenly. Parallel over planes,
 * each written by one chunk, so results do not depend on the thread count.
 */
public final class GlobalAvgPoolCpu {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int CHUNK_ELEMS = 1 << 15;

    private GlobalAvgPoolCpu() {}

    /** y[n, c] = (1/S) sum_j x[n, c, j].  y (N, C): written; x (N, C, S): read. */
    public static void forward(float[] y, float[] x, int n, int c, int s) {
        int len = Args.ncs(n, c, s);
        Args.len("y", y, (long) n * c, "N*C " + Args.shape(n, c));
        Args.len("x", x, len, "N*C*S " + Args.shape(n, c, s));
        Parallel.forChunks(n * c, Math.max(1, CHUNK_ELEMS / s), (chunk, p0, p1) -> {
            LaneSum acc = new LaneSum();
            for (int p = p0; p < p1; p++) {
                acc.reset();
                acc.addSum(x, p * s, s);
                y[p] = (float) (acc.total() / s);
            }
        });
    }

    /** dx[n, c, j] = dy[n, c] / S.  dx (N, C, S): written; dy (N, C): read. */
    public static void backward(float[] dx, float[] dy, int n, int c, int s) {
        int len = Args.ncs(n, c, s);
        Args.len("dx", dx, len, "N*C*S " + Args.shape(n, c, s));
        Args.len("dy", dy, (long) n * c, "N*C " + Args.shape(n, c));
        Parallel.forChunks(n * c, Math.max(1, CHUNK_ELEMS / s), (chunk, p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                float v = (float) ((double) dy[p] / s);
                int off = p * s;
                int i = 0;
                FloatVector bv = FloatVector.broadcast(F, v);
                for (int upper = F.loopBound(s); i < upper; i += F.length()) {
                    bv.intoArray(dx, off + i);
                }
                for (; i < s; i++) {
                    dx[off + i] = v;
                }
            }
        });
    }
}
