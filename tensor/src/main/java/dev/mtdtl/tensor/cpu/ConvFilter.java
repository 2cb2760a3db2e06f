package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Filter gradient of a unit-column-stride convolution, direct and vectorised along the output columns:
 * dw[o, ci, u, v] += sum_{b,i,j} dy[b, o, i, j] xpad[b, ci, i*SH + u, j + v]. Each lane of a vector
 * accumulator sums one column residue j mod VL; the lanes are added in order at the end.
 *
 * <p>Letters and the padded input layout (B, CI, HP, WQ) as in {@link ConvDirect}. Two tile shapes:
 * <ul>
 * <li>the row tile: FB output channels x VB = 3 consecutive taps of one kernel row; per output vector it
 *     loads FB dy vectors and 3 shifted input vectors for 3*FB FMAs. FB = 8 (24 accumulators) with 512-bit
 *     vectors (AVX-512 has 32 registers), else 3 (9 accumulators + 6 operands: 15 of AVX2's 16; 4 channels
 *     needed 19 and spilled). KH * ceil(KW / 3) passes per batch block.</li>
 * <li>the wide tile (512-bit vectors only, dy rows of at most {@link #WIDE_ROWS} vectors, see
 *     {@link #wide}): {@link #WB} = 3 output channels x {@link #TB} = 9 taps of the flattened kernel
 *     (u, v) (all of a 3x3 kernel; a 5x5 kernel would be 9 + 9 + 7); per output vector 3 dy and 9
 *     shifted input vectors for 27 FMAs (27 accumulators, 3 dy and 1 input vector: 31 of 32 registers),
 *     one pass per batch block. On short rows (conv3: 2 vectors, conv4: 1) the row tile spends a large
 *     share of its steps on row and pass bookkeeping; measured by CPU time (bench ConvCpuTimer, batch 32,
 *     1 thread, Zen 5) the wide tile is faster there and slower on long rows, see bench/RESULTS.md.</li>
 * </ul>
 * Both shapes sum every accumulator (output channel, tap, lane) over the same (batch item, row, column
 * vector) sequence, the same batch blocks and the same final lane order, so they give the same bits: the
 * tile shape only decides which accumulators share a pass (checked against the row tile on conv2-conv4 of
 * the base CNN, a conv1-like 5x5 stride-2 shape and odd shapes by ConvFilterTilesTest).
 */
final class ConvFilter {

    private static final VectorSpecies<Float> S = Gemm.S;
    private static final int VL = Gemm.VL;
    /** Whether the wide tile ({@link #WB} x {@link #TB}) is available: 512-bit vectors, 32 registers. */
    static final boolean WIDE = VL >= 16;
    /** Row tile: output channels per tile (8 with 512-bit vectors, else 3). */
    static final int FB = VL >= 16 ? 8 : 3;
    /** Row tile: kernel taps (columns of one kernel row) per tile. */
    static final int VB = 3;
    /** Wide tile: output channels per tile. */
    static final int WB = 3;
    /** Wide tile: taps of the flattened kernel (u, v) per tile. */
    static final int TB = 9;

    private ConvFilter() {}

    /**
     * Whether a dy row of {@code wr} floats (a multiple of VL) takes the wide tile: rows of at most
     * {@link #WIDE_ROWS} vectors (conv3 and conv4 of the base CNN, 32 and 16 columns). There the row tile
     * pays its row-advance bookkeeping every one or two steps and makes KH passes; the wide tile makes one.
     * On longer rows (conv1, conv2: 128 and 64 columns) the row tile's fewer input loads per FMA win.
     */
    static boolean wide(int wr) {
        return WIDE && wr / VL <= WIDE_ROWS;
    }

    /** Longest dy row, in vectors, that takes the wide tile. */
    static final int WIDE_ROWS = 2;

    /** Scratch floats of {@link #filter}: per chunk, the accumulators of every tap group. */
    static int scratch(int cout, int cin, int kh, int kw, int wr) {
        if (wide(wr)) {
            return (cout + WB - 1) / WB * cin * ((kh * kw + TB - 1) / TB) * WB * TB * VL;
        }
        return (cout + FB - 1) / FB * cin * kh * ((kw + VB - 1) / VB) * FB * VB * VL;
    }

    /**
     * dw[o, ci, u, v] += sum_{b,i,j} g[b, o, i, j] * xp[b, ci, i*SH + u, j + v]; dw (cout, cin, KH, KW).
     * g holds dy (B, cout, ho, wo) with rows padded to wr = roundUp(wo, VL) floats (zeros past wo; wr = wo
     * when wo is a multiple of VL and g is dy itself). Chunks: one (block of FB output channels, input
     * channel). The batch is walked in blocks small enough for the block's dy and x planes to stay in
     * L2 while every (kernel row, tap group) tile passes over them; the tiles' FB x VB vector accumulators
     * live in {@link #scratch} floats at {@code scr} between blocks, and their lanes are summed in
     * order at the end.
     */
    static void filter(float[] dw, float[] g, int gOff, int wr, float[] xp, int xpOff, float[] scr, int scrOff,
                       int b, int cin, int hp, int wq, int cout, int ho, int kh, int kw, int sh) {
        filter(wide(wr), dw, g, gOff, wr, xp, xpOff, scr, scrOff, b, cin, hp, wq, cout, ho, kh, kw, sh);
    }

    /**
     * As above with the tile chosen by the caller (tests compare the two): {@code wideTile} needs
     * {@link #WIDE} and {@link #scratch} floats for the wide tile, i.e. at least
     * {@code ceil(cout/3) * cin * ceil(kh*kw/9) * 27 * VL}.
     */
    static void filter(boolean wideTile, float[] dw, float[] g, int gOff, int wr, float[] xp, int xpOff, float[] scr,
                       int scrOff, int b, int cin, int hp, int wq, int cout, int ho, int kh, int kw, int sh) {
        if (wideTile) {
            if (!WIDE) {
                throw new IllegalStateException("the wide filter tile needs 512-bit vectors, have " + VL + " lanes");
            }
            filterWide(dw, g, gOff, wr, xp, xpOff, scr, scrOff, b, cin, hp, wq, cout, ho, kh, kw, sh);
            return;
        }
        int nFb = (cout + FB - 1) / FB;
        int nG = (kw + VB - 1) / VB;
        int tileFloats = FB * VB * VL;
        int perBlock = Math.max(1, Math.min(b, 256 / (ho * (wr / VL))));   // >= ~256 steps per tile pass
        Parallel.forChunks(nFb * cin, 1, (task, t0, t1) -> {
            int fb = task / cin;
            int ci = task % cin;
            int o0 = fb * FB;
            int nOut = Math.min(FB, cout - o0);
            int tmp = scrOff + task * kh * nG * tileFloats;
            Arrays.fill(scr, tmp, tmp + kh * nG * tileFloats, 0f);
            for (int b0 = 0; b0 < b; b0 += perBlock) {
                int b1 = Math.min(b, b0 + perBlock);
                for (int u = 0; u < kh; u++) {
                    for (int gi = 0; gi < nG; gi++) {
                        int acc = tmp + (u * nG + gi) * tileFloats;
                        if (FB == 8) {      // a constant: C2 keeps one branch
                            tile8(scr, acc, g, gOff, wr, xp, xpOff, o0, nOut, ci, u, gi * VB, b0, b1, cin, hp, wq,
                                    cout, ho, sh);
                        } else {
                            tile3(scr, acc, g, gOff, wr, xp, xpOff, o0, nOut, ci, u, gi * VB, b0, b1, cin, hp, wq,
                                    cout, ho, sh);
                        }
                    }
                }
            }
            for (int u = 0; u < kh; u++) {
                for (int gi = 0; gi < nG; gi++) {
                    int v0 = gi * VB;
                    int nTaps = Math.min(VB, kw - v0);
                    for (int t = 0; t < nOut; t++) {
                        int d = (((o0 + t) * cin + ci) * kh + u) * kw + v0;
                        for (int v = 0; v < nTaps; v++) {
                            int a = tmp + (u * nG + gi) * tileFloats + (t * VB + v) * VL;
                            float sum = 0f;
                            for (int l = 0; l < VL; l++) {
                                sum += scr[a + l];
                            }
                            dw[d + v] += sum;
                        }
                    }
                }
            }
        });
    }

    /**
     * One filter tile: 3 output channels x taps v0..v0+2 of kernel row u (9 accumulators, 3 dy and 3 input
     * vectors: 15 of AVX2's 16 registers), over batch items [b0, b1) and all positions, added onto the
     * accumulators stored at out[oOff, oOff + FB*VB*VL).
     */
    private static void tile3(float[] out, int oOff, float[] g, int gOff, int wr, float[] xp, int xpOff,
                              int o0, int nOut, int ci, int u, int v0, int b0, int b1, int cin, int hp, int wq,
                              int cout, int ho, int sh) {
        int plane = ho * wr;
        // channels past cout re-read the last valid one; their sums are discarded
        int d1 = Math.min(1, nOut - 1) * plane, d2 = Math.min(2, nOut - 1) * plane;
        FloatVector s00 = FloatVector.fromArray(S, out, oOff);
        FloatVector s01 = FloatVector.fromArray(S, out, oOff + VL);
        FloatVector s02 = FloatVector.fromArray(S, out, oOff + 2 * VL);
        FloatVector s10 = FloatVector.fromArray(S, out, oOff + 3 * VL);
        FloatVector s11 = FloatVector.fromArray(S, out, oOff + 4 * VL);
        FloatVector s12 = FloatVector.fromArray(S, out, oOff + 5 * VL);
        FloatVector s20 = FloatVector.fromArray(S, out, oOff + 6 * VL);
        FloatVector s21 = FloatVector.fromArray(S, out, oOff + 7 * VL);
        FloatVector s22 = FloatVector.fromArray(S, out, oOff + 8 * VL);
        // One counted loop over (batch item, row, column vector): C2 boxes vector accumulators that live
        // across the safepoint of an outer loop's back edge, but not across a counted loop
        int dStart = gOff + (b0 * cout + o0) * plane, xStart = xpOff + ((b0 * cin + ci) * hp + u) * wq + v0;
        int dr = dStart, xr = xStart, j = 0, i = 0, bi = 0;
        int steps = (b1 - b0) * ho * (wr / VL);
        for (int s = 0; s < steps; s++) {
            FloatVector g0 = FloatVector.fromArray(S, g, dr + j);
            FloatVector g1 = FloatVector.fromArray(S, g, dr + d1 + j);
            FloatVector g2 = FloatVector.fromArray(S, g, dr + d2 + j);
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
            j += VL;
            if (j == wr) {              // next row; after the last row, the next batch item
                j = 0;
                dr += wr;
                xr += sh * wq;
                if (++i == ho) {
                    i = 0;
                    bi++;
                    dr = dStart + bi * cout * plane;
                    xr = xStart + bi * cin * hp * wq;
                }
            }
        }
        s00.intoArray(out, oOff);
        s01.intoArray(out, oOff + VL);
        s02.intoArray(out, oOff + 2 * VL);
        s10.intoArray(out, oOff + 3 * VL);
        s11.intoArray(out, oOff + 4 * VL);
        s12.intoArray(out, oOff + 5 * VL);
        s20.intoArray(out, oOff + 6 * VL);
        s21.intoArray(out, oOff + 7 * VL);
        s22.intoArray(out, oOff + 8 * VL);
    }

    /**
     * The same with 8 output channels (24 accumulators: AVX-512 has 32 registers) x taps v0..v0+2 of
     * kernel row u, over batch items [b0, b1) and
     * all positions, added onto the accumulators stored at out[oOff, oOff + 8*VB*VL).
     */
    private static void tile8(float[] out, int oOff, float[] g, int gOff, int wr, float[] xp, int xpOff,
                              int o0, int nOut, int ci, int u, int v0, int b0, int b1, int cin, int hp, int wq,
                              int cout, int ho, int sh) {
        int plane = ho * wr;
        // channels past cout re-read the last valid one; their sums are discarded
        int d1 = Math.min(1, nOut - 1) * plane, d2 = Math.min(2, nOut - 1) * plane, d3 = Math.min(3, nOut - 1) * plane;
        int d4 = Math.min(4, nOut - 1) * plane, d5 = Math.min(5, nOut - 1) * plane, d6 = Math.min(6, nOut - 1) * plane;
        int d7 = Math.min(7, nOut - 1) * plane;
        FloatVector s00 = FloatVector.fromArray(S, out, oOff);
        FloatVector s01 = FloatVector.fromArray(S, out, oOff + VL);
        FloatVector s02 = FloatVector.fromArray(S, out, oOff + 2 * VL);
        FloatVector s10 = FloatVector.fromArray(S, out, oOff + 3 * VL);
        FloatVector s11 = FloatVector.fromArray(S, out, oOff + 4 * VL);
        FloatVector s12 = FloatVector.fromArray(S, out, oOff + 5 * VL);
        FloatVector s20 = FloatVector.fromArray(S, out, oOff + 6 * VL);
        FloatVector s21 = FloatVector.fromArray(S, out, oOff + 7 * VL);
        FloatVector s22 = FloatVector.fromArray(S, out, oOff + 8 * VL);
        FloatVector s30 = FloatVector.fromArray(S, out, oOff + 9 * VL);
        FloatVector s31 = FloatVector.fromArray(S, out, oOff + 10 * VL);
        FloatVector s32 = FloatVector.fromArray(S, out, oOff + 11 * VL);
        FloatVector s40 = FloatVector.fromArray(S, out, oOff + 12 * VL);
        FloatVector s41 = FloatVector.fromArray(S, out, oOff + 13 * VL);
        FloatVector s42 = FloatVector.fromArray(S, out, oOff + 14 * VL);
        FloatVector s50 = FloatVector.fromArray(S, out, oOff + 15 * VL);
        FloatVector s51 = FloatVector.fromArray(S, out, oOff + 16 * VL);
        FloatVector s52 = FloatVector.fromArray(S, out, oOff + 17 * VL);
        FloatVector s60 = FloatVector.fromArray(S, out, oOff + 18 * VL);
        FloatVector s61 = FloatVector.fromArray(S, out, oOff + 19 * VL);
        FloatVector s62 = FloatVector.fromArray(S, out, oOff + 20 * VL);
        FloatVector s70 = FloatVector.fromArray(S, out, oOff + 21 * VL);
        FloatVector s71 = FloatVector.fromArray(S, out, oOff + 22 * VL);
        FloatVector s72 = FloatVector.fromArray(S, out, oOff + 23 * VL);
        // One counted loop over (batch item, row, column vector): C2 boxes vector accumulators that live
        // across the safepoint of an outer loop's back edge, but not across a counted loop
        int dStart = gOff + (b0 * cout + o0) * plane, xStart = xpOff + ((b0 * cin + ci) * hp + u) * wq + v0;
        int dr = dStart, xr = xStart, j = 0, i = 0, bi = 0;
        int steps = (b1 - b0) * ho * (wr / VL);
        for (int s = 0; s < steps; s++) {
            FloatVector x0 = FloatVector.fromArray(S, xp, xr + j);
            FloatVector x1 = FloatVector.fromArray(S, xp, xr + j + 1);
            FloatVector x2 = FloatVector.fromArray(S, xp, xr + j + 2);
            FloatVector g0 = FloatVector.fromArray(S, g, dr + j);
            s00 = g0.fma(x0, s00);
            s01 = g0.fma(x1, s01);
            s02 = g0.fma(x2, s02);
            FloatVector g1 = FloatVector.fromArray(S, g, dr + d1 + j);
            s10 = g1.fma(x0, s10);
            s11 = g1.fma(x1, s11);
            s12 = g1.fma(x2, s12);
            FloatVector g2 = FloatVector.fromArray(S, g, dr + d2 + j);
            s20 = g2.fma(x0, s20);
            s21 = g2.fma(x1, s21);
            s22 = g2.fma(x2, s22);
            FloatVector g3 = FloatVector.fromArray(S, g, dr + d3 + j);
            s30 = g3.fma(x0, s30);
            s31 = g3.fma(x1, s31);
            s32 = g3.fma(x2, s32);
            FloatVector g4 = FloatVector.fromArray(S, g, dr + d4 + j);
            s40 = g4.fma(x0, s40);
            s41 = g4.fma(x1, s41);
            s42 = g4.fma(x2, s42);
            FloatVector g5 = FloatVector.fromArray(S, g, dr + d5 + j);
            s50 = g5.fma(x0, s50);
            s51 = g5.fma(x1, s51);
            s52 = g5.fma(x2, s52);
            FloatVector g6 = FloatVector.fromArray(S, g, dr + d6 + j);
            s60 = g6.fma(x0, s60);
            s61 = g6.fma(x1, s61);
            s62 = g6.fma(x2, s62);
            FloatVector g7 = FloatVector.fromArray(S, g, dr + d7 + j);
            s70 = g7.fma(x0, s70);
            s71 = g7.fma(x1, s71);
            s72 = g7.fma(x2, s72);
            j += VL;
            if (j == wr) {              // next row; after the last row, the next batch item
                j = 0;
                dr += wr;
                xr += sh * wq;
                if (++i == ho) {
                    i = 0;
                    bi++;
                    dr = dStart + bi * cout * plane;
                    xr = xStart + bi * cin * hp * wq;
                }
            }
        }
        s00.intoArray(out, oOff);
        s01.intoArray(out, oOff + VL);
        s02.intoArray(out, oOff + 2 * VL);
        s10.intoArray(out, oOff + 3 * VL);
        s11.intoArray(out, oOff + 4 * VL);
        s12.intoArray(out, oOff + 5 * VL);
        s20.intoArray(out, oOff + 6 * VL);
        s21.intoArray(out, oOff + 7 * VL);
        s22.intoArray(out, oOff + 8 * VL);
        s30.intoArray(out, oOff + 9 * VL);
        s31.intoArray(out, oOff + 10 * VL);
        s32.intoArray(out, oOff + 11 * VL);
        s40.intoArray(out, oOff + 12 * VL);
        s41.intoArray(out, oOff + 13 * VL);
        s42.intoArray(out, oOff + 14 * VL);
        s50.intoArray(out, oOff + 15 * VL);
        s51.intoArray(out, oOff + 16 * VL);
        s52.intoArray(out, oOff + 17 * VL);
        s60.intoArray(out, oOff + 18 * VL);
        s61.intoArray(out, oOff + 19 * VL);
        s62.intoArray(out, oOff + 20 * VL);
        s70.intoArray(out, oOff + 21 * VL);
        s71.intoArray(out, oOff + 22 * VL);
        s72.intoArray(out, oOff + 23 * VL);
    }

    /**
     * The wide-tile filter gradient (see the class comment): chunks of one (pair of output channels, input
     * channel); in each batch block, every group of {@link #TB} flattened taps makes one pass.
     */
    private static void filterWide(float[] dw, float[] g, int gOff, int wr, float[] xp, int xpOff, float[] scr,
                                   int scrOff, int b, int cin, int hp, int wq, int cout, int ho, int kh, int kw, int sh) {
        int taps = kh * kw;
        int nG = (taps + TB - 1) / TB;
        int[] tapOff = new int[nG * TB];        // (u, v) -> u*WQ + v; slots past the last tap repeat it (discarded)
        for (int t = 0; t < tapOff.length; t++) {
            int tt = Math.min(t, taps - 1);
            tapOff[t] = tt / kw * wq + tt % kw;
        }
        int nFb = (cout + WB - 1) / WB;
        int tileFloats = WB * TB * VL;
        int perBlock = Math.max(1, Math.min(b, 256 / (ho * (wr / VL))));
        Parallel.forChunks(nFb * cin, 1, (task, t0, t1) -> {
            int fb = task / cin;
            int ci = task % cin;
            int o0 = fb * WB;
            int nOut = Math.min(WB, cout - o0);
            int tmp = scrOff + task * nG * tileFloats;
            Arrays.fill(scr, tmp, tmp + nG * tileFloats, 0f);
            for (int b0 = 0; b0 < b; b0 += perBlock) {
                int b1 = Math.min(b, b0 + perBlock);
                for (int gi = 0; gi < nG; gi++) {
                    tile3x9(scr, tmp + gi * tileFloats, g, gOff, wr, xp, xpOff, o0, nOut, ci, tapOff, gi * TB, b0, b1,
                            cin, hp, wq, cout, ho, sh);
                }
            }
            for (int gi = 0; gi < nG; gi++) {
                for (int t = 0; t < nOut; t++) {
                    for (int k = 0; k < TB && gi * TB + k < taps; k++) {
                        int tap = gi * TB + k;
                        int d = (((o0 + t) * cin + ci) * kh + tap / kw) * kw + tap % kw;
                        int a = tmp + gi * tileFloats + (t * TB + k) * VL;
                        float sum = 0f;
                        for (int l = 0; l < VL; l++) {
                            sum += scr[a + l];
                        }
                        dw[d] += sum;
                    }
                }
            }
        });
    }

    /**
     * One wide tile: 3 output channels x the 9 taps {@code tapOff[k0 .. k0+8]} (offsets u*WQ + v from an
     * output row's first input), over batch items [b0, b1) and all positions, added onto the 27
     * accumulators stored at out[oOff, oOff + 3*9*VL): channel t, tap k at oOff + (t*9 + k)*VL.
     * Registers: 27 accumulators, 3 dy vectors and one input vector of AVX-512's 32.
     */
    private static void tile3x9(float[] out, int oOff, float[] g, int gOff, int wr, float[] xp, int xpOff,
                                int o0, int nOut, int ci, int[] tapOff, int k0, int b0, int b1, int cin, int hp, int wq,
                                int cout, int ho, int sh) {
        int plane = ho * wr;
        // channels past cout re-read the last valid one; their sums are discarded
        int d1 = Math.min(1, nOut - 1) * plane, d2 = Math.min(2, nOut - 1) * plane;
        int f0 = tapOff[k0], f1 = tapOff[k0 + 1], f2 = tapOff[k0 + 2], f3 = tapOff[k0 + 3], f4 = tapOff[k0 + 4];
        int f5 = tapOff[k0 + 5], f6 = tapOff[k0 + 6], f7 = tapOff[k0 + 7], f8 = tapOff[k0 + 8];
        int o1 = oOff + TB * VL, o2 = oOff + 2 * TB * VL;
        FloatVector s00 = FloatVector.fromArray(S, out, oOff);
        FloatVector s01 = FloatVector.fromArray(S, out, oOff + VL);
        FloatVector s02 = FloatVector.fromArray(S, out, oOff + 2 * VL);
        FloatVector s03 = FloatVector.fromArray(S, out, oOff + 3 * VL);
        FloatVector s04 = FloatVector.fromArray(S, out, oOff + 4 * VL);
        FloatVector s05 = FloatVector.fromArray(S, out, oOff + 5 * VL);
        FloatVector s06 = FloatVector.fromArray(S, out, oOff + 6 * VL);
        FloatVector s07 = FloatVector.fromArray(S, out, oOff + 7 * VL);
        FloatVector s08 = FloatVector.fromArray(S, out, oOff + 8 * VL);
        FloatVector s10 = FloatVector.fromArray(S, out, o1);
        FloatVector s11 = FloatVector.fromArray(S, out, o1 + VL);
        FloatVector s12 = FloatVector.fromArray(S, out, o1 + 2 * VL);
        FloatVector s13 = FloatVector.fromArray(S, out, o1 + 3 * VL);
        FloatVector s14 = FloatVector.fromArray(S, out, o1 + 4 * VL);
        FloatVector s15 = FloatVector.fromArray(S, out, o1 + 5 * VL);
        FloatVector s16 = FloatVector.fromArray(S, out, o1 + 6 * VL);
        FloatVector s17 = FloatVector.fromArray(S, out, o1 + 7 * VL);
        FloatVector s18 = FloatVector.fromArray(S, out, o1 + 8 * VL);
        FloatVector s20 = FloatVector.fromArray(S, out, o2);
        FloatVector s21 = FloatVector.fromArray(S, out, o2 + VL);
        FloatVector s22 = FloatVector.fromArray(S, out, o2 + 2 * VL);
        FloatVector s23 = FloatVector.fromArray(S, out, o2 + 3 * VL);
        FloatVector s24 = FloatVector.fromArray(S, out, o2 + 4 * VL);
        FloatVector s25 = FloatVector.fromArray(S, out, o2 + 5 * VL);
        FloatVector s26 = FloatVector.fromArray(S, out, o2 + 6 * VL);
        FloatVector s27 = FloatVector.fromArray(S, out, o2 + 7 * VL);
        FloatVector s28 = FloatVector.fromArray(S, out, o2 + 8 * VL);
        // One counted loop over (batch item, row, column vector), as in tile3 (no vector across an outer back edge)
        int dStart = gOff + (b0 * cout + o0) * plane, xStart = xpOff + (b0 * cin + ci) * hp * wq;
        int dr = dStart, xr = xStart, j = 0, i = 0, bi = 0;
        int steps = (b1 - b0) * ho * (wr / VL);
        for (int s = 0; s < steps; s++) {
            FloatVector g0 = FloatVector.fromArray(S, g, dr + j);
            FloatVector g1 = FloatVector.fromArray(S, g, dr + d1 + j);
            FloatVector g2 = FloatVector.fromArray(S, g, dr + d2 + j);
            int x = xr + j;
            FloatVector x0 = FloatVector.fromArray(S, xp, x + f0);
            s00 = g0.fma(x0, s00);
            s10 = g1.fma(x0, s10);
            s20 = g2.fma(x0, s20);
            FloatVector x1 = FloatVector.fromArray(S, xp, x + f1);
            s01 = g0.fma(x1, s01);
            s11 = g1.fma(x1, s11);
            s21 = g2.fma(x1, s21);
            FloatVector x2 = FloatVector.fromArray(S, xp, x + f2);
            s02 = g0.fma(x2, s02);
            s12 = g1.fma(x2, s12);
            s22 = g2.fma(x2, s22);
            FloatVector x3 = FloatVector.fromArray(S, xp, x + f3);
            s03 = g0.fma(x3, s03);
            s13 = g1.fma(x3, s13);
            s23 = g2.fma(x3, s23);
            FloatVector x4 = FloatVector.fromArray(S, xp, x + f4);
            s04 = g0.fma(x4, s04);
            s14 = g1.fma(x4, s14);
            s24 = g2.fma(x4, s24);
            FloatVector x5 = FloatVector.fromArray(S, xp, x + f5);
            s05 = g0.fma(x5, s05);
            s15 = g1.fma(x5, s15);
            s25 = g2.fma(x5, s25);
            FloatVector x6 = FloatVector.fromArray(S, xp, x + f6);
            s06 = g0.fma(x6, s06);
            s16 = g1.fma(x6, s16);
            s26 = g2.fma(x6, s26);
            FloatVector x7 = FloatVector.fromArray(S, xp, x + f7);
            s07 = g0.fma(x7, s07);
            s17 = g1.fma(x7, s17);
            s27 = g2.fma(x7, s27);
            FloatVector x8 = FloatVector.fromArray(S, xp, x + f8);
            s08 = g0.fma(x8, s08);
            s18 = g1.fma(x8, s18);
            s28 = g2.fma(x8, s28);
            j += VL;
            if (j == wr) {              // next row; after the last row, the next batch item
                j = 0;
                dr += wr;
                xr += sh * wq;
                if (++i == ho) {
                    i = 0;
                    bi++;
                    dr = dStart + bi * cout * plane;
                    xr = xStart + bi * cin * hp * wq;
                }
            }
        }
        s00.intoArray(out, oOff);
        s01.intoArray(out, oOff + VL);
        s02.intoArray(out, oOff + 2 * VL);
        s03.intoArray(out, oOff + 3 * VL);
        s04.intoArray(out, oOff + 4 * VL);
        s05.intoArray(out, oOff + 5 * VL);
        s06.intoArray(out, oOff + 6 * VL);
        s07.intoArray(out, oOff + 7 * VL);
        s08.intoArray(out, oOff + 8 * VL);
        s10.intoArray(out, o1);
        s11.intoArray(out, o1 + VL);
        s12.intoArray(out, o1 + 2 * VL);
        s13.intoArray(out, o1 + 3 * VL);
        s14.intoArray(out, o1 + 4 * VL);
        s15.intoArray(out, o1 + 5 * VL);
        s16.intoArray(out, o1 + 6 * VL);
        s17.intoArray(out, o1 + 7 * VL);
        s18.intoArray(out, o1 + 8 * VL);
        s20.intoArray(out, o2);
        s21.intoArray(out, o2 + VL);
        s22.intoArray(out, o2 + 2 * VL);
        s23.intoArray(out, o2 + 3 * VL);
        s24.intoArray(out, o2 + 4 * VL);
        s25.intoArray(out, o2 + 5 * VL);
        s26.intoArray(out, o2 + 6 * VL);
        s27.intoArray(out, o2 + 7 * VL);
        s28.intoArray(out, o2 + 8 * VL);
    }
}
