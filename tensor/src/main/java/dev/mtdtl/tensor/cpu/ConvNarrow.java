package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The direct convolution kernel of {@link ConvDirect#forward} for very few output channels, blocked
 * over output positions instead: CB = 2 channels x QB = 8 output vectors = 16 accumulators. It serves
 * the data gradient of conv1, whose "outputs" are the C = 2 input channels (the OB-channel tiles of
 * ConvDirect, 8 or 4, would leave most or half of their accumulators idle there).
 *
 * <p>Letters and layouts as in {@link ConvDirect}: xp (B, CI, HP, WQ) padded input, taps (ci, u, v),
 * output element (b, o, i, j) at yOff + (b*cout + o)*yPlane + i*yPitch + j. Per tap the tile loads 8
 * input vectors and broadcasts 2 weights for 16 FMAs. Tiles go through scratch (one per chunk) and are
 * copied out, so edges need no masks. Chunks: one (batch item, channel pair); thread-count independent.
 */
final class ConvNarrow {

    private static final VectorSpecies<Float> S = Gemm.S;
    private static final int VL = Gemm.VL;
    /** Output channels per tile. */
    static final int CB = 2;
    /** Output vectors per tile. */
    static final int QB = 8;

    private ConvNarrow() {}

    static int packedWeights(int cout, int cin, int kh, int kw) {
        return Gemm.roundUp(cout, CB) * cin * kh * kw;
    }

    static int scratch(int b, int cout) {
        return b * ((cout + CB - 1) / CB) * CB * QB * VL;
    }

    /** As {@link ConvDirect#packDataWeights}, in tiles of CB channels: wp[cb][o][t][v][c%CB]. */
    static void packDataWeights(float[] wp, int wpOff, float[] w, int oc, int c, int kh, int kw, int sh, int u0,
                                int nt) {
        int nCb = (c + CB - 1) / CB;
        for (int cb = 0; cb < nCb; cb++) {
            for (int o = 0; o < oc; o++) {
                for (int t = 0; t < nt; t++) {
                    int u = u0 + sh * (nt - 1 - t);
                    for (int v = 0; v < kw; v++) {
                        int d = wpOff + (((cb * oc + o) * nt + t) * kw + v) * CB;
                        for (int l = 0; l < CB; l++) {
                            int ci = cb * CB + l;
                            wp[d + l] = ci < c ? w[((o * c + ci) * kh + u) * kw + (kw - 1 - v)] : 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * y[b, o, i, j] = sum_{ci,u,v} wp(o, ci, u, v) * xp[b, ci, i*SH + u, j + v] (no bias); y written; tapOff from
     * {@link ConvDirect#tapOffsets}.
     */
    static void forward(float[] y, int yOff, int yPitch, int yPlane, float[] xp, int xpOff, float[] wp, int wpOff,
                        float[] scr, int scrOff, int b, int cin, int hp, int wq, int cout, int ho, int wo,
                        int kh, int kw, int sh, int[] tapOff) {
        int nCb = (cout + CB - 1) / CB;
        int nvec = (wo + VL - 1) / VL;
        int positions = ho * nvec;
        Parallel.forChunks(b * nCb, 1, (task, t0, t1) -> {
            int bi = task / nCb;
            int cb = task % nCb;
            int xBase = xpOff + bi * cin * hp * wq;
            int wBase = wpOff + cb * cin * kh * kw * CB;
            int yBase = yOff + (bi * cout + cb * CB) * yPlane;
            int nOut = Math.min(CB, cout - cb * CB);
            int tmp = scrOff + task * CB * QB * VL;
            for (int q = 0; q < positions; q += QB) {
                // input offset of output vector q + k (the last one repeated past the end)
                int x0 = xOff(q, positions, nvec, xBase, sh, wq), x1 = xOff(q + 1, positions, nvec, xBase, sh, wq);
                int x2 = xOff(q + 2, positions, nvec, xBase, sh, wq), x3 = xOff(q + 3, positions, nvec, xBase, sh, wq);
                int x4 = xOff(q + 4, positions, nvec, xBase, sh, wq), x5 = xOff(q + 5, positions, nvec, xBase, sh, wq);
                int x6 = xOff(q + 6, positions, nvec, xBase, sh, wq), x7 = xOff(q + 7, positions, nvec, xBase, sh, wq);
                tile(scr, tmp, xp, x0, x1, x2, x3, x4, x5, x6, x7, wp, wBase, tapOff);
                for (int k = 0; k < QB && q + k < positions; k++) {
                    int i = (q + k) / nvec, j = (q + k) % nvec * VL;
                    int len = Math.min(VL, wo - j);
                    for (int t = 0; t < nOut; t++) {
                        System.arraycopy(scr, tmp + (t * QB + k) * VL, y, yBase + t * yPlane + i * yPitch + j, len);
                    }
                }
            }
        });
    }

    private static int xOff(int q, int positions, int nvec, int xBase, int sh, int wq) {
        int p = Math.min(q, positions - 1);
        return xBase + (p / nvec) * sh * wq + (p % nvec) * VL;
    }

    /** CB x QB tile: channel t, vector k stored at out[o + (t*QB + k)*VL]. One counted loop over the taps. */
    private static void tile(float[] out, int o, float[] xp, int x0, int x1, int x2, int x3, int x4, int x5, int x6,
                             int x7, float[] wp, int wBase, int[] tapOff) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z;
        for (int t = 0, wi = wBase; t < tapOff.length; t++, wi += CB) {
            int d = tapOff[t];
            FloatVector wa = FloatVector.broadcast(S, wp[wi]);
            FloatVector wb = FloatVector.broadcast(S, wp[wi + 1]);
            FloatVector v0 = FloatVector.fromArray(S, xp, x0 + d);
            a0 = v0.fma(wa, a0);
            b0 = v0.fma(wb, b0);
            FloatVector v1 = FloatVector.fromArray(S, xp, x1 + d);
            a1 = v1.fma(wa, a1);
            b1 = v1.fma(wb, b1);
            FloatVector v2 = FloatVector.fromArray(S, xp, x2 + d);
            a2 = v2.fma(wa, a2);
            b2 = v2.fma(wb, b2);
            FloatVector v3 = FloatVector.fromArray(S, xp, x3 + d);
            a3 = v3.fma(wa, a3);
            b3 = v3.fma(wb, b3);
            FloatVector v4 = FloatVector.fromArray(S, xp, x4 + d);
            a4 = v4.fma(wa, a4);
            b4 = v4.fma(wb, b4);
            FloatVector v5 = FloatVector.fromArray(S, xp, x5 + d);
            a5 = v5.fma(wa, a5);
            b5 = v5.fma(wb, b5);
            FloatVector v6 = FloatVector.fromArray(S, xp, x6 + d);
            a6 = v6.fma(wa, a6);
            b6 = v6.fma(wb, b6);
            FloatVector v7 = FloatVector.fromArray(S, xp, x7 + d);
            a7 = v7.fma(wa, a7);
            b7 = v7.fma(wb, b7);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + VL);
        a2.intoArray(out, o + 2 * VL);
        a3.intoArray(out, o + 3 * VL);
        a4.intoArray(out, o + 4 * VL);
        a5.intoArray(out, o + 5 * VL);
        a6.intoArray(out, o + 6 * VL);
        a7.intoArray(out, o + 7 * VL);
        b0.intoArray(out, o + 8 * VL);
        b1.intoArray(out, o + 9 * VL);
        b2.intoArray(out, o + 10 * VL);
        b3.intoArray(out, o + 11 * VL);
        b4.intoArray(out, o + 12 * VL);
        b5.intoArray(out, o + 13 * VL);
        b6.intoArray(out, o + 14 * VL);
        b7.intoArray(out, o + 15 * VL);
    }
}
