package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution kernels for unit stride along W, vectorised along the output columns: with a
 * zero-padded input, the output columns j..j+VL-1 of row i read the input columns j+v..j+v+VL-1 of
 * padded row i*SH+u, i.e. one unaligned vector load per tap, and no im2col matrix is ever built.
 *
 * <p>Letters: B batch, CI input channels, CO output channels, HP x WQ the padded input plane, HO x WO the
 * output plane, KH x KW the kernel, SH the row stride (the column stride is 1). A padded plane row has
 * WQ = roundUp(WO, VL) + KW + 1 floats, so every vector load stays inside its row's buffer (the extra
 * columns are zeros and only feed lanes or taps that are discarded).
 *
 * <p>Used by {@link Conv2dCpu} for the forward pass, the data gradient (stride 1: a forward pass over
 * the padded output gradient with the flipped, transposed kernel) and the filter gradient. Threads
 * split the work by (batch, output-channel block) or (output-channel block, input channel); each output
 * element is reduced in a fixed order inside one chunk.
 */
final class ConvDirect {

    private static final VectorSpecies<Float> S = Gemm.S;
    private static final int VL = Gemm.VL;
    /** Output channels per forward tile: 8 channels x 2 column vectors = 16 accumulators. */
    static final int OB = 8;
    /** Output channels x kernel taps per filter-gradient tile: 4 x 3 = 12 accumulators. */
    static final int FB = 4;
    static final int VB = 3;

    private ConvDirect() {}

    /** Row width of a padded plane that feeds outputs of width {@code wo} through a kernel of width {@code kw}. */
    static int paddedWidth(int wo, int kw) {
        return Gemm.roundUp(wo, VL) + kw + 1;
    }

    /** Floats of the repacked kernel for {@code cout} outputs and {@code cin} inputs. */
    static int packedWeights(int cout, int cin, int kh, int kw) {
        return Gemm.roundUp(cout, OB) * cin * kh * kw;
    }

