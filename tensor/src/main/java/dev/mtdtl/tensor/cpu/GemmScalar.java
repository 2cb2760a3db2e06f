package dev.mtdtl.tensor.cpu;

/**
 * {@link Gemm}'s scalar twins ({@link dev.mtdtl.tensor.ColdStart}): the micro-tile and its store onto C in scalar
 * code, for a JVM's first GEMMs, giving the bits of the vector forms ({@code ColdStartKernelsTest}).
 */
final class GemmScalar {

    private static final int MR = Gemm.MR;
    private static final int NR = Gemm.NR;

    private GemmScalar() {}

    /**
     * The micro-kernel ({@link Gemm#kernel}, {@link GemmKernel#tileRows}, {@link GemmKernel#tileCols}) in scalar
     * code: element (r, j) of the MR x NR tile at t[tp + r NR + j] is the FMA chain from zero over p &lt; kc of B's
     * b[bp + p NR + j] times op(A)'s (r, p), a[aOff + r rs + p cs], in p order: the vector kernels' chain, so the same
     * bits (packed A: rs 1, cs MR; rows of A: rs lda, cs 1; columns: rs 1, cs lda).
     */
    static void tile(int kc, float[] a, int aOff, int rs, int cs, float[] b, int bp, float[] t, int tp) {
        if (MR % 2 != 0 || NR % 8 != 0) {
            tileInT(kc, a, aOff, rs, cs, b, bp, t, tp);
            return;
        }
        // two rows x 8 columns at a time in local variables over all of k, then stored: C2 keeps the 16 chains in
        // registers, where accumulating in t was a load and a store around every FMA (as in ConvDirect.tileScalar)
        for (int r = 0; r < MR; r += 2) {
            int ar = aOff + r * rs;
            for (int j = 0; j < NR; j += 8) {
                float u0 = 0f, u1 = 0f, u2 = 0f, u3 = 0f, u4 = 0f, u5 = 0f, u6 = 0f, u7 = 0f;
                float v0 = 0f, v1 = 0f, v2 = 0f, v3 = 0f, v4 = 0f, v5 = 0f, v6 = 0f, v7 = 0f;
                for (int p = 0, bo = bp + j; p < kc; p++, bo += NR) {
                    float x = a[ar + p * cs];
                    float y = a[ar + rs + p * cs];
                    float b0 = b[bo], b1 = b[bo + 1], b2 = b[bo + 2], b3 = b[bo + 3];
                    float b4 = b[bo + 4], b5 = b[bo + 5], b6 = b[bo + 6], b7 = b[bo + 7];
                    u0 = Math.fma(b0, x, u0);
                    u1 = Math.fma(b1, x, u1);
                    u2 = Math.fma(b2, x, u2);
                    u3 = Math.fma(b3, x, u3);
                    u4 = Math.fma(b4, x, u4);
                    u5 = Math.fma(b5, x, u5);
                    u6 = Math.fma(b6, x, u6);
                    u7 = Math.fma(b7, x, u7);
                    v0 = Math.fma(b0, y, v0);
                    v1 = Math.fma(b1, y, v1);
                    v2 = Math.fma(b2, y, v2);
                    v3 = Math.fma(b3, y, v3);
                    v4 = Math.fma(b4, y, v4);
                    v5 = Math.fma(b5, y, v5);
                    v6 = Math.fma(b6, y, v6);
                    v7 = Math.fma(b7, y, v7);
                }
                int tu = tp + r * NR + j;
                int tv = tu + NR;
                t[tu] = u0;
                t[tu + 1] = u1;
                t[tu + 2] = u2;
                t[tu + 3] = u3;
                t[tu + 4] = u4;
                t[tu + 5] = u5;
                t[tu + 6] = u6;
                t[tu + 7] = u7;
                t[tv] = v0;
                t[tv + 1] = v1;
                t[tv + 2] = v2;
                t[tv + 3] = v3;
                t[tv + 4] = v4;
                t[tv + 5] = v5;
                t[tv + 6] = v6;
                t[tv + 7] = v7;
            }
        }
    }

    /** {@link #tile} accumulating in t as it goes, k outermost: any MR and lane count. */
    private static void tileInT(int kc, float[] a, int aOff, int rs, int cs, float[] b, int bp, float[] t, int tp) {
        java.util.Arrays.fill(t, tp, tp + MR * NR, 0f);
        for (int p = 0; p < kc; p++) {
            int bo = bp + p * NR;
            for (int r = 0; r < MR; r++) {
                float x = a[aOff + r * rs + p * cs];
                int tr = tp + r * NR;
                for (int j = 0; j < NR; j++) {
                    t[tr + j] = Math.fma(b[bo + j], x, t[tr + j]);
                }
            }
        }
    }

    /** {@link Gemm#addTile} in scalar code: its general branch, which gives its vector branches' bits (1 * v is v). */
    static void addTile(float[] w, int t, int mr, int nr, float alpha, float beta, float[] c, int cOff, int ldc) {
        for (int r = 0; r < mr; r++) {
            int tr = t + r * NR;
            int cr = cOff + r * ldc;
            for (int j = 0; j < nr; j++) {
                float v = alpha * w[tr + j];
                c[cr + j] = beta == 0f ? v : v + beta * c[cr + j];
            }
        }
    }
}
