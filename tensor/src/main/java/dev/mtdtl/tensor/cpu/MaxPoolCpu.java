package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;

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
 * <p>Scalar code on purpose: the 2x2 windows need a deinterleave of even/odd columns, which costs more
 * as Vector API shuffles than the loads it would save; the op is memory bound (reads 4 floats, writes
 * 1 float and 1 int per window). Parallel over planes; each plane is written by exactly one chunk, so
 * results do not depend on the thread count.
 *
 * <p>Omitted: other kernel sizes, strides, padding, dilation, ceil mode.
 */
public final class MaxPoolCpu {

    private static final int CHUNK_ELEMS = 1 << 15;

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
        Parallel.forChunks(n * c, planeGrain(h, w), (chunk, p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xoff = p * h * w;
                int yoff = p * ho * wo;
                for (int oh = 0; oh < ho; oh++) {
                    int r0 = 2 * oh * w;          // top row of the window, plane-relative
                    int r1 = r0 + w;              // bottom row
                    int o = yoff + oh * wo;
                    for (int ow = 0; ow < wo; ow++) {
                        int k = r0 + 2 * ow;
                        // Row-major order: (0,0), (0,1), (1,0), (1,1); a strict '>' keeps the first maximum.
                        float best = x[xoff + k];
                        int idx = k;
                        float v = x[xoff + k + 1];
                        if (v > best || v != v) {
                            best = v;
                            idx = k + 1;
                        }
                        k = r1 + 2 * ow;
                        v = x[xoff + k];
                        if (v > best || v != v) {
                            best = v;
                            idx = k;
                        }
                        v = x[xoff + k + 1];
                        if (v > best || v != v) {
                            best = v;
                            idx = k + 1;
                        }
                        y[o + ow] = best;
                        argmax[o + ow] = idx;
                    }
                }
            }
        });
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

    private static int planeGrain(int h, int w) {
        return Math.max(1, CHUNK_ELEMS / (h * w));
    }
}
