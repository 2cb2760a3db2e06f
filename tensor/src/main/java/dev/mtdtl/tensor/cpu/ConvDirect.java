package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.ColdStart;
import dev.mtdtl.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
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
 * <p>Used by {@link Conv2dCpu} for the forward pass and the data gradient (a forward pass over the
 * padded output gradient with the flipped, transposed kernel, per class of rows); {@link ConvFilter}
 * holds the filter gradient on the same padded layout. Threads split the work by (batch item,
 * output-channel block); each output element is reduced in a fixed order inside one chunk.
 */
final class ConvDirect {

    private static final VectorSpecies<Float> S = Gemm.S;
    private static final int VL = Gemm.VL;
    /**
     * Output channels per forward tile: OB channels x 2 column vectors of accumulators, plus 2 input vectors and
     * the tap's OB broadcast weights (C2 loads them all before the tap's first FMA). 8 with 512-bit vectors (16
     * accumulators, 26 of AVX-512's 32 registers at most), else 4 (8 accumulators, 14 of AVX2's 16): on AVX2 the
     * 8-channel tile, and a 6-channel one too, spilled accumulators at every tap; conv3's forward ran at 27
     * GFLOP/s a core with 8 channels and 90 with 4 (bench/RESULTS.md, session 37). The tile does not change a bit:
     * each output's FMA chain (its bias, then the taps in order) is the same in any tile.
     */
    static final int OB = VL >= 16 ? 8 : 4;

