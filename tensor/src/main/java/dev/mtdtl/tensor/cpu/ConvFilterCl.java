package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Filter gradient of a unit-column-stride convolution with the vector lanes along the input channels:
 * dw[o, ci, u, v] += sum_{b,i,j} dy[b, o, i, j] xpad[b, ci, i*SH + u, j + v], on a channel-last padded
 * copy of the input, xt (B, HP, WP, CI) with WP = W + 2 PW, so that the CI values of one padded pixel are
 * consecutive and a vector of {@link #VL} of them is one load.
 *
 * <p>Why a second layout: {@link ConvFilter} vectorises along the output columns, so every FMA needs a
 * dy vector and a shifted input vector (8 dy and 3 input vectors per 24 FMAs, the dy ones streamed from
 * L2 on every kernel-row pass), and it runs at about half of this core's FMA peak (2 x 512-bit FMAs per
 * cycle). Here a tile is 8 output channels x 3 taps (v0..v0+2 of kernel row u) x one vector of 16 input
 * channels: per output position it loads 3 input vectors and broadcasts 8 dy scalars for 24 FMAs, the
 * load mix of the direct forward kernel ({@link ConvDirect}), which runs near 70 % of peak. With 256-bit vectors
 * (AVX2: 16 registers) a tile is 4 output channels ({@link #tile4}, 12 FMAs a position): conv2-conv5's filter
 * gradients 0.69-0.93x the time of {@link ConvFilter}'s 3 x 3 row tile there on JDK 17 (bench/RESULTS.md, session
 * 38); JDK 21+ runs it as two {@link #tile2} passes, the same sums (session 42).
 *
 * <p>Used (by {@link Conv2dCpu}) where {@link #applies}: conv2-conv5 of the base CNN (CI = 16 to 64); conv1
 * (CI = 2) takes {@link ConvFilterOc}, conv61 and conv62 (12 positions per image, 1x1 kernel) im2col + GEMM.
 * Output rows need not be a vector wide (conv5: 8 columns): the vectors run along the channels.
 *
 * <p>Order and bits: chunks are (block of 8 output channels, vector of input channels), over one batch
 * block ({@link #block}) at a time; in a chunk, each accumulator (o, u, v, lane ci) starts at zero for
 * every batch item, runs one float FMA chain over the item's (i, j) positions in row-major order, and is
 * then added onto a running sum in the scratch, items in order; finally dw += running sum. Where a block has
 * few chunks ({@link #byImages}: conv2, conv3) the walk goes image by image instead, keeping every item's sums and
 * adding them onto the running sums in item order after the batch: the same additions, the same bits. Thread-count
 * independent (ConvFilterClTest); not the bits of {@link ConvFilter}, whose 16 lane chains each run over
 * B*HO*WO/16 products (tests: Conv2dCpuTest against the double reference and the PyTorch fixture
 * conv2d_b_3x3_s1, which takes this path).
 */
final class ConvFilterCl {

    private static final VectorSpecies<Float> S = Gemm.S;
    private static final int VL = Gemm.VL;
    /**
     * Output channels per tile: 8 with 512-bit vectors (24 accumulators, 3 input vectors and a broadcast: 28 of
     * AVX-512's 32 registers), else 4 (12 + 3 + 1: AVX2's 16; see {@link #tile4}).
     */
    static final int OB = VL >= 16 ? 8 : 4;
    /** Taps (consecutive kernel columns of one kernel row) per tile. */
    static final int TB = 3;

    private ConvFilterCl() {}

    /**
     * Whether this kernel takes g: vectors of at least 8 lanes (at 8, {@link #tile4} on JDK 17-20 and two
     * {@link #tile2} passes on JDK 21+: the same bits), unit column stride, input channels in whole vectors,
     * kernel rows of at least 3 taps (a 1x1 kernel would leave 2 of 3 tap slots idle), and at least
     * {@link #MIN_POSITIONS} output positions per image: every tile call adds its 24 accumulators onto the
     * running sums once per image, which at conv61's 12 positions costs as much as the FMAs (measured: no
     * gain over im2col + GEMM there, 1.7x on conv5's 48 positions).
     */
    static boolean applies(ConvGeom g) {
        return VL >= 8 && g.sw() == 1 && g.c() % VL == 0 && g.kw() >= TB
                && g.ho() * g.wo() >= MIN_POSITIONS;
    }

    /** Fewest output positions per image that take this kernel. */
    static final int MIN_POSITIONS = 32;

    /**
     * Floats of the channel-last padded input of one batch block, (BB, H + 2PH, W + 2PW, C), BB =
     * {@link #block} images.
     */
    static long paddedInput(ConvGeom g) {
        return (long) block(g) * (g.h() + 2 * g.ph()) * (g.w() + 2 * g.pw()) * g.c();
    }

    /**
     * Images per batch block: as many as keep the block's padded input and dy within {@link #BLOCK_FLOATS}
     * (conv2: 6, conv3: 12, conv4: 34 images). Every chunk passes over the same block, so the block is read
     * from memory once per block instead of once per chunk: at batch 128 a chunk per (8 output channels,
     * 16 input channels) streaming the whole batch ran at ~0.6x its batch-32 rate per image (conv3).
     */
    static int block(ConvGeom g) {
        long perImage = (long) (g.h() + 2 * g.ph()) * (g.w() + 2 * g.pw()) * g.c() + (long) g.oc() * g.ho() * g.wo();
        return (int) Math.max(1, Math.min(g.n(), BLOCK_FLOATS / perImage));
    }

    /** Floats of one batch block's padded input and dy: 4 MB, a share of the L3 that a core can count on. */
    static final int BLOCK_FLOATS = 1 << 20;

    /** Workspace floats of {@link #filter}: the image-by-image layout's where {@link #byImages}, else the blocks'. */
    static long workspaceFloats(ConvGeom g) {
        if (byImages(g)) {
            long tileFloats = OB * TB * VL, sums = (long) tasks(g) * tiles(g) * tileFloats;
            return ConvImages.slots(g.n()) * paddedImage(g) + (g.n() + 1L) * sums;
        }
        return paddedInput(g) + scratch(g);
    }

    /** Chunks of a batch block: (block of 8 output channels, vector of input channels). */
    private static int tasks(ConvGeom g) {
        return (g.oc() + OB - 1) / OB * (g.c() / VL);
    }

    /**
     * Whether the filter gradient goes image by image ({@link #filterByImages}): where a batch block has at most
     * {@link #FEW_TASKS} chunks (conv2 of the base CNN: 4 output-channel blocks x 1 input vector; conv3: 8 x 2).
     * There the block walk ran 2 parallel loops per block (conv2: blocks of 6 images, 13 loops a call at batch 32;
     * conv3: 12, 7 loops) of 4 or 16 equal chunks, and on 2 threads a late or descheduled worker's chunk was the
     * caller's wait: 0.4-0.9 ms a profiled step for conv2 (bench/RESULTS.md, session 32). Image by image, one loop
     * takes the images from a shared counter, so the threads stay busy to the last image, and each image's padded
     * copy and dy are read from the core's L2 by all its chunks. Not for more chunks (conv4: 32, conv5: 64): the image
     * sums this keeps grow with them (conv4 at batch 128: 19 MB).
     */
    static boolean byImages(ConvGeom g) {
        return tasks(g) <= FEW_TASKS;
    }

    static final int FEW_TASKS = 16;

    /** Floats of one padded image, channel-last: (H + 2PH, W + 2PW, C). */
    private static long paddedImage(ConvGeom g) {
        return (long) (g.h() + 2 * g.ph()) * (g.w() + 2 * g.pw()) * g.c();
    }

    /**
     * Scratch floats: per chunk, the running sums of its tiles (KH * ceil(KW/3) tiles of 24 vectors), then one
     * tile's worth for the image sums that {@link #tile} stores and {@link #addTile} adds onto them.
     */
    static long scratch(ConvGeom g) {
        return (long) (g.oc() + OB - 1) / OB * (g.c() / VL) * (tiles(g) + 1) * OB * TB * VL;
    }

    private static int tiles(ConvGeom g) {
        return g.kh() * ((g.kw() + TB - 1) / TB);
    }

    /**
     * dw (OC, C, KH, KW) += filter gradient of dy (N, OC, HO, WO) and x (N, C, H, W); ws holds at least
     * {@link #workspaceFloats} floats. Image by image where {@link #byImages}, else by batch blocks.
     */
    static void filter(float[] dw, float[] dy, float[] x, ConvGeom g, float[] ws) {
        if (byImages(g)) {
            filterByImages(dw, dy, x, g, ws);
        } else {
            filterByBlocks(dw, dy, x, g, ws);
        }
    }

    /**
     * {@link #filter} by batch blocks; ws holds at least {@link #paddedInput} + {@link #scratch} floats. Per batch
     * block: pad it (one parallel loop), then every chunk adds the block's images onto its running sums (a second
     * one); the first block zeroes the sums and the last adds them onto dw, each inside its chunk.
     */
    static void filterByBlocks(float[] dw, float[] dy, float[] x, ConvGeom g, float[] ws) {
        int n = g.n(), cin = g.c(), h = g.h(), w = g.w(), hp = h + 2 * g.ph(), wp = w + 2 * g.pw();
        int cout = g.oc(), ho = g.ho(), wo = g.wo(), kh = g.kh(), kw = g.kw(), sh = g.sh();
        int scrOff = (int) paddedInput(g), bb = block(g);
        int nOb = (cout + OB - 1) / OB, nCv = cin / VL, nG = (kw + TB - 1) / TB, nT = tiles(g);
        int tileFloats = OB * TB * VL;
        for (int b0 = 0; b0 < n; b0 += bb) {
            int b0F = b0, b1 = Math.min(n, b0 + bb);
            padChannelLast(ws, x, b0, b1 - b0, cin, h, w, g.ph(), g.pw(), hp, wp);
            Parallel.forChunks(nOb * nCv, 1, (task, t0, t1) -> {
                int ob = task / nCv, cv = task % nCv;
                int o0 = ob * OB, nOut = Math.min(OB, cout - o0);
                int run = scrOff + task * (nT + 1) * tileFloats, cur = run + nT * tileFloats;
                if (b0F == 0) {
                    Arrays.fill(ws, run, run + nT * tileFloats, 0f);
                }
                for (int b = b0F; b < b1; b++) {
                    for (int t = 0; t < nT; t++) {
                        int u = t / nG, v0 = (t % nG) * TB;
                        tile(ws, cur, dy, (b * cout + o0) * ho * wo, nOut, ws,
                                (((b - b0F) * hp + u) * wp + v0) * cin + cv * VL, Math.min(TB, kw - v0), cin, wp, ho,
                                wo, sh);
                        addTile(ws, run + t * tileFloats, cur);
                    }
                }
                if (b1 == n) {
                    addSums(dw, ws, run, o0, nOut, cv, cin, kh, kw);
                }
            });
        }
    }

    /**
     * {@link #filter} image by image ({@link ConvImages}): each image is padded into a slot and every chunk's tiles of
     * it are summed into the image's own sums; after the batch, per chunk, the running sums start at zero and the
     * image sums are added onto them in image order, then onto dw. The same additions in the same order as the block
     * walk (which adds each image's tile onto the running sums as it goes), so the same bits
     * ({@code ConvFilterClTest}). Workspace: the slots' padded images, the image sums (N, chunks, tiles), the running
     * sums (chunks, tiles).
     */
    static void filterByImages(float[] dw, float[] dy, float[] x, ConvGeom g, float[] ws) {
        int n = g.n(), cin = g.c(), h = g.h(), w = g.w(), hp = h + 2 * g.ph(), wp = w + 2 * g.pw();
        int cout = g.oc(), ho = g.ho(), wo = g.wo(), kh = g.kh(), kw = g.kw(), sh = g.sh();
        int nCv = cin / VL, nG = (kw + TB - 1) / TB, nT = tiles(g), tasks = tasks(g);
        int tileFloats = OB * TB * VL, perImage = tasks * nT * tileFloats;
        int img = (int) paddedImage(g);
        int sumsOff = ConvImages.slots(n) * img, runOff = sumsOff + n * perImage;
        ConvImages.run(n, (slot, n0, nb) -> {
            padChannelLast(ws, slot * img, x, n0, nb, cin, h, w, g.ph(), g.pw(), hp, wp);
            Parallel.forChunks(nb * tasks, 1, (k, k0, k1) -> {
                int b = n0 + k / tasks, task = k % tasks;
                int ob = task / nCv, cv = task % nCv, o0 = ob * OB, nOut = Math.min(OB, cout - o0);
                int xb = (slot + k / tasks) * img;
                for (int t = 0; t < nT; t++) {
                    int u = t / nG, v0 = (t % nG) * TB;
                    tile(ws, sumsOff + b * perImage + (task * nT + t) * tileFloats, dy, (b * cout + o0) * ho * wo, nOut,
                            ws, xb + (u * wp + v0) * cin + cv * VL, Math.min(TB, kw - v0), cin, wp, ho, wo, sh);
                }
            });
        });
        Parallel.forChunks(tasks, 1, (task, t0, t1) -> {
            int ob = task / nCv, cv = task % nCv, o0 = ob * OB, nOut = Math.min(OB, cout - o0);
            int run = runOff + task * nT * tileFloats;
            Arrays.fill(ws, run, run + nT * tileFloats, 0f);
            for (int b = 0; b < n; b++) {
                for (int t = 0; t < nT; t++) {
                    addTile(ws, run + t * tileFloats, sumsOff + b * perImage + (task * nT + t) * tileFloats);
                }
            }
            addSums(dw, ws, run, o0, nOut, cv, cin, kh, kw);
        });
    }

    /** ws[run, run + 24 VL) += ws[cur, cur + 24 VL): a tile's image sums onto its running sums. */
    private static void addTile(float[] ws, int run, int cur) {
        for (int k = 0; k < OB * TB * VL; k += VL) {
            FloatVector.fromArray(S, ws, run + k).add(FloatVector.fromArray(S, ws, cur + k)).intoArray(ws, run + k);
        }
    }

    /** dw[o0 + c, cv*VL + l, u, v] += the running sum of (channel c, tap (u, v), lane l) at ws[run ..]. */
    private static void addSums(float[] dw, float[] ws, int run, int o0, int nOut, int cv, int cin, int kh, int kw) {
        int nG = (kw + TB - 1) / TB, tileFloats = OB * TB * VL;
        for (int t = 0; t < kh * nG; t++) {
            int u = t / nG, v0 = (t % nG) * TB;
            for (int c = 0; c < nOut; c++) {
                for (int k = 0; k < TB && v0 + k < kw; k++) {
                    int a = run + t * tileFloats + (c * TB + k) * VL;
                    for (int l = 0; l < VL; l++) {
                        int ci = cv * VL + l;
                        dw[(((o0 + c) * cin + ci) * kh + u) * kw + v0 + k] += ws[a + l];
                    }
                }
            }
        }
    }

    /**
     * xt (nb, HP, WP, C) = images [b0, b0 + nb) of x (B, C, H, W), placed at row PH, column PW, zeros
     * elsewhere; chunks of 8 padded rows. Rows of whole VL x VL blocks go through {@link Transpose16} or, at 8 lanes,
     * {@link Transpose8} (conv2-conv4 of the base CNN at 16 lanes, conv2-conv5 at 8; conv2's copy, batch 32, 1 thread:
     * about 0.6-0.9 ms less than element by element at 16 lanes, 0.94 -> 0.45 ms at 8), others (conv5's W = 8 at 16
     * lanes) element by element.
     */
    static void padChannelLast(float[] xt, float[] x, int b0, int nb, int c, int h, int w, int ph, int pw, int hp,
                               int wp) {
        padChannelLast(xt, 0, x, b0, nb, c, h, w, ph, pw, hp, wp);
    }

    /** {@link #padChannelLast} into xt from offset xtOff. */
    static void padChannelLast(float[] xt, int xtOff, float[] x, int b0, int nb, int c, int h, int w, int ph, int pw,
                               int hp, int wp) {
        Parallel.forChunks(nb * hp, 8, (ch, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int b = b0 + r / hp, hi = r % hp - ph;
                int d = xtOff + r * wp * c;
                if (hi < 0 || hi >= h) {
                    Arrays.fill(xt, d, d + wp * c, 0f);
                    continue;
                }
                Arrays.fill(xt, d, d + pw * c, 0f);
                Arrays.fill(xt, d + (pw + w) * c, d + wp * c, 0f);
                if ((VL == 16 || VL == 8) && c % VL == 0 && w % VL == 0) {      // VL x VL blocks in registers
                    for (int c0 = 0; c0 < c; c0 += VL) {
                        int s = ((b * c + c0) * h + hi) * w;
                        for (int j0 = 0; j0 < w; j0 += VL) {
                            if (VL == 16) {
                                Transpose16.block(xt, d + (pw + j0) * c + c0, c, x, s + j0, h * w);
                            } else {
                                Transpose8.block(xt, d + (pw + j0) * c + c0, c, x, s + j0, h * w);
                            }
                        }
                    }
                    continue;
                }
                for (int ci = 0; ci < c; ci++) {      // a transpose of one (C, W) row block
                    int s = ((b * c + ci) * h + hi) * w;
                    int dd = d + pw * c + ci;
                    for (int j = 0; j < w; j++) {
                        xt[dd + j * c] = x[s + j];
                    }
                }
            }
        });
    }

    /** {@link #tile8} with 512-bit vectors, else {@link #tile4}: the same sums, a constant branch that C2 folds. */
    private static void tile(float[] out, int oOff, float[] dy, int dOff, int nOut, float[] xt, int xOff, int nTaps,
                             int cin, int wp, int ho, int wo, int sh) {
        if (OB == 8) {
            tile8(out, oOff, dy, dOff, nOut, xt, xOff, nTaps, cin, wp, ho, wo, sh);
        } else if (Gemm.FULL_AVX2_TILES) {
            tile4(out, oOff, dy, dOff, nOut, xt, xOff, nTaps, cin, wp, ho, wo, sh);
        } else {                // JDK 21+
            tile4InPasses(out, oOff, dy, dOff, nOut, xt, xOff, nTaps, cin, wp, ho, wo, sh);
        }
    }

    /**
     * One tile over all HO x WO positions of one batch item: out[oOff, oOff + 24 VL) (channel c, tap k at
     * (c*3 + k)*VL) = the item's products, summed from zero in row-major position order. dy plane of channel
     * o0 + c at dOff + c*HO*WO (channels past nOut re-read the last valid one, their sums are discarded); tap k's
     * input vector at xOff + k*CI from the position's first pixel (taps past nTaps re-read the last valid one).
     */
    private static void tile8(float[] out, int oOff, float[] dy, int dOff, int nOut, float[] xt, int xOff, int nTaps,
                              int cin, int wp, int ho, int wo, int sh) {
        int plane = ho * wo;
        int d1 = Math.min(1, nOut - 1) * plane, d2 = Math.min(2, nOut - 1) * plane, d3 = Math.min(3, nOut - 1) * plane;
        int d4 = Math.min(4, nOut - 1) * plane, d5 = Math.min(5, nOut - 1) * plane, d6 = Math.min(6, nOut - 1) * plane;
        int d7 = Math.min(7, nOut - 1) * plane;
        int f1 = Math.min(1, nTaps - 1) * cin, f2 = Math.min(2, nTaps - 1) * cin;
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = z, s01 = z, s02 = z, s10 = z, s11 = z, s12 = z, s20 = z, s21 = z, s22 = z;
        FloatVector s30 = z, s31 = z, s32 = z, s40 = z, s41 = z, s42 = z, s50 = z, s51 = z, s52 = z;
        FloatVector s60 = z, s61 = z, s62 = z, s70 = z, s71 = z, s72 = z;
        // One counted loop over positions (C2 keeps vector accumulators in registers across a counted loop)
        int dr = dOff, xr = xOff, j = 0;
        int rowSkip = (sh * wp - wo) * cin;       // from past a row's last position to the next row's first
        for (int s = 0; s < plane; s++) {
            FloatVector x0 = FloatVector.fromArray(S, xt, xr);
            FloatVector x1 = FloatVector.fromArray(S, xt, xr + f1);
            FloatVector x2 = FloatVector.fromArray(S, xt, xr + f2);
            FloatVector g0 = FloatVector.broadcast(S, dy[dr]);
            s00 = x0.fma(g0, s00);
            s01 = x1.fma(g0, s01);
            s02 = x2.fma(g0, s02);
            FloatVector g1 = FloatVector.broadcast(S, dy[dr + d1]);
            s10 = x0.fma(g1, s10);
            s11 = x1.fma(g1, s11);
            s12 = x2.fma(g1, s12);
            FloatVector g2 = FloatVector.broadcast(S, dy[dr + d2]);
            s20 = x0.fma(g2, s20);
            s21 = x1.fma(g2, s21);
            s22 = x2.fma(g2, s22);
            FloatVector g3 = FloatVector.broadcast(S, dy[dr + d3]);
            s30 = x0.fma(g3, s30);
            s31 = x1.fma(g3, s31);
            s32 = x2.fma(g3, s32);
            FloatVector g4 = FloatVector.broadcast(S, dy[dr + d4]);
            s40 = x0.fma(g4, s40);
            s41 = x1.fma(g4, s41);
            s42 = x2.fma(g4, s42);
            FloatVector g5 = FloatVector.broadcast(S, dy[dr + d5]);
            s50 = x0.fma(g5, s50);
            s51 = x1.fma(g5, s51);
            s52 = x2.fma(g5, s52);
            FloatVector g6 = FloatVector.broadcast(S, dy[dr + d6]);
            s60 = x0.fma(g6, s60);
            s61 = x1.fma(g6, s61);
            s62 = x2.fma(g6, s62);
            FloatVector g7 = FloatVector.broadcast(S, dy[dr + d7]);
            s70 = x0.fma(g7, s70);
            s71 = x1.fma(g7, s71);
            s72 = x2.fma(g7, s72);
            dr++;
            xr += cin;
            if (++j == wo) {
                j = 0;
                xr += rowSkip;
            }
        }
        // The image's sums, stored; addTile adds them onto the running sums. Adding them here (a load, an add and a
        // store each: 72 more vector calls) sometimes left C2, depending on what it had compiled before, out of
        // inlining budget: the last ones became calls and the vectors were boxed (bench/RESULTS.md, session 26).
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
     * {@link #tile8} for 4 output channels (256-bit vectors, 16 registers): out[oOff, oOff + 12 VL) (channel c,
     * tap k at (c*3 + k)*VL), each accumulator one FMA chain from zero over the item's positions in row-major order,
     * as there.
     */
    static void tile4(float[] out, int oOff, float[] dy, int dOff, int nOut, float[] xt, int xOff, int nTaps,
                      int cin, int wp, int ho, int wo, int sh) {
        int plane = ho * wo;
        int d1 = Math.min(1, nOut - 1) * plane, d2 = Math.min(2, nOut - 1) * plane, d3 = Math.min(3, nOut - 1) * plane;
        int f1 = Math.min(1, nTaps - 1) * cin, f2 = Math.min(2, nTaps - 1) * cin;
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = z, s01 = z, s02 = z, s10 = z, s11 = z, s12 = z, s20 = z, s21 = z, s22 = z;
        FloatVector s30 = z, s31 = z, s32 = z;
        int dr = dOff, xr = xOff, j = 0;
        int rowSkip = (sh * wp - wo) * cin;       // from past a row's last position to the next row's first
        for (int s = 0; s < plane; s++) {
            FloatVector x0 = FloatVector.fromArray(S, xt, xr);
            FloatVector x1 = FloatVector.fromArray(S, xt, xr + f1);
            FloatVector x2 = FloatVector.fromArray(S, xt, xr + f2);
            FloatVector g0 = FloatVector.broadcast(S, dy[dr]);
            s00 = x0.fma(g0, s00);
            s01 = x1.fma(g0, s01);
            s02 = x2.fma(g0, s02);
            FloatVector g1 = FloatVector.broadcast(S, dy[dr + d1]);
            s10 = x0.fma(g1, s10);
            s11 = x1.fma(g1, s11);
            s12 = x2.fma(g1, s12);
            FloatVector g2 = FloatVector.broadcast(S, dy[dr + d2]);
            s20 = x0.fma(g2, s20);
            s21 = x1.fma(g2, s21);
            s22 = x2.fma(g2, s22);
            FloatVector g3 = FloatVector.broadcast(S, dy[dr + d3]);
            s30 = x0.fma(g3, s30);
            s31 = x1.fma(g3, s31);
            s32 = x2.fma(g3, s32);
            dr++;
            xr += cin;
            if (++j == wo) {
                j = 0;
                xr += rowSkip;
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
    }

    /**
     * {@link #tile4}'s sums in two {@link #tile2} passes of 2 channels each (channels 2-3 read planes from channel
     * min(2, nOut - 1) on, as {@link #tile4} does): the same bits.
     */
    static void tile4InPasses(float[] out, int oOff, float[] dy, int dOff, int nOut, float[] xt, int xOff, int nTaps,
                              int cin, int wp, int ho, int wo, int sh) {
        int c2 = Math.min(2, nOut - 1);
        tile2(out, oOff, dy, dOff, nOut, xt, xOff, nTaps, cin, wp, ho, wo, sh);
        tile2(out, oOff + 2 * TB * VL, dy, dOff + c2 * ho * wo, nOut - c2, xt, xOff, nTaps, cin, wp, ho, wo, sh);
    }

    /**
     * {@link #tile4}'s first two channels: out[oOff, oOff + 6 VL) (channel c, tap k at (c*3 + k)*VL), the dy plane of
     * channel c at dOff + min(c, nOut - 1)*HO*WO. For JDK 21 and later at 8 lanes, where C2 loads the next position's
     * three input vectors and a broadcast before the current position's last FMAs: {@link #tile4}'s 16 registers
     * then hold 17 values and an accumulator goes through the stack at every position (2-3x slower, bench/RESULTS.md,
     * session 38); 6 accumulators + 3 inputs + 2 broadcasts leave room for those early loads. Two calls give the same
     * sums as one {@link #tile4}: each accumulator is still one FMA chain from zero over the positions in order (the
     * input vectors are loaded twice, from L1), so the same bits on every JDK.
     */
    static void tile2(float[] out, int oOff, float[] dy, int dOff, int nOut, float[] xt, int xOff, int nTaps,
                      int cin, int wp, int ho, int wo, int sh) {
        int d1 = Math.min(1, nOut - 1) * ho * wo;
        int f1 = Math.min(1, nTaps - 1) * cin, f2 = Math.min(2, nTaps - 1) * cin;
        FloatVector z = FloatVector.zero(S);
        FloatVector s00 = z, s01 = z, s02 = z, s10 = z, s11 = z, s12 = z;
        int dr = dOff, xr = xOff, j = 0, plane = ho * wo;
        int rowSkip = (sh * wp - wo) * cin;       // from past a row's last position to the next row's first
        for (int s = 0; s < plane; s++) {
            FloatVector x0 = FloatVector.fromArray(S, xt, xr);
            FloatVector x1 = FloatVector.fromArray(S, xt, xr + f1);
            FloatVector x2 = FloatVector.fromArray(S, xt, xr + f2);
            FloatVector g0 = FloatVector.broadcast(S, dy[dr]);
            s00 = x0.fma(g0, s00);
            s01 = x1.fma(g0, s01);
            s02 = x2.fma(g0, s02);
            FloatVector g1 = FloatVector.broadcast(S, dy[dr + d1]);
            s10 = x0.fma(g1, s10);
            s11 = x1.fma(g1, s11);
            s12 = x2.fma(g1, s12);
            dr++;
            xr += cin;
            if (++j == wo) {
                j = 0;
                xr += rowSkip;
            }
        }
        s00.intoArray(out, oOff);
        s01.intoArray(out, oOff + VL);
        s02.intoArray(out, oOff + 2 * VL);
        s10.intoArray(out, oOff + 3 * VL);
        s11.intoArray(out, oOff + 4 * VL);
        s12.intoArray(out, oOff + 5 * VL);
    }
}