    /**
     * dst (B, C, H + 2PH, WQ) = src (B, C, H, W) placed at row PH, column PW, zeros elsewhere.
     */
    static void pad(float[] dst, int dOff, float[] src, int b, int c, int h, int w, int ph, int pw, int wq) {
        int plane = (h + 2 * ph) * wq;
        Parallel.forChunks(b * c, 4, (ch, p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int d = dOff + p * plane;
                Arrays.fill(dst, d, d + plane, 0f);
                for (int r = 0; r < h; r++) {
                    System.arraycopy(src, (p * h + r) * w, dst, d + (r + ph) * wq + pw, w);
                }
            }
        });
    }

    /**
     * Repack a kernel into tiles of {@link #OB} output channels: wp[ob][ci][u][v][t] = kernel of output
     * ob*OB+t (zero past cout). Not flipped: w is (cout, cin, KH, KW). Flipped (for the data gradient):
     * w is the forward kernel (cin, cout, KH, KW) and wp holds w[ci][o][KH-1-u][KW-1-v].
     */
    static void packWeights(float[] wp, int wpOff, float[] w, int cout, int cin, int kh, int kw, boolean flip) {
        int nOb = (cout + OB - 1) / OB;
        for (int ob = 0; ob < nOb; ob++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int u = 0; u < kh; u++) {
                    for (int v = 0; v < kw; v++) {
                        int d = wpOff + (((ob * cin + ci) * kh + u) * kw + v) * OB;
                        for (int t = 0; t < OB; t++) {
                            int o = ob * OB + t;
                            float val = 0f;
                            if (o < cout) {
                                val = flip ? w[((ci * cout + o) * kh + (kh - 1 - u)) * kw + (kw - 1 - v)]
                                           : w[((o * cin + ci) * kh + u) * kw + v];
                            }
                            wp[d + t] = val;
                        }
                    }
                }
            }
        }
    }

    /**
     * y[b, o, i, j] = bias[o] + sum_{ci,u,v} wp(o, ci, u, v) * xp[b, ci, i*SH + u, j + v], for all
     * o &lt; cout, i &lt; ho, j &lt; wo; y is (B, cout, ho, wo), written. bias may be null.
     * Work: chunks of one (batch item, block of OB output channels); inside, output vectors are taken
     * two at a time in row-major order (two vectors of one row, or the ends of two rows).
     */
    static void forward(float[] y, float[] xp, int xpOff, float[] wp, int wpOff, float[] bias,
                        int b, int cin, int hp, int wq, int cout, int ho, int wo, int kh, int kw, int sh) {
        int nOb = (cout + OB - 1) / OB;
        int nvec = (wo + VL - 1) / VL;
        int positions = ho * nvec;
        Parallel.forChunks(b * nOb, 1, (task, t0, t1) -> {
            int bi = task / nOb;
            int ob = task % nOb;
            int xBase = xpOff + bi * cin * hp * wq;
            int wBase = wpOff + ob * cin * kh * kw * OB;
            int yBase = (bi * cout + ob * OB) * ho * wo;
            int nOut = Math.min(OB, cout - ob * OB);
            for (int q = 0; q < positions; q += 2) {
                int q1 = Math.min(q + 1, positions - 1);
                tile(y, yBase, xp, xBase, wp, wBase, bias, ob * OB, nOut, q, q1, nvec, cin, hp, wq, ho, wo, kh, kw, sh);
            }
        });
    }

    /** One forward tile: OB output channels x the two output vectors q0, q1 (q1 == q0: only one). */
    private static void tile(float[] y, int yBase, float[] xp, int xBase, float[] wp, int wBase, float[] bias,
                             int o0, int nOut, int q0, int q1, int nvec, int cin, int hp, int wq, int ho, int wo,
                             int kh, int kw, int sh) {
        int ia = q0 / nvec, ja = (q0 % nvec) * VL;
        int ib = q1 / nvec, jb = (q1 % nvec) * VL;
        int ra = xBase + ia * sh * wq + ja;
        int rb = xBase + ib * sh * wq + jb;
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z;
        int wi = wBase;
        for (int ci = 0; ci < cin; ci++) {
            for (int u = 0; u < kh; u++) {
                int rowOff = (ci * hp + u) * wq;
                int pa = ra + rowOff;
                int pb = rb + rowOff;
                for (int v = 0; v < kw; v++, wi += OB) {
                    FloatVector xa = FloatVector.fromArray(S, xp, pa + v);
                    FloatVector xb = FloatVector.fromArray(S, xp, pb + v);
                    FloatVector w0 = FloatVector.broadcast(S, wp[wi]);
                    a0 = xa.fma(w0, a0);
                    b0 = xb.fma(w0, b0);
                    FloatVector w1 = FloatVector.broadcast(S, wp[wi + 1]);
                    a1 = xa.fma(w1, a1);
                    b1 = xb.fma(w1, b1);
                    FloatVector w2 = FloatVector.broadcast(S, wp[wi + 2]);
                    a2 = xa.fma(w2, a2);
                    b2 = xb.fma(w2, b2);
                    FloatVector w3 = FloatVector.broadcast(S, wp[wi + 3]);
                    a3 = xa.fma(w3, a3);
                    b3 = xb.fma(w3, b3);
                    FloatVector w4 = FloatVector.broadcast(S, wp[wi + 4]);
                    a4 = xa.fma(w4, a4);
                    b4 = xb.fma(w4, b4);
                    FloatVector w5 = FloatVector.broadcast(S, wp[wi + 5]);
                    a5 = xa.fma(w5, a5);
                    b5 = xb.fma(w5, b5);
                    FloatVector w6 = FloatVector.broadcast(S, wp[wi + 6]);
                    a6 = xa.fma(w6, a6);
                    b6 = xb.fma(w6, b6);
                    FloatVector w7 = FloatVector.broadcast(S, wp[wi + 7]);
                    a7 = xa.fma(w7, a7);
                    b7 = xb.fma(w7, b7);
                }
            }
        }
        int plane = ho * wo;
        int ya = yBase + ia * wo + ja;
        VectorMask<Float> ma = S.indexInRange(ja, wo);
        switch (nOut) {     // fall through: channels nOut-1 down to 0
            case 8: put(a7, bias, o0 + 7, y, ya + 7 * plane, ma);
            case 7: put(a6, bias, o0 + 6, y, ya + 6 * plane, ma);
            case 6: put(a5, bias, o0 + 5, y, ya + 5 * plane, ma);
            case 5: put(a4, bias, o0 + 4, y, ya + 4 * plane, ma);
            case 4: put(a3, bias, o0 + 3, y, ya + 3 * plane, ma);
            case 3: put(a2, bias, o0 + 2, y, ya + 2 * plane, ma);
            case 2: put(a1, bias, o0 + 1, y, ya + plane, ma);
            default: put(a0, bias, o0, y, ya, ma);
        }
        if (q1 == q0) {
            return;
        }
        int yb = yBase + ib * wo + jb;
        VectorMask<Float> mb = S.indexInRange(jb, wo);
        switch (nOut) {
            case 8: put(b7, bias, o0 + 7, y, yb + 7 * plane, mb);
            case 7: put(b6, bias, o0 + 6, y, yb + 6 * plane, mb);
            case 6: put(b5, bias, o0 + 5, y, yb + 5 * plane, mb);
            case 5: put(b4, bias, o0 + 4, y, yb + 4 * plane, mb);
            case 4: put(b3, bias, o0 + 3, y, yb + 3 * plane, mb);
            case 3: put(b2, bias, o0 + 2, y, yb + 2 * plane, mb);
            case 2: put(b1, bias, o0 + 1, y, yb + plane, mb);
            default: put(b0, bias, o0, y, yb, mb);
        }
    }

    private static void put(FloatVector acc, float[] bias, int o, float[] y, int at, VectorMask<Float> m) {
        if (bias != null) {
            acc = acc.add(bias[o]);
        }
        if (m.allTrue()) {
            acc.intoArray(y, at);
        } else {
            acc.intoArray(y, at, m);
        }
    }

    /**
     * dw[o, ci, u, v] += sum_{b,i,j<wo} dy[b, o, i, j] * xp[b, ci, i*SH + u, j + v]; dw (cout, cin, KH, KW),
     * dy (B, cout, ho, wo). Chunks: one (block of FB output channels, input channel); each tile keeps
     * FB x VB vector accumulators over the whole batch and reduces their lanes once at the end.
     */
    static void filter(float[] dw, float[] dy, float[] xp, int xpOff, int b, int cin, int hp, int wq,
                       int cout, int ho, int wo, int kh, int kw, int sh) {
        int nFb = (cout + FB - 1) / FB;
        Parallel.forChunks(nFb * cin, 1, (task, t0, t1) -> {
            int fb = task / cin;
            int ci = task % cin;
            for (int u = 0; u < kh; u++) {
                for (int v0 = 0; v0 < kw; v0 += VB) {
                    filterTile(dw, dy, xp, xpOff, fb * FB, ci, u, v0, b, cin, hp, wq, cout, ho, wo, kh, kw, sh);
                }
            }
        });
    }

    private static void filterTile(float[] dw, float[] dy, float[] xp, int xpOff, int o0, int ci, int u, int v0,
                                   int b, int cin, int hp, int wq, int cout, int ho, int wo, int kh, int kw, int sh) {
        int nOut = Math.min(FB, cout - o0);
        int plane = ho * wo;
        // channels past cout re-read the last valid one; their sums are discarded
        int d1 = Math.min(1, nOut - 1) * plane, d2 = Math.min(2, nOut - 1) * plane, d3 = Math.min(3, nOut - 1) * plane;
        int full = wo / VL * VL;
        VectorMask<Float> tail = S.indexInRange(full, wo);
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = z, s01 = z, s02 = z, s10 = z, s11 = z, s12 = z;
        FloatVector s20 = z, s21 = z, s22 = z, s30 = z, s31 = z, s32 = z;
        for (int bi = 0; bi < b; bi++) {
            int dBase = (bi * cout + o0) * plane;
            int xBase = xpOff + ((bi * cin + ci) * hp + u) * wq + v0;
            for (int i = 0; i < ho; i++) {
                int dr = dBase + i * wo;
                int xr = xBase + i * sh * wq;
                for (int j = 0; j <= wo - 1; j += VL) {
                    FloatVector g0, g1, g2, g3;
                    if (j < full) {
                        g0 = FloatVector.fromArray(S, dy, dr + j);
                        g1 = FloatVector.fromArray(S, dy, dr + d1 + j);
                        g2 = FloatVector.fromArray(S, dy, dr + d2 + j);
                        g3 = FloatVector.fromArray(S, dy, dr + d3 + j);
                    } else {
                        g0 = FloatVector.fromArray(S, dy, dr + j, tail);
                        g1 = FloatVector.fromArray(S, dy, dr + d1 + j, tail);
                        g2 = FloatVector.fromArray(S, dy, dr + d2 + j, tail);
                        g3 = FloatVector.fromArray(S, dy, dr + d3 + j, tail);
                    }
                    FloatVector x0 = FloatVector.fromArray(S, xp, xr + j);
                    FloatVector x1 = FloatVector.fromArray(S, xp, xr + j + 1);
                    FloatVector x2 = FloatVector.fromArray(S, xp, xr + j + 2);
                    s00 = g0.fma(x0, s00);
                    s01 = g0.fma(x1, s01);
                    s02 = g0.fma(x2, s02);
                    s10 = g1.fma(x0, s10);
                    s11 = g1.fma(x1, s11);
                    s12 = g1.fma(x2, s12);
                    s20 = g2.fma(x0, s20);
                    s21 = g2.fma(x1, s21);
                    s22 = g2.fma(x2, s22);
                    s30 = g3.fma(x0, s30);
                    s31 = g3.fma(x1, s31);
                    s32 = g3.fma(x2, s32);
                }
            }
        }
        int nTaps = Math.min(VB, kw - v0);
        FloatVector[][] s = {{s00, s01, s02}, {s10, s11, s12}, {s20, s21, s22}, {s30, s31, s32}};
        for (int t = 0; t < nOut; t++) {
            int d = (((o0 + t) * cin + ci) * kh + u) * kw + v0;
            for (int v = 0; v < nTaps; v++) {
                dw[d + v] += s[t][v].reduceLanes(VectorOperators.ADD);
            }
        }
    }
}
