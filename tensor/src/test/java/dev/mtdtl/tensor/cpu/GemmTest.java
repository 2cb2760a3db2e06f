package dev.mtdtl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.ref.GemmRef;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import dev.mtdtl.tensor.test.Tol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Gemm.sgemm against the double reference: awkward sizes, every transposition, strides, alpha/beta. */
class GemmTest {

    private static final long SEED = 20240611L;
    private final int threads0 = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads0);
    }

    /** Sizes around the vector width, the micro-tile (6 or 4 x 2 vectors) and the blocks (KC = 256, MC = 96 or 64). */
    private static final int[][] SIZES = {
        {1, 1, 1}, {1, 7, 3}, {7, 1, 5}, {5, 17, 1}, {6, 32, 8}, {7, 33, 9}, {13, 31, 257},
        {97, 65, 300}, {16, 13824, 50}, {50, 300, 16}, {200, 3, 513}, {33, 1100, 70}, {130, 70, 40},
    };

    @Test
    void matchesDoubleReferenceForEveryTranspositionAndAwkwardSize() {
        int seed = 0;
        for (int[] s : SIZES) {
            for (int t = 0; t < 4; t++) {
                check(t >= 2, (t & 1) == 1, s[0], s[1], s[2], 1f, 0f, 0, 0, SEED + seed++);
            }
        }
    }

    @Test
    void honoursAlphaBetaOffsetsAndLeadingDimensions() {
        long seed = SEED + 100;
        float[][] ab = {{1f, 1f}, {0.5f, 0f}, {-2f, 0.25f}, {1f, -1f}, {0f, 0.5f}, {0f, 0f}};
        for (float[] p : ab) {
            for (int t = 0; t < 4; t++) {
                check(t >= 2, (t & 1) == 1, 19, 37, 29, p[0], p[1], 3, 5, seed++);
                check(t >= 2, (t & 1) == 1, 100, 70, 300, p[0], p[1], 1, 2, seed++);
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        int m = 9, n = 21, k = 11;
        float[] a = Fixtures.uniform(SEED, m * k, -1, 1);
        float[] b = Fixtures.uniform(SEED + 1, k * n, -1, 1);
        float[] c = new float[m * n];
        java.util.Arrays.fill(c, Float.NaN);
        Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        for (float v : c) {
            assertTrue(Float.isFinite(v), "NaN from C leaked through beta == 0");
        }
        java.util.Arrays.fill(c, Float.NaN);
        Gemm.sgemm(false, false, m, n, 0, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);   // k == 0: C = 0
        for (float v : c) {
            assertEquals(0f, v);
        }
    }

    @Test
    void callerWorkspaceAtAnOffsetGivesTheSameBits() {
        int m = 37, n = 70, k = 300;
        float[] a = Fixtures.uniform(SEED + 3, m * k, -1, 1);
        float[] b = Fixtures.uniform(SEED + 4, k * n, -1, 1);
        float[] c1 = new float[m * n], c2 = new float[m * n];
        Gemm.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, c1, 0, n);
        int off = 13;
        float[] ws = new float[off + (int) Gemm.workspaceFloats(m, n, k)];
        java.util.Arrays.fill(ws, Float.NaN);    // scratch is written before it is read
        Gemm.sgemm(true, false, m, n, k, 1f, a, 0, m, b, 0, n, 0f, c2, 0, n, ws, off);
        Close.assertExact(c1, c2, "gemm with caller workspace");
    }

    /**
     * A narrow C reads op(A) in place (Gemm.IN_PLACE_MAX_N), a wide one packs it: the same bits. The first columns of
     * a wide product (packed) against the same columns alone (in place), for both transpositions of A, M with a
     * partial last panel (packed either way), K over several blocks, beta 0 and 1. The widths follow the vector width
     * (IN_PLACE_MAX_N is 16 panels of two vectors): narrow ends inside a panel at 8 and 16 lanes alike.
     */
    @Test
    void opAInPlaceGivesThePackedBits() {
        int wide = Gemm.IN_PLACE_MAX_N + 40, narrow = Gemm.IN_PLACE_MAX_N - 12, m = 97, k = 2 * Gemm.KC + 37;
        assertTrue(narrow % Gemm.NR != 0 && narrow < wide, "narrow " + narrow + ", wide " + wide);
        for (boolean transA : new boolean[]{false, true}) {
            for (float beta : new float[]{0f, 1f}) {
                float[] a = Fixtures.uniform(5, m * k, -1f, 1f);
                float[] b = Fixtures.uniform(6, k * wide, -1f, 1f);
                float[] c0 = Fixtures.uniform(7, m * wide, -1f, 1f);
                float[] cWide = c0.clone();
                float[] cNarrow = new float[m * narrow];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(c0, i * wide, cNarrow, i * narrow, narrow);
                }
                int lda = transA ? m : k;
                Gemm.sgemm(transA, false, m, wide, k, 1f, a, 0, lda, b, 0, wide, beta, cWide, 0, wide);
                Gemm.sgemm(transA, false, m, narrow, k, 1f, a, 0, lda, b, 0, wide, beta, cNarrow, 0, narrow);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < narrow; j++) {
                        assertEquals(Float.floatToRawIntBits(cWide[i * wide + j]),
                                Float.floatToRawIntBits(cNarrow[i * narrow + j]),
                                "C[" + i + "][" + j + "] transA=" + transA + " beta=" + beta);
                    }
                }
            }
        }
    }

    @Test
    void bitIdenticalForOneAndFourThreads() {
        int[][] sizes = {{97, 300, 513}, {600, 40, 70}, {16, 13824, 50}};
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = t >= 2, tb = (t & 1) == 1;
                int m = s[0], n = s[1], k = s[2];
                float[] a = Fixtures.uniform(SEED + t, m * k, -1, 1);
                float[] b = Fixtures.uniform(SEED + 7 + t, k * n, -1, 1);
                float[] c1 = Fixtures.uniform(SEED + 9, m * n, -1, 1);
                float[] c4 = c1.clone();
                Parallel.setThreads(1);
                Gemm.sgemm(ta, tb, m, n, k, 0.7f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0.3f, c1, 0, n);
                Parallel.setThreads(4);
                Gemm.sgemm(ta, tb, m, n, k, 0.7f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0.3f, c4, 0, n);
                Close.assertExact(c1, c4, "gemm " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb);
            }
        }
    }

    @Test
    void rejectsArraysTooShortAndBadStrides() {
        float[] a = new float[6], b = new float[6], c = new float[4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 4, 1f, a, 0, 4, b, 0, 2, 0f, c, 0, 2));
        assertTrue(e.getMessage().contains("A (2x4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        assertTrue(e.getMessage().contains("row stride"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2, new float[3], 0));
    }

    /** Run one case with padded strides (extra columns) and offsets, compare with GemmRef. */
    private static void check(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
                              int pad, int off, long seed) {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        int aRows = ta ? k : m, bRows = tb ? n : k;
        float[] a = Fixtures.uniform(seed, off + aRows * lda, -1, 1);
        float[] b = Fixtures.uniform(seed + 1, off + bRows * ldb, -1, 1);
        float[] c = Fixtures.uniform(seed + 2, off + m * ldc, -1, 1);
        double[] ref = Fixtures.toDouble(c);
        GemmRef.gemm(ta, tb, m, n, k, alpha, Fixtures.toDouble(a), off, lda, Fixtures.toDouble(b), off, ldb,
                beta, ref, off, ldc);
        float[] pristine = c.clone();
        Gemm.sgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, c, off, ldc);
        String what = "gemm m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " alpha=" + alpha
                + " beta=" + beta;
        Close.assertRelL2(ref, c, Tol.reduction(k), what);
        // the padding columns of C and the prefix before cOff are untouched
        for (int i = 0; i < off; i++) {
            assertEquals(pristine[i], c[i], what + ": wrote before cOff");
        }
        for (int i = 0; i < m; i++) {
            for (int j = n; j < ldc; j++) {
                assertEquals(pristine[off + i * ldc + j], c[off + i * ldc + j], what + ": wrote past column n");
            }
        }
    }
}