    /**
     * Tile FMAs (lanes included) a JVM computes with {@link #tileScalar} first ({@link ColdStart}): 640 M, about the
     * forward of conv1-conv4 on a 30 s file's 12 slices (614 M).
     */
    private static final ColdStart COLD = new ColdStart(640L << 20);

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
     * dst (B, C, HQ, WQ) at dOff = src (B, C, H, W) at sOff placed at row {@code top}, column {@code left}, zeros
     * elsewhere.
     */
    static void pad(float[] dst, int dOff, float[] src, int sOff, int b, int c, int h, int w, int top, int left,
                    int hq, int wq) {
        int plane = hq * wq;
        Parallel.forChunks(b * c, 4, (ch, p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                padPlane(dst, dOff + p * plane, src, sOff + p * h * w, h, w, top, left, hq, wq);
            }
        });
    }

    /** One plane: dst[d, d + HQ*WQ) = src[s, s + H*W) placed at row top, column left, zeros elsewhere. */
    static void padPlane(float[] dst, int d, float[] src, int s, int h, int w, int top, int left, int hq, int wq) {
        Arrays.fill(dst, d, d + hq * wq, 0f);
        for (int r = 0; r < h; r++) {
            System.arraycopy(src, s + r * w, dst, d + (r + top) * wq + left, w);
        }
    }

    /**
     * Repack a kernel w (cout, cin, KH, KW) into tiles of {@link #OB} output channels:
     * wp[ob][ci][u][v][t] = w[ob*OB + t][ci][u][v] (zero past cout).
     */
    static void packWeights(float[] wp, int wpOff, float[] w, int cout, int cin, int kh, int kw) {
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
                                val = w[((o * cin + ci) * kh + u) * kw + v];
                            }
                            wp[d + t] = val;
                        }
                    }
                }
            }
        }
    }

    /** Scratch floats of {@link #forward}: one OB x 2-vector tile per chunk, for edge tiles. */
    static int forwardScratch(int b, int cout) {
        return b * ((cout + OB - 1) / OB) * 2 * OB * VL;
    }

    /**
     * Repack the kernel for one row class of the data gradient (see {@link Conv2dCpu#backwardData}):
     * outputs are the cin = C input channels of the conv, inputs its cout = OC output channels, taps
     * t &lt; nt stand for kernel rows u = u0 + SH*(nt-1-t), and columns are flipped:
     * wp[cb][o][t][v][c%OB] = w[o][c][u0 + SH*(nt-1-t)][KW-1-v], w being (OC, C, KH, KW).
     */
    static void packDataWeights(float[] wp, int wpOff, float[] w, int oc, int c, int kh, int kw, int sh, int u0,
                                int nt) {
        int nCb = (c + OB - 1) / OB;
        for (int cb = 0; cb < nCb; cb++) {
            for (int o = 0; o < oc; o++) {
                for (int t = 0; t < nt; t++) {
                    int u = u0 + sh * (nt - 1 - t);
                    for (int v = 0; v < kw; v++) {
                        int d = wpOff + (((cb * oc + o) * nt + t) * kw + v) * OB;
                        for (int l = 0; l < OB; l++) {
                            int ci = cb * OB + l;
                            wp[d + l] = ci < c ? w[((o * c + ci) * kh + u) * kw + (kw - 1 - v)] : 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * y[b, o, i, j] = bias[o] + sum_{ci,u,v} wp(o, ci, u, v) * xp[b, ci, i*SH + u, j + v], for all
     * o &lt; cout, i &lt; ho, j &lt; wo; bias may be null. y: written, element (b, o, i, j) at
     * yOff + (b*cout + o)*yPlane + i*yPitch + j (the plain layout (B, cout, ho, wo) is yOff 0, yPitch wo,
     * yPlane ho*wo; the strided data gradient writes every SH-th row of dx).
     * Work: chunks of one (batch item, block of OB output channels); inside, output vectors are taken
     * two at a time in row-major order (two vectors of one row, or the ends of two rows). Tiles that
     * reach past wo or cout go through {@link #forwardScratch} floats at {@code scr} (no lane masks:
     * C2 keeps the 16 (or 8) accumulators in registers only while the method stays small).
     */
    static void forward(float[] y, int yOff, int yPitch, int yPlane, float[] xp, int xpOff, float[] wp, int wpOff,
                        float[] bias, float[] scr, int scrOff, int b, int cin, int hp, int wq, int cout, int ho, int wo,
                        int kh, int kw, int sh, int[] tapOff) {
        int nOb = (cout + OB - 1) / OB;
        int nvec = (wo + VL - 1) / VL;
        int positions = ho * nvec;
        Parallel.forChunks(b * nOb, 1, (task, t0, t1) -> {
            boolean cold = COLD.scalar((long) positions * VL * OB * tapOff.length);
            int bi = task / nOb;
            int ob = task % nOb;
            int xBase = xpOff + bi * cin * hp * wq;
            int wBase = wpOff + ob * cin * kh * kw * OB;
            int yBase = yOff + (bi * cout + ob * OB) * yPlane;
            int nOut = Math.min(OB, cout - ob * OB);
            int tmp = scrOff + task * 2 * OB * VL;
            for (int q = 0; q < positions; q += 2) {
                int q1 = Math.min(q + 1, positions - 1);
                int ia = q / nvec, ja = (q % nvec) * VL;
                int ib = q1 / nvec, jb = (q1 % nvec) * VL;
                boolean direct = nOut == OB && ja + VL <= wo && jb + VL <= wo && q1 != q;
                float[] out = direct ? y : scr;
                int outA = direct ? yBase + ia * yPitch + ja : tmp;
                int outB = direct ? yBase + ib * yPitch + jb : tmp + VL;
                int stride = direct ? yPlane : 2 * VL;
                int ra = xBase + ia * sh * wq + ja, rb = xBase + ib * sh * wq + jb;
                if (cold) {
                    tileScalar(out, outA, outB, stride, xp, ra, rb, wp, wBase, bias, ob * OB, nOut, tapOff);
                } else if (OB == 8) {      // a constant: C2 keeps one branch
                    tile(out, outA, outB, stride, xp, ra, rb, wp, wBase, bias, ob * OB, nOut, tapOff);
                } else {
                    tile4(out, outA, outB, stride, xp, ra, rb, wp, wBase, bias, ob * OB, nOut, tapOff);
                }
                if (!direct) {      // copy the valid lanes of the tile from scratch
                    for (int t = 0; t < nOut; t++) {
                        int pA = yBase + t * yPlane + ia * yPitch;
                        for (int l = 0; l < VL && ja + l < wo; l++) {
                            y[pA + ja + l] = scr[tmp + t * 2 * VL + l];
                        }
                        if (q1 != q) {
                            int pB = yBase + t * yPlane + ib * yPitch;
                            for (int l = 0; l < VL && jb + l < wo; l++) {
                                y[pB + jb + l] = scr[tmp + t * 2 * VL + VL + l];
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * Offset of tap (ci, u, v) from a tile's first input in a padded (CI, HP, WQ) image, taps in (ci, u, v) order:
     * {@link #forward}'s and {@link ConvNarrow#forward}'s last argument. Made once per op, not once per image
     * ({@link ConvImages} calls the kernels image by image).
     */
    static int[] tapOffsets(int cin, int hp, int wq, int kh, int kw) {
        int[] tapOff = new int[cin * kh * kw];
        for (int ci = 0, t = 0; ci < cin; ci++) {
            for (int u = 0; u < kh; u++) {
                for (int v = 0; v < kw; v++) {
                    tapOff[t++] = (ci * hp + u) * wq + v;
                }
            }
        }
        return tapOff;
    }

    /**
     * One forward tile (OB = 8): eight output channels x two output vectors whose input rows start at ra and rb;
     * channel t's two vectors are stored at out[oa + t*ostride] and out[ob + t*ostride].
     */
    private static void tile(float[] out, int oa, int obase, int ostride, float[] xp, int ra, int rb,
                             float[] wp, int wBase, float[] bias, int o0, int nOut, int[] tapOff) {
        FloatVector a0 = init(bias, o0, nOut), a1 = init(bias, o0 + 1, nOut), a2 = init(bias, o0 + 2, nOut);
        FloatVector a3 = init(bias, o0 + 3, nOut), a4 = init(bias, o0 + 4, nOut), a5 = init(bias, o0 + 5, nOut);
        FloatVector a6 = init(bias, o0 + 6, nOut), a7 = init(bias, o0 + 7, nOut);
        FloatVector b0 = a0, b1 = a1, b2 = a2, b3 = a3, b4 = a4, b5 = a5, b6 = a6, b7 = a7;
        // One counted loop over the taps (ci, u, v): C2 keeps vector accumulators in registers across a
        // counted loop, but boxes them at the safepoint of every outer loop's back edge.
        for (int t = 0, wi = wBase; t < tapOff.length; t++, wi += OB) {
            int pa = ra + tapOff[t];
            int pb = rb + tapOff[t];
            FloatVector xa = FloatVector.fromArray(S, xp, pa);
            FloatVector xb = FloatVector.fromArray(S, xp, pb);
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
        a0.intoArray(out, oa);
        b0.intoArray(out, obase);
        a1.intoArray(out, oa + ostride);
        b1.intoArray(out, obase + ostride);
        a2.intoArray(out, oa + 2 * ostride);
        b2.intoArray(out, obase + 2 * ostride);
        a3.intoArray(out, oa + 3 * ostride);
        b3.intoArray(out, obase + 3 * ostride);
        a4.intoArray(out, oa + 4 * ostride);
        b4.intoArray(out, obase + 4 * ostride);
        a5.intoArray(out, oa + 5 * ostride);
        b5.intoArray(out, obase + 5 * ostride);
        a6.intoArray(out, oa + 6 * ostride);
        b6.intoArray(out, obase + 6 * ostride);
        a7.intoArray(out, oa + 7 * ostride);
        b7.intoArray(out, obase + 7 * ostride);
    }

    /**
     * {@link #tile} for OB = 4 (AVX2): the same FMA chain per output, 8 accumulators. With the 4 broadcast weights
     * and 2 input vectors that is 14 registers, which fit AVX2's 16 even when C2 loads every weight of a tap
     * before the first FMA (as it did for a 6-channel tile, which then spilled 3 accumulators a tap).
     */
    private static void tile4(float[] out, int oa, int obase, int ostride, float[] xp, int ra, int rb,
                              float[] wp, int wBase, float[] bias, int o0, int nOut, int[] tapOff) {
        FloatVector a0 = init(bias, o0, nOut), a1 = init(bias, o0 + 1, nOut), a2 = init(bias, o0 + 2, nOut);
        FloatVector a3 = init(bias, o0 + 3, nOut);
        FloatVector b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        for (int t = 0, wi = wBase; t < tapOff.length; t++, wi += 4) {
            int pa = ra + tapOff[t];
            int pb = rb + tapOff[t];
            FloatVector xa = FloatVector.fromArray(S, xp, pa);
            FloatVector xb = FloatVector.fromArray(S, xp, pb);
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
        }
        a0.intoArray(out, oa);
        b0.intoArray(out, obase);
        a1.intoArray(out, oa + ostride);
        b1.intoArray(out, obase + ostride);
        a2.intoArray(out, oa + 2 * ostride);
        b2.intoArray(out, obase + 2 * ostride);
        a3.intoArray(out, oa + 3 * ostride);
        b3.intoArray(out, obase + 3 * ostride);
    }

    /**
     * {@link #tile} and {@link #tile4} in scalar code ({@link ColdStart}): output (channel c, lane l) starts from its bias
     * (zero past the last channel) and takes the taps' FMAs in order, as the vector accumulators do, so the same bits.
     * Eight lanes of both rows at a time in local variables, over all taps, then stored: C2 keeps the 16 chains in
     * registers, where accumulating in out was a load and a store around every FMA (2-2.9x the time compiled: conv2's
     * tile, 144 taps, 1.7-2.5 against 4.8 G FMA/s; bench/RESULTS.md, session 53). Vectors of fewer than 8 lanes take
     * {@link #tileScalarInOut}.
     */
    private static void tileScalar(float[] out, int oa, int obase, int ostride, float[] xp, int ra, int rb,
                                   float[] wp, int wBase, float[] bias, int o0, int nOut, int[] tapOff) {
        if (VL % 8 != 0) {
            tileScalarInOut(out, oa, obase, ostride, xp, ra, rb, wp, wBase, bias, o0, nOut, tapOff);
            return;
        }
        int taps = tapOff.length;
        for (int c = 0; c < OB; c++) {
            float b0 = bias == null || c >= nOut ? 0f : bias[o0 + c];
            for (int l = 0; l < VL; l += 8) {
                float a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0, a6 = b0, a7 = b0;
                float e0 = b0, e1 = b0, e2 = b0, e3 = b0, e4 = b0, e5 = b0, e6 = b0, e7 = b0;
                for (int t = 0, wi = wBase + c; t < taps; t++, wi += OB) {
                    float w = wp[wi];
                    int pa = ra + tapOff[t] + l;
                    int pb = rb + tapOff[t] + l;
                    a0 = Math.fma(xp[pa], w, a0);
                    a1 = Math.fma(xp[pa + 1], w, a1);
                    a2 = Math.fma(xp[pa + 2], w, a2);
                    a3 = Math.fma(xp[pa + 3], w, a3);
                    a4 = Math.fma(xp[pa + 4], w, a4);
                    a5 = Math.fma(xp[pa + 5], w, a5);
                    a6 = Math.fma(xp[pa + 6], w, a6);
                    a7 = Math.fma(xp[pa + 7], w, a7);
                    e0 = Math.fma(xp[pb], w, e0);
                    e1 = Math.fma(xp[pb + 1], w, e1);
                    e2 = Math.fma(xp[pb + 2], w, e2);
                    e3 = Math.fma(xp[pb + 3], w, e3);
                    e4 = Math.fma(xp[pb + 4], w, e4);
                    e5 = Math.fma(xp[pb + 5], w, e5);
                    e6 = Math.fma(xp[pb + 6], w, e6);
                    e7 = Math.fma(xp[pb + 7], w, e7);
                }
                int a = oa + c * ostride + l;
                int q = obase + c * ostride + l;
                out[a] = a0;
                out[a + 1] = a1;
                out[a + 2] = a2;
                out[a + 3] = a3;
                out[a + 4] = a4;
                out[a + 5] = a5;
                out[a + 6] = a6;
                out[a + 7] = a7;
                out[q] = e0;
                out[q + 1] = e1;
                out[q + 2] = e2;
                out[q + 3] = e3;
                out[q + 4] = e4;
                out[q + 5] = e5;
                out[q + 6] = e6;
                out[q + 7] = e7;
            }
        }
    }

    /**
     * {@link #tileScalar} accumulating in out as it goes (out's two vectors of OB channels never overlap xp nor each
     * other), taps outermost: any lane count.
     */
    private static void tileScalarInOut(float[] out, int oa, int obase, int ostride, float[] xp, int ra, int rb,
                                        float[] wp, int wBase, float[] bias, int o0, int nOut, int[] tapOff) {
        for (int c = 0; c < OB; c++) {
            float b0 = bias == null || c >= nOut ? 0f : bias[o0 + c];
            Arrays.fill(out, oa + c * ostride, oa + c * ostride + VL, b0);
            Arrays.fill(out, obase + c * ostride, obase + c * ostride + VL, b0);
        }
        for (int t = 0, wi = wBase; t < tapOff.length; t++, wi += OB) {
            int pa = ra + tapOff[t];
            int pb = rb + tapOff[t];
            for (int c = 0; c < OB; c++) {
                float w = wp[wi + c];
                int a = oa + c * ostride;
                int bq = obase + c * ostride;
                for (int l = 0; l < VL; l++) {
                    out[a + l] = Math.fma(xp[pa + l], w, out[a + l]);
                    out[bq + l] = Math.fma(xp[pb + l], w, out[bq + l]);
                }
            }
        }
    }

    /** Accumulator start: the bias of output o, zero without bias or past the last channel. */
    private static FloatVector init(float[] bias, int o, int nOut) {
        return FloatVector.broadcast(S, bias == null || o - (o / OB) * OB >= nOut ? 0f : bias[o]);
    }
}
