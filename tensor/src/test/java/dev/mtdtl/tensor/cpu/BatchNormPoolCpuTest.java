package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.test.Threads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fused batch norm + ReLU + pool must give exactly the bits of the three kernels run one after the other
 * (the nn layers rely on it: a device without the fused op runs them apart, and results must not depend on
 * the device), for 1 and 3 threads, with ties between ReLU zeros, an odd plane and a gradient written over x.
 * Shapes cover rows of whole vectors of windows (W = 32, 64, 128 at 16 lanes), rows with a vector and a scalar
 * tail whose codes straddle the packed words (W = 36, 35: 18 and 17 windows a row), rows of half a vector of
 * windows, two rows per vector (W = 16, 17, with an odd row left to the scalar path), narrow rows (W = 9) and
 * rows of a quarter vector of windows (W = 8: one window row per vector, groups of four window rows and a partial
 * last group: H = 6, 9, 10, 19) and an odd H; a channel too large for the training backward to keep its gradient
 * between its two passes (2 x 512 x 520 values, above BatchNormPoolCpu.KEEP_FLOATS: rebuilt per plane); with
 * {@code nan}, a few inputs are NaN (the last NaN of a window wins, as MaxPoolCpu's scan) and a few infinite
 * (windows with +inf next to +inf, above +inf, or next to -inf: among equal values the first in scan order wins).
 */
class BatchNormPoolCpuTest {

    @ParameterizedTest
    @CsvSource({"4, 3, 10, 36, 1, false", "4, 3, 10, 36, 3, false", "3, 5, 7, 9, 2, false",
            "2, 16, 54, 64, 2, false", "2, 3, 11, 35, 2, false", "2, 2, 6, 128, 1, false", "3, 2, 5, 32, 3, false",
            "2, 3, 11, 35, 1, true", "2, 2, 6, 128, 2, true", "3, 2, 7, 16, 2, false", "2, 3, 6, 17, 1, true",
            "2, 4, 6, 8, 3, false", "2, 3, 10, 8, 2, true", "3, 2, 9, 8, 1, false", "2, 3, 19, 8, 3, false",
            "2, 2, 512, 520, 2, false"})
    void fusedEqualsBatchNormThenReluThenPoolBitForBit(int n, int c, int h, int w, int threads, boolean nan) {
        assertEquals(n * h * w > BatchNormPoolCpu.KEEP_FLOATS, n == 2 && h == 512, "which shape rebuilds the planes");
        Rng rng = new Rng(n * 1000 + c * 100 + h + w);
        int len = n * c * h * w;
        int out = n * c * (h / 2) * (w / 2);
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            // an offset mean (the corrected two-pass matters) and some exact repeats (ties after ReLU)
            x[i] = i % 7 == 0 ? -3f : (float) (2.0 + rng.nextGaussian());
        }
        if (nan) {   // training mode: the NaN's channel is all NaN; eval mode: windows with one or two NaNs
            for (int i = 5; i < len; i += 97) {
                x[i] = Float.NaN;
                x[Math.min(len - 1, i + w + 1)] = Float.NaN;
            }
            for (int i = 40; i + 101 < len && i + w < len; i += 262) {   // infinities: +inf ties, +inf vs -inf
                x[i] = Float.POSITIVE_INFINITY;
                x[i + 1] = Float.POSITIVE_INFINITY;
                x[i + w] = Float.POSITIVE_INFINITY;
                x[i + 100] = Float.POSITIVE_INFINITY;
                x[i + 101] = Float.NEGATIVE_INFINITY;
            }
        }
        float[] gamma = new float[c];
        float[] beta = new float[c];
        for (int k = 0; k < c; k++) {
            gamma[k] = (float) (0.5 + rng.nextDouble());
            beta[k] = (float) (0.3 * rng.nextGaussian());
        }
        // Eval mode normalises with running mean 0: channel 0 with beta -0 maps inputs -0 and +0 to outputs -0 and
        // +0, so its first plane holds windows of -0 beside +0 above a positive value (the zeros' order matters to
        // no result, which the pooling may rely on).
        beta[0] = -0f;
        for (int i = 0; i + w + 1 < h * w; i += 4 * w + 6) {
            x[i] = -0f;
            x[i + 1] = 0f;
            x[i + w] = 1f;
        }
        float[] dyPool = new float[out];
        for (int i = 0; i < out; i++) {
            dyPool[i] = (float) rng.nextGaussian();
        }
        Threads.with(threads, () -> {
            for (boolean training : new boolean[]{true, false}) {
                // unfused reference: BN -> ReLU -> pool, then pool backward -> ReLU backward -> BN backward
                float[] rm1 = new float[c];
                float[] rv1 = ones(c);
                float[] mean1 = new float[c];
                float[] inv1 = new float[c];
                float[] bnY = new float[len];
                if (training) {
                    BatchNormCpu.forwardTrain(bnY, mean1, inv1, x, gamma, beta, rm1, rv1, n, c, h * w, 0.1f, 1e-5f);
                } else {
                    BatchNormCpu.forwardEval(bnY, x, gamma, beta, rm1, rv1, n, c, h * w, 1e-5f);
                }
                ReluCpu.forward(bnY, bnY, len);
                float[] y1 = new float[out];
                int[] am1 = new int[out];
                MaxPoolCpu.forward(y1, am1, bnY, n, c, h, w);

                float[] rm2 = new float[c];
                float[] rv2 = ones(c);
                float[] mean2 = new float[c];
                float[] inv2 = new float[c];
                float[] y2 = new float[out];
                int[] am2 = new int[BatchNormPoolCpu.argmaxLength(n, c, h, w)];
                if (training) {
                    BatchNormPoolCpu.forwardTrain(y2, am2, mean2, inv2, x, gamma, beta, rm2, rv2, n, c, h, w, 0.1f,
                            1e-5f);
                } else {
                    BatchNormPoolCpu.forwardEval(y2, am2, x, gamma, beta, rm2, rv2, n, c, h, w, 1e-5f);
                }
                assertArrayEquals(y1, y2, "pooled output, training " + training);
                assertArrayEquals(am1, unpack(am2, n, c, h, w), "argmax, training " + training);
                assertArrayEquals(rm1, rm2, "running mean");
                assertArrayEquals(rv1, rv2, "running var");
                float[] dyMasked = dyPool.clone();
                ReluCpu.backward(dyMasked, dyMasked, y1, out);
                float[] dPool = new float[len];
                MaxPoolCpu.backward(dPool, dyMasked, am1, n, c, h, w);
                float[] dx1 = new float[len];
                float[] dg1 = new float[c];
                float[] db1 = new float[c];
                float[] xOver = x.clone();   // dx written over the input, as the network does
                float[] dg2 = new float[c];
                float[] db2 = new float[c];
                if (training) {
                    BatchNormCpu.backwardTrain(dx1, dg1, db1, dPool, x, mean1, inv1, gamma, n, c, h * w);
                    BatchNormPoolCpu.backwardTrain(xOver, dg2, db2, dyPool, am2, y2, xOver, mean2, inv2, gamma, n, c,
                            h, w);
                } else {
                    BatchNormCpu.backwardEval(dx1, dg1, db1, dPool, x, gamma, rm1, rv1, n, c, h * w, 1e-5f);
                    BatchNormPoolCpu.backwardEval(xOver, dg2, db2, dyPool, am2, y2, xOver, gamma, rm2, rv2, n, c, h, w,
                            1e-5f);
                }
                assertArrayEquals(dx1, xOver, "dx over x");
                assertArrayEquals(dg1, dg2, "dgamma");
                assertArrayEquals(db1, db2, "dbeta");
            }
        });
    }

    /** The packed argmax (2 bits per window, planes word-aligned) as MaxPoolCpu's flat in-plane indices. */
    private static int[] unpack(int[] packed, int n, int c, int h, int w) {
        int wo = w / 2;
        int so = (h / 2) * wo;
        int words = (so + 15) / 16;
        int[] r = new int[n * c * so];
        for (int p = 0; p < n * c; p++) {
            for (int k = 0; k < so; k++) {
                int code = (packed[p * words + k / 16] >>> (2 * (k % 16))) & 3;
                r[p * so + k] = (2 * (k / wo) + code / 2) * w + 2 * (k % wo) + code % 2;
            }
        }
        return r;
    }

    private static float[] ones(int c) {
        float[] a = new float[c];
        java.util.Arrays.fill(a, 1f);
        return a;
    }
}
