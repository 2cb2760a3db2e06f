package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The two tile shapes of {@link ConvFilter} (the row tile and the wide 3 x 9 tile) must give the same
 * bits on any geometry, since {@link ConvFilter#wide} picks one by row length only: every accumulator sums
 * the same products in the same order either way. Checked on layers of the base CNN and on shapes that
 * exercise the edges (output channels not a multiple of 3 or 8, a 5x5 kernel split 9 + 9 + 7, row stride
 * 2, rows padded to whole vectors, several batch blocks), with 1 and 2 threads, and against a double
 * reference.
 */
class ConvFilterTilesTest {

    @AfterEach
    void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void wideAndRowTilesGiveTheSameBits() {
        Assumptions.assumeTrue(ConvFilter.WIDE, "the wide tile needs 512-bit vectors");
        ConvGeom[] geoms = {
            ConvGeom.same(1, 32, 27, 32, 64, 3),                 // conv3 of the base CNN (wide by default)
            ConvGeom.same(2, 64, 13, 16, 64, 3),                 // conv4 (wide by default)
            ConvGeom.same(1, 16, 54, 64, 32, 3),                 // conv2 (row tile by default)
            new ConvGeom(2, 2, 40, 37, 16, 5, 5, 2, 1, 2, 2),    // conv1-like: 5x5 = 9 + 9 + 7 taps, stride 2
            new ConvGeom(9, 3, 7, 20, 7, 3, 3, 1, 1, 1, 1),      // 7 channels, rows padded to 32, 9 batch blocks
            new ConvGeom(2, 2, 9, 17, 4, 2, 3, 1, 1, 0, 1),      // 6 taps: one group, 3 slots repeat the last
        };
        for (int threads : new int[]{1, 2}) {
            Parallel.setThreads(threads);
            for (ConvGeom g : geoms) {
                float[][] r = run(g, false);
                float[][] w = run(g, true);
                assertArrayEquals(r[0], w[0], "dw of " + g + " with " + threads + " threads");
                float[] ref = reference(g, r[1], r[2], r[3]);
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], w[0][i], 1e-3 * (1 + Math.abs(ref[i])), "dw[" + i + "] of " + g);
                }
            }
        }
    }

    /**
     * Both tiles, and whatever blocking of the (batch item, row, column vector) sequence the driver uses,
     * must give exactly the bits of the summation order the kernels were built on: accumulator
     * (o, ci, u, v, lane l) is a float FMA chain over (b, i, column vector jv) ascending of
     * dy[b, o, i, jv*VL + l] * xpad[b, ci, i*SH + u, jv*VL + l + v] on the padded layouts, starting at 0;
     * its VL lanes are then summed in lane order in float and added onto dw. This pins the bits of main's
     * kernels (the test passed on them unchanged) on shapes with several row blocks, batch items of
     * one row, rows padded to whole vectors and output channels that fill no tile, and on conv1's own shape.
     */
    @Test
    void bothTilesKeepTheLaneOrderBits() {
        ConvGeom[] geoms = {
            ConvGeom.same(3, 16, 54, 64, 32, 3),                 // conv2 at batch 3: many row blocks per item
            ConvGeom.same(2, 32, 27, 32, 64, 3),                 // conv3
            ConvGeom.same(3, 64, 13, 16, 64, 3),                 // conv4: blocks spanning batch items
            new ConvGeom(2, 2, 40, 37, 16, 5, 5, 2, 1, 2, 2),    // conv1-like, stride 2, padded rows
            new ConvGeom(1, 2, 216, 128, 16, 5, 5, 2, 1, 2, 2),  // conv1 itself at batch 1: one item per block
            new ConvGeom(5, 3, 1, 20, 7, 1, 3, 1, 1, 0, 1),      // one output row per item, 7 channels
            new ConvGeom(3, 5, 30, 50, 11, 3, 3, 1, 1, 1, 1),    // 11 channels, rows of 64 with 14 zeros
        };
        for (ConvGeom g : geoms) {
            float[] ref = null;
            for (int threads : new int[]{1, 2}) {
                Parallel.setThreads(threads);
                for (boolean wide : ConvFilter.WIDE ? new boolean[]{false, true} : new boolean[]{false}) {
                    float[][] r = run(g, wide);
                    ref = ref != null ? ref : laneOrder(g, r[1], r[2], r[3]);   // same inputs every run (seed 7)
                    for (int i = 0; i < ref.length; i++) {
                        if (Float.floatToRawIntBits(ref[i]) != Float.floatToRawIntBits(r[0][i])) {
                            throw new AssertionError("dw[" + i + "] of " + g + (wide ? " (wide tile, " : " (row tile, ")
                                    + threads + " threads): " + r[0][i] + " instead of " + ref[i]);
                        }
                    }
                }
            }
        }
    }

    /** The lane-order summation of {@link #bothTilesKeepTheLaneOrderBits}, in scalar code. */
    private static float[] laneOrder(ConvGeom g, float[] dy, float[] x, float[] dw0) {
        int vl = Gemm.VL;
        int hp = g.h() + 2 * g.ph(), wq = ConvDirect.paddedWidth(g.wo(), g.kw()), wr = Gemm.roundUp(g.wo(), vl);
        float[] xp = new float[g.n() * g.c() * hp * wq];
        ConvDirect.pad(xp, 0, x, 0, g.n(), g.c(), g.h(), g.w(), g.ph(), g.pw(), hp, wq);
        float[] out = dw0.clone();
        float[] acc = new float[vl];
        for (int o = 0; o < g.oc(); o++) {
            for (int c = 0; c < g.c(); c++) {
                for (int u = 0; u < g.kh(); u++) {
                    for (int v = 0; v < g.kw(); v++) {
                        java.util.Arrays.fill(acc, 0f);
                        for (int n = 0; n < g.n(); n++) {
                            for (int i = 0; i < g.ho(); i++) {
                                for (int j = 0; j < wr; j++) {
                                    float d = j < g.wo() ? dy[((n * g.oc() + o) * g.ho() + i) * g.wo() + j] : 0f;
                                    float xv = xp[((n * g.c() + c) * hp + i * g.sh() + u) * wq + j + v];
                                    acc[j % vl] = Math.fma(d, xv, acc[j % vl]);
                                }
                            }
                        }
                        float sum = 0f;
                        for (int l = 0; l < vl; l++) {
                            sum += acc[l];
                        }
                        out[((o * g.c() + c) * g.kh() + u) * g.kw() + v] += sum;
                    }
                }
            }
        }
        return out;
    }

    /** dw (starting from a fixed non-zero dw, to check +=), dy, x, dw0 of one call on the padded layout. */
    private static float[][] run(ConvGeom g, boolean wide) {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = fill(r, g.xSize()), dy = fill(r, g.ySize()), dw0 = fill(r, g.wSize());
        int vl = Gemm.VL;
        int hp = g.h() + 2 * g.ph(), wq = ConvDirect.paddedWidth(g.wo(), g.kw()), wr = Gemm.roundUp(g.wo(), vl);
        float[] xp = new float[g.n() * g.c() * hp * wq];
        ConvDirect.pad(xp, 0, x, 0, g.n(), g.c(), g.h(), g.w(), g.ph(), g.pw(), hp, wq);
        float[] gr = new float[g.n() * g.oc() * g.ho() * wr];
        ConvDirect.pad(gr, 0, dy, 0, g.n(), g.oc(), g.ho(), g.wo(), 0, 0, g.ho(), wr);
        int wideScr = (g.oc() + 2) / 3 * g.c() * ((g.kh() * g.kw() + 8) / 9) * 27 * vl;
        float[] scr = new float[Math.max(wideScr, ConvFilter.scratch(g.oc(), g.c(), g.kh(), g.kw(), Integer.MAX_VALUE / 2))];
        float[] dw = dw0.clone();
        ConvFilter.filter(wide, dw, gr, 0, wr, xp, 0, scr, 0, g.n(), g.c(), hp, wq, g.oc(), g.ho(), g.kh(), g.kw(), g.sh());
        return new float[][]{dw, dy, x, dw0};
    }

    private static float[] reference(ConvGeom g, float[] dy, float[] x, float[] dw0) {
        float[] out = new float[g.wSize()];
        for (int o = 0; o < g.oc(); o++) {
            for (int c = 0; c < g.c(); c++) {
                for (int u = 0; u < g.kh(); u++) {
                    for (int v = 0; v < g.kw(); v++) {
                        double s = 0;
                        for (int n = 0; n < g.n(); n++) {
                            for (int i = 0; i < g.ho(); i++) {
                                for (int j = 0; j < g.wo(); j++) {
                                    int hi = i * g.sh() - g.ph() + u, wi = j * g.sw() - g.pw() + v;
                                    if (hi >= 0 && hi < g.h() && wi >= 0 && wi < g.w()) {
                                        s += (double) dy[((n * g.oc() + o) * g.ho() + i) * g.wo() + j]
                                                * x[((n * g.c() + c) * g.h() + hi) * g.w() + wi];
                                    }
                                }
                            }
                        }
                        int d = ((o * g.c() + c) * g.kh() + u) * g.kw() + v;
                        out[d] = (float) (dw0[d] + s);
                    }
                }
            }
        }
        return out;
    }

    private static float[] fill(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }
}
