package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * 2x2 max pooling, stride 2, no padding, floor mode (the pooling after conv1..conv5 of the base CNN).
 *
 * <p>Letters: N batch, C channels, H x W input plane, HO = H/2 x WO = W/2 output plane (floor: an odd
 * last row or column lies in no window and gets zero gradient). Each (n, c) plane is pooled on its own.
 *
 * <p>Reference: {@code torch.nn.functional.max_pool2d(x, 2, 2, return_indices=True)} (fixtures
 * {@code maxpool2d_2x2_s2}, {@code maxpool2d_ties_info}). argmax holds, like torch's indices, the flat
 * index {@code h*W + w} of the maximum within its (n, c) input plane. Ties go to the FIRST maximum in
 * row-major window order (torch CPU); a NaN wins over any number, the last NaN over earlier ones
 * (torch: {@code if (val > max || isnan(val))} in scan order).
 * In the CNN ties only occur between ReLU zeros, whose gradient is zero anyway.
 *
 * <p>Forward runs L windows at a time with the Vector API (pairs of columns compared through a
 * lane swap, winners chosen by blends). Rows of fewer than L windows (W < 2L: conv4 and conv5 here)
 * and row tails use scalar code with the same comparison order, written with conditional selects:
 * a scan with "if (v > best)" has three data-dependent branches per window that random data
 * mispredict half of the time, which made the first version 5 to 15x slower than a copy.
 * Memory bound: reads 4 floats, writes 1 float and 1 int per window. Parallel over planes; each
 * plane is written by exactly one chunk, so results do not depend on the thread count.
 *
 * <p>Omitted: other kernel sizes, strides, padding, dilation, ceil mode.
 */
public final class MaxPoolCpu {

    private static final int CHUNK_ELEMS = 1 << 15;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Lane j takes lane j^1: each even lane sees its right neighbour. */
    private static final VectorShuffle<Float> SWAP = VectorShuffle.fromOp(F, j -> j ^ 1);
    /** Lane j takes lane 2j mod L: even lanes packed into the low half (and again into the high half). */
    private static final VectorShuffle<Float> PACK = VectorShuffle.fromOp(F, j -> (2 * j) % L);
    /** Lanes [L/2, L). */
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(F, -1L << (L / 2));
    /** Lane j: j. */
    private static final FloatVector IOTA = FloatVector.fromArray(F, iota(), 0);

    private MaxPoolCpu() {}

    /**
     * @param y      (N, C, HO, WO) written: window maxima
     * @param argmax (N, C, HO, WO) written: flat index h*W + w of each maximum within its input plane
     * @param x      (N, C, H, W) read; H, W >= 2
     */
    public static void forward(float[] y, int[] argmax, float[] x, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        checkDims(n, c, h, w);
        String in = Args.shape(n, c, h, w);
        String out = Args.shape(n, c, ho, wo);
        Args.len("x", x, (long) n * c * h * w, "N*C*H*W " + in);
        Args.len("y", y, (long) n * c * ho * wo, "N*C*HO*WO " + out);
        Args.len("argmax", argmax, (long) n * c * ho * wo, "N*C*HO*WO " + out);
        // The vector path carries window indices as float lanes: exact while H*W <= 2^24.
        final boolean vector = (long) h * w <= (1 << 24);
        Parallel.forChunks(n * c, planeGrain(h, w), (chunk, p0, p1) -> {
            float[] idx = new float[L];   // scratch: float window indices on their way to int
            for (int p = p0; p < p1; p++) {
                plane(y, argmax, p * ho * wo, idx, x, p * h * w, h, w, vector);
            }
        });
    }

    /**
     * Pool one (n, c) plane: x[xoff, xoff + H*W) -> y, argmax[yoff, yoff + HO*WO) (also used by the fused batch
     * norm + ReLU + pool, {@link BatchNormPoolCpu}, on a plane it has just normalised). {@code vector} must be
     * {@code H*W <= 2^24}; {@code idx} is scratch of L floats.
     */
    static void plane(float[] y, int[] argmax, int yoff, float[] idx, float[] x, int xoff, int h, int w,
                      boolean vector) {
        int ho = h / 2;
        int wo = w / 2;
        for (int oh = 0; oh < ho; oh++) {
            int r0 = 2 * oh * w;          // top row of the window, plane-relative
            int o = yoff + oh * wo;
            int ow = vector ? vectorRow(y, argmax, idx, x, xoff, r0, w, wo, o) : 0;
            for (; ow < wo; ow++) {
                scalarWindow(y, argmax, x, xoff, r0 + 2 * ow, w, o + ow);
            }
        }
    }

