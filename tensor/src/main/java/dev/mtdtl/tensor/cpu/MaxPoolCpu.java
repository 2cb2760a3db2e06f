package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * row-major window order (torch CPU); a NaN wins over any number (torch: {@code val > max || isnan(val)}).
 * In the CNN ties only occur between ReLU zeros, whose gradient is zero anyway.
 *
 * <p>Forward runs L windows at a time with the Vector API (even/odd columns split by shuffles, the
 * winner chosen by masked blends): a scalar scan has three data-dependent branches per window that
 * random data mispredict half of the time, which made it 5x slower than a copy. Window indices ride
 * along as float lanes (exact below 2^24) and are converted to int once. Rows shorter than L windows
 * (W < 2L) and row tails use the scalar code with the same comparison order. Memory bound: reads 4
 * floats, writes 1 float and 1 int per window. Parallel over planes; each plane is written by
 * exactly one chunk, so results do not depend on the thread count.
 *
 * <p>Omitted: other kernel sizes, strides, padding, dilation, ceil mode.
 */
public final class MaxPoolCpu {

    private static final int CHUNK_ELEMS = 1 << 15;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Two-vector shuffles: lane k takes input column 2k (EVEN) or 2k + 1 (ODD) of 2L consecutive columns. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, k -> 2 * k);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(F, k -> 2 * k + 1);
    /** Lane k: 2k, the column offset of window k's (0,0) element. */
    private static final FloatVector COLUMN = FloatVector.fromArray(F, evenOffsets(), 0);

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
            for (int p = p0; p < p1; p++) {
                int xoff = p * h * w;
                for (int oh = 0; oh < ho; oh++) {
                    int r0 = 2 * oh * w;          // top row of the window, plane-relative
                    int o = p * ho * wo + oh * wo;
                    int ow = vector ? vectorRow(y, argmax, x, xoff, r0, w, wo, o) : 0;
                    for (; ow < wo; ow++) {
                        scalarWindow(y, argmax, x, xoff, r0 + 2 * ow, w, o + ow);
                    }
                }
            }
        });
    }

    /**
     * Windows [0, L*k) of one output row, L at a time; returns the first window not done.
     *
     * <p>Order of comparison: the two columns of the top row, the two of the bottom row, then bottom
     * against top. With "replace only if strictly greater (or NaN)" at each step this is the same
     * choice as a row-major scan: the first maximum wins, and the last NaN. (Comparing columns first
     * would not be: with equal maxima at (0,1) and (1,0) it would pick (1,0).)
     * The even/odd columns of 2L consecutive inputs are split with two-vector shuffles.
     */
    private static int vectorRow(float[] y, int[] argmax, float[] x, int xoff, int r0, int w, int wo, int o) {
        int ow = 0;
        for (; ow + L <= wo; ow += L) {
            int k = r0 + 2 * ow;                                   // plane index of the first window's (0,0)
            FloatVector idx = COLUMN.add((float) k);               // (0,0) index of each window
            FloatVector top0 = FloatVector.fromArray(F, x, xoff + k);
            FloatVector top1 = FloatVector.fromArray(F, x, xoff + k + L);
            FloatVector bot0 = FloatVector.fromArray(F, x, xoff + k + w);
            FloatVector bot1 = FloatVector.fromArray(F, x, xoff + k + w + L);
            FloatVector tl = top0.rearrange(EVEN, top1);
            FloatVector tr = top0.rearrange(ODD, top1);
            VectorMask<Float> rightWins = tr.compare(VectorOperators.GT, tl).or(tr.compare(VectorOperators.NE, tr));
            FloatVector top = tl.blend(tr, rightWins);
            FloatVector topIdx = idx.blend(idx.add(1f), rightWins);
            FloatVector bl = bot0.rearrange(EVEN, bot1);
            FloatVector br = bot0.rearrange(ODD, bot1);
            rightWins = br.compare(VectorOperators.GT, bl).or(br.compare(VectorOperators.NE, br));
            FloatVector bot = bl.blend(br, rightWins);
            FloatVector botIdx = idx.add((float) w).blend(idx.add((float) (w + 1)), rightWins);
            VectorMask<Float> botWins = bot.compare(VectorOperators.GT, top).or(bot.compare(VectorOperators.NE, bot));
            top.blend(bot, botWins).intoArray(y, o + ow);
            ((IntVector) topIdx.blend(botIdx, botWins).convert(VectorOperators.F2I, 0)).intoArray(argmax, o + ow);
        }
        return ow;
    }

    /** One window with (0,0) at plane index k: the same comparison order as {@link #vectorRow}. */
    private static void scalarWindow(float[] y, int[] argmax, float[] x, int xoff, int k, int w, int out) {
        float tl = x[xoff + k];
        float tr = x[xoff + k + 1];
        float bl = x[xoff + k + w];
        float br = x[xoff + k + w + 1];
        float top = tl;
        int topIdx = k;
        if (tr > tl || tr != tr) {
            top = tr;
            topIdx = k + 1;
        }
        float bot = bl;
        int botIdx = k + w;
        if (br > bl || br != br) {
            bot = br;
            botIdx = k + w + 1;
        }
        if (bot > top || bot != bot) {
            top = bot;
            topIdx = botIdx;
        }
        y[out] = top;
        argmax[out] = topIdx;
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

    private static void checkDims(int n, int c, int h, int w) {
        if (n < 1 || c < 1 || h < 2 || w < 2) {
            throw new IllegalArgumentException("max pool 2x2 needs N, C >= 1 and H, W >= 2, got (N, C, H, W) = "
                    + Args.shape(n, c, h, w));
        }
        if ((long) n * c * h * w > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("N*C*H*W of " + Args.shape(n, c, h, w) + " exceeds int range");
        }
    }

    private static float[] evenOffsets() {
        float[] a = new float[L];
        for (int k = 0; k < L; k++) {
            a[k] = 2 * k;
        }
        return a;
    }

    private static int planeGrain(int h, int w) {
        return Math.max(1, CHUNK_ELEMS / (h * w));
    }
}