    /**
     * Windows [0, L*k) of one output row, L at a time; returns the first window not done.
     *
     * <p>Order of comparison: the two columns of the top row, the two of the bottom row, then bottom
     * against top. With "replace only if strictly greater, or if NaN" at each step this is the same
     * choice as a row-major scan: the first maximum wins, and the last NaN. (Comparing columns first
     * would not be: with equal maxima at (0,1) and (1,0) it would pick (1,0).)
     *
     * <p>Only operations that C2 compiles to plain AVX code in JDK 17 are used: single-vector
     * rearranges with constant shuffles, compares and blends. (A two-vector {@code rearrange} and mask
     * {@code or} boxed every vector, 600 bytes of garbage per L windows.) "a or b" is therefore two
     * blends in a row. Each half of 2L columns is reduced in its even lanes (left column vs its
     * pair-swapped right neighbour), then the even lanes of both halves are packed into one vector.
     * Indices ride as float lanes (exact below 2^24) and are converted to int through {@code idx}.
     */
    private static int vectorRow(float[] y, int[] argmax, float[] idx, float[] x, int xoff, int r0, int w, int wo, int o) {
        int ow = 0;
        for (; ow + L <= wo; ow += L) {
            int k = r0 + 2 * ow;                                   // plane index of the first window's (0,0)
            FloatVector i0 = IOTA.add((float) k);                  // lane j: plane index of column k + j
            FloatVector i1 = IOTA.add((float) (k + L));
            // First half: columns k .. k+L-1 (windows ow .. ow+L/2-1 in its even lanes).
            FloatVector v0 = FloatVector.fromArray(F, x, xoff + k);
            FloatVector idx0 = i0;
            FloatVector b0 = FloatVector.fromArray(F, x, xoff + k + w);
            FloatVector bidx0 = i0.add((float) w);
            // left vs right within the top row, then within the bottom row
            FloatVector r = v0.rearrange(SWAP);
            VectorMask<Float> m = r.compare(VectorOperators.GT, v0);
            VectorMask<Float> nan = r.compare(VectorOperators.NE, r);
            v0 = v0.blend(r, m).blend(r, nan);
            idx0 = idx0.blend(idx0.add(1f), m).blend(idx0.add(1f), nan);
            r = b0.rearrange(SWAP);
            m = r.compare(VectorOperators.GT, b0);
            nan = r.compare(VectorOperators.NE, r);
            b0 = b0.blend(r, m).blend(r, nan);
            bidx0 = bidx0.blend(bidx0.add(1f), m).blend(bidx0.add(1f), nan);
            // bottom vs top
            m = b0.compare(VectorOperators.GT, v0);
            nan = b0.compare(VectorOperators.NE, b0);
            v0 = v0.blend(b0, m).blend(b0, nan);
            idx0 = idx0.blend(bidx0, m).blend(bidx0, nan);
            // Second half: columns k+L .. k+2L-1, the same steps.
            FloatVector v1 = FloatVector.fromArray(F, x, xoff + k + L);
            FloatVector idx1 = i1;
            FloatVector b1 = FloatVector.fromArray(F, x, xoff + k + L + w);
            FloatVector bidx1 = i1.add((float) w);
            r = v1.rearrange(SWAP);
            m = r.compare(VectorOperators.GT, v1);
            nan = r.compare(VectorOperators.NE, r);
            v1 = v1.blend(r, m).blend(r, nan);
            idx1 = idx1.blend(idx1.add(1f), m).blend(idx1.add(1f), nan);
            r = b1.rearrange(SWAP);
            m = r.compare(VectorOperators.GT, b1);
            nan = r.compare(VectorOperators.NE, r);
            b1 = b1.blend(r, m).blend(r, nan);
            bidx1 = bidx1.blend(bidx1.add(1f), m).blend(bidx1.add(1f), nan);
            m = b1.compare(VectorOperators.GT, v1);
            nan = b1.compare(VectorOperators.NE, b1);
            v1 = v1.blend(b1, m).blend(b1, nan);
            idx1 = idx1.blend(bidx1, m).blend(bidx1, nan);
            // Pack the even lanes: first half into lanes [0, L/2), second into [L/2, L).
            v0.rearrange(PACK).blend(v1.rearrange(PACK), HIGH).intoArray(y, o + ow);
            idx0.rearrange(PACK).blend(idx1.rearrange(PACK), HIGH).intoArray(idx, 0);
            for (int j = 0; j < L; j++) {
                argmax[o + ow + j] = (int) idx[j];
            }
        }
        return ow;
    }

    /**
     * One window with (0,0) at plane index k, in the same comparison order as {@link #vectorRow}.
     * Branch-free on purpose: the winner's index is picked with conditional selects (int cmov) and
     * the value loaded from it, because "if (v > best)" on random data mispredicts half the time.
     */
    private static void scalarWindow(float[] y, int[] argmax, float[] x, int xoff, int k, int w, int out) {
        float tl = x[xoff + k];
        float tr = x[xoff + k + 1];
        int top = (tr > tl) | (tr != tr) ? k + 1 : k;
        float bl = x[xoff + k + w];
        float br = x[xoff + k + w + 1];
        int bot = (br > bl) | (br != br) ? k + w + 1 : k + w;
        float tv = x[xoff + top];
        float bv = x[xoff + bot];
        int best = (bv > tv) | (bv != bv) ? bot : top;
        y[out] = x[xoff + best];
        argmax[out] = best;
    }

    /**
     * Routes each output gradient to its window's maximum. Windows do not overlap, so every input
     * position receives at most one value and dx is a bit-exact copy of dy values and zeros.
     *
     * @param dx     (N, C, H, W) written (zeros where no maximum, including a dropped odd row/column)
     * @param dy     (N, C, HO, WO) read
     * @param argmax (N, C, HO, WO) read: from {@link #forward}; each entry must lie in [0, H*W)
     */
    public static void backward(float[] dx, float[] dy, int[] argmax, int n, int c, int h, int w) {
        int ho = h / 2;
        int wo = w / 2;
        checkDims(n, c, h, w);
        String in = Args.shape(n, c, h, w);
        String out = Args.shape(n, c, ho, wo);
        Args.len("dx", dx, (long) n * c * h * w, "N*C*H*W " + in);
        Args.len("dy", dy, (long) n * c * ho * wo, "N*C*HO*WO " + out);
        Args.len("argmax", argmax, (long) n * c * ho * wo, "N*C*HO*WO " + out);
        final int hw = h * w;
        Parallel.forChunks(n * c, planeGrain(h, w), (chunk, p0, p1) -> {
            Arrays.fill(dx, p0 * hw, p1 * hw, 0f);
            for (int p = p0; p < p1; p++) {
                int xoff = p * hw;
                int yoff = p * ho * wo;
                for (int o = yoff; o < yoff + ho * wo; o++) {
                    int a = argmax[o];
                    if (a < 0 || a >= hw) {
                        // Out of the plane would silently write into a neighbour plane: refuse.
                        throw new IllegalArgumentException("argmax[" + o + "] = " + a + " outside the H*W = " + hw
                                + " plane of " + in);
                    }
                    dx[xoff + a] = dy[o];
                }
            }
        });
    }

    static void checkDims(int n, int c, int h, int w) {
        if (n < 1 || c < 1 || h < 2 || w < 2) {
            throw new IllegalArgumentException("max pool 2x2 needs N, C >= 1 and H, W >= 2, got (N, C, H, W) = "
                    + Args.shape(n, c, h, w));
        }
        if ((long) n * c * h * w > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("N*C*H*W of " + Args.shape(n, c, h, w) + " exceeds int range");
        }
    }

    private static float[] iota() {
        float[] a = new float[L];
        for (int k = 0; k < L; k++) {
            a[k] = k;
        }
        return a;
    }

    private static int planeGrain(int h, int w) {
        return Math.max(1, CHUNK_ELEMS / (h * w));
    }
}
