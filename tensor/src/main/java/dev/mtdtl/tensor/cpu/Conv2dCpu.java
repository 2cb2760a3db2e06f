package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;

/**
 * 2-D convolution on the CPU, NCHW, float32: forward, data gradient, filter and bias gradients.
 *
 * <p>Letters: x (N, C, H, W) input, w (OC, C, KH, KW) kernel, b (OC) bias, y (N, OC, HO, WO) output,
 * stride (SH, SW), zero padding (PH, PW) on both sides; HO = floor((H + 2PH - KH)/SH) + 1. The op is
 * cross-correlation (PyTorch {@code nn.Conv2d}, no kernel flip):
 * <pre>
 *   y[n,o,i,j]  = b[o] + sum_{c,u,v} w[o,c,u,v] xpad[n,c, i SH + u, j SW + v]
 *   dx[n,c,h,w] = sum_{o,u,v; h = i SH + u - PH, w = j SW + v - PW} w[o,c,u,v] dy[n,o,i,j]      (written)
 *   dw[o,c,u,v] += sum_{n,i,j} dy[n,o,i,j] xpad[n,c, i SH + u, j SW + v]                       (accumulated)
 *   db[o]       += sum_{n,i,j} dy[n,o,i,j]                                                      (accumulated)
 * </pre>
 * Paths: rows at least one vector wide with SW = 1 (conv1..conv4 of the base CNN) use the direct
 * kernels of {@link ConvDirect}, {@link ConvFilter} (and {@link ConvNarrow} for the data gradient of
 * conv1): no im2col, a padded copy of the input (made image by image for the forward and the data gradient,
 * {@link ConvImages}) and a repacked kernel only; the data gradient is a
 * forward conv of the padded dy with the flipped, transposed kernel, once per class of dx rows modulo
 * SH (see {@code directData}). The filter gradient of layers with input channels in whole vectors (8 or 16 lanes)
 * and 3-tap kernel rows (conv2..conv5) uses {@link ConvFilterCl} instead (lanes along the input channels,
 * on a channel-last padded copy of x). Everything else goes through {@link ConvIm2col} (im2col + {@link Gemm}).
 *
 * <p>Contract: every array has exactly the length of its shape (a mismatch throws, naming the shapes);
 * {@code ws} holds at least {@link #workspaceFloats} floats, is scratch (contents neither read before
 * being written nor kept), and one array sized for the largest layer serves every layer and direction;
 * {@code ws == null} allocates. Results do not depend on the thread count. Do not call these from
 * inside a {@link Parallel} loop body (they parallelise themselves).
 * Omitted: dilation, groups, non-zero padding modes.
 */
public final class Conv2dCpu {

    private Conv2dCpu() {}

    static boolean directForward(ConvGeom g) {
        return g.sw() == 1 && g.wo() >= Gemm.VL;
    }

    static boolean directFilter(ConvGeom g) {
        return directForward(g);
    }

    static boolean directData(ConvGeom g) {
        return g.sw() == 1 && g.w() >= Gemm.VL;
    }

    /**
     * The direct data gradient blocks over the C outputs of the transposed conv, ConvDirect.OB (8, or 4 on AVX2) at a
     * time; with fewer than 4 (conv1: C = 2) most accumulators would idle, so {@link ConvNarrow} blocks over
     * positions instead. A fixed 4, not OB / 2: on AVX2 (OB = 4) that sent conv1 to the direct kernel, 18.3 ms of
     * CPU against ConvNarrow's 14.2 (1 thread, batch 32; bench/RESULTS.md, session 37).
     */
    static boolean narrowData(ConvGeom g) {
        return g.c() < 4;
    }

    /**
     * The kernels each direction of {@code g} takes, for benchmark and profile output, e.g.
     * {@code "forward=direct data=direct filter=channel-last"} (data: direct, narrow or im2col; filter:
     * channel-last, oc-lanes, row tile, wide tile or im2col).
     */
    public static String paths(ConvGeom g) {
        String filter = channelLastFilter(g) ? "channel-last" : ConvFilterOc.applies(g) ? "oc-lanes" : directFilter(g)
                ? (ConvFilter.wide(Gemm.roundUp(g.wo(), Gemm.VL)) ? "wide-tile" : "row-tile") : "im2col";
        return "forward=" + (directForward(g) ? "direct" : "im2col") + " data="
                + (directData(g) ? (narrowData(g) ? "narrow" : "direct") : "im2col") + " filter=" + filter;
    }

    /** Scratch floats that every direction of {@code g} fits in (one workspace serves all three). */
    public static long workspaceFloats(ConvGeom g) {
        return workspaceFloats(g, true);
    }

    /**
     * Scratch floats for the forward and the filter gradient, and for the data gradient only if
     * {@code dataGrad}: a network's first convolution never computes its input's gradient, and at conv1's
     * shape the data direction's padded dy is the largest workspace of the network (119 MB at batch 128).
     */
    public static long workspaceFloats(ConvGeom g, boolean dataGrad) {
        return Math.max(forwardWorkspaceFloats(g), Math.max(dataGrad ? dataWorkspaceFloats(g) : 0,
                filterWorkspaceFloats(g)));
    }

    /** Direct forward: the packed kernel, then {@link ConvImages#slots} padded images, then their tile scratch. */
    static long forwardWorkspaceFloats(ConvGeom g) {
        return directForward(g) ? ConvDirect.packedWeights(g.oc(), g.c(), g.kh(), g.kw())
                + (long) ConvImages.slots(g.n()) * (paddedImage(g) + ConvDirect.forwardScratch(1, g.oc()))
                : ConvIm2col.splitWorkspaceFloats(g);
    }

    /** Direct data gradient: one packed kernel per row class, then the slots' padded images of dy and tile scratch. */
    static long dataWorkspaceFloats(ConvGeom g) {
        return directData(g) ? (long) dataClasses(g) * dataPacked(g) + (long) ConvImages.slots(g.n())
                * ((long) g.oc() * dataRows(g) * dataWidth(g) + dataScratch(g)) : ConvIm2col.splitWorkspaceFloats(g);
    }

    static long filterWorkspaceFloats(ConvGeom g) {
        if (channelLastFilter(g)) {
            return ConvFilterCl.workspaceFloats(g);
        }
        if (ConvFilterOc.applies(g)) {
            return ConvFilterOc.workspaceFloats(g);
        }
        return directFilter(g) ? paddedInput(g) + paddedRows(g) + ConvFilter.scratch(g.oc(), g.c(), g.kh(), g.kw(),
                Gemm.roundUp(g.wo(), Gemm.VL)) : ConvIm2col.filterWorkspaceFloats(g);
    }

    /** The filter gradient with lanes along the input channels ({@link ConvFilterCl}): conv2-conv5 of the base CNN. */
    static boolean channelLastFilter(ConvGeom g) {
        // below the row kernel's workspace always; below im2col's only while the whole batch's padded input
        // is no larger than one im2col group (conv5 at batch 128: 0.7 M against 2.3 M floats)
        return ConvFilterCl.applies(g) && (directFilter(g)
                || ConvFilterCl.workspaceFloats(g) <= ConvIm2col.workspaceFloats(g));
    }

    /** y (N,OC,HO,WO) = conv(x (N,C,H,W), w (OC,C,KH,KW)) + b (OC, nullable). y: written. */
    public static void forward(float[] y, float[] x, float[] w, float[] b, ConvGeom g, float[] ws) {
        requireLen("y", y, g.ySize(), g);
        requireLen("x", x, g.xSize(), g);
        requireLen("w", w, g.wSize(), g);
        if (b != null) {
            requireLen("b", b, g.oc(), g);
        }
        ws = workspace(ws, forwardWorkspaceFloats(g), g);
        if (directForward(g)) {
            forwardDirect(y, x, w, b, g, ws);
        } else {
            ConvIm2col.forward(y, x, w, b, g, ws);
        }
    }

    /**
     * The direct forward: the kernel packed once, then image by image ({@link ConvImages}) the input padded into a
     * slot of the workspace and convolved from there.
     */
    private static void forwardDirect(float[] y, float[] x, float[] w, float[] b, ConvGeom g, float[] ws) {
        int hp = g.h() + 2 * g.ph(), wq = ConvDirect.paddedWidth(g.wo(), g.kw());
        int img = (int) paddedImage(g);
        int padOff = ConvDirect.packedWeights(g.oc(), g.c(), g.kh(), g.kw());
        int scr1 = ConvDirect.forwardScratch(1, g.oc());
        int scrOff = padOff + ConvImages.slots(g.n()) * img;
        ConvDirect.packWeights(ws, 0, w, g.oc(), g.c(), g.kh(), g.kw());
        int[] taps = ConvDirect.tapOffsets(g.c(), hp, wq, g.kh(), g.kw());
        ConvImages.run(g.n(), (slot, n0, nb) -> {
            int xp = padOff + slot * img;
            ConvDirect.pad(ws, xp, x, n0 * g.c() * g.h() * g.w(), nb, g.c(), g.h(), g.w(), g.ph(), g.pw(), hp, wq);
            ConvDirect.forward(y, n0 * g.oc() * g.ho() * g.wo(), g.wo(), g.ho() * g.wo(), ws, xp, ws, 0, b, ws,
                    scrOff + slot * scr1, nb, g.c(), hp, wq, g.oc(), g.ho(), g.wo(), g.kh(), g.kw(), g.sh(), taps);
        });
    }

    /** dx (N,C,H,W) = data gradient of dy (N,OC,HO,WO) through w (OC,C,KH,KW). dx: written. */
    public static void backwardData(float[] dx, float[] dy, float[] w, ConvGeom g, float[] ws) {
        requireLen("dx", dx, g.xSize(), g);
        requireLen("dy", dy, g.ySize(), g);
        requireLen("w", w, g.wSize(), g);
        ws = workspace(ws, dataWorkspaceFloats(g), g);
        if (directData(g)) {
            directData(dx, dy, w, g, ws);
        } else {
            ConvIm2col.backwardData(dx, dy, w, g, ws);
        }
    }

    /** dw (OC,C,KH,KW) += filter gradient; db (OC, nullable) += sum of dy over n, i, j. */
    public static void backwardFilter(float[] dw, float[] db, float[] dy, float[] x, ConvGeom g, float[] ws) {
        requireLen("dw", dw, g.wSize(), g);
        requireLen("dy", dy, g.ySize(), g);
        requireLen("x", x, g.xSize(), g);
        if (db != null) {
            requireLen("db", db, g.oc(), g);
        }
        ws = workspace(ws, filterWorkspaceFloats(g), g);
        if (channelLastFilter(g)) {
            ConvFilterCl.filter(dw, dy, x, g, ws);
        } else if (ConvFilterOc.applies(g)) {
            ConvFilterOc.filter(dw, db, dy, x, g, ws);    // the bias gradient too, from the same dy vectors
            return;
        } else if (directFilter(g)) {
            int hp = g.h() + 2 * g.ph(), wq = ConvDirect.paddedWidth(g.wo(), g.kw());
            ConvDirect.pad(ws, 0, x, 0, g.n(), g.c(), g.h(), g.w(), g.ph(), g.pw(), hp, wq);
            int gOff = (int) paddedInput(g), scr = gOff + (int) paddedRows(g);
            float[] gr = dy;     // dy itself when its rows are whole vectors, else a copy with padded rows
            int wr = g.wo();
            if (paddedRows(g) > 0) {
                wr = Gemm.roundUp(g.wo(), Gemm.VL);
                ConvDirect.pad(ws, gOff, dy, 0, g.n(), g.oc(), g.ho(), g.wo(), 0, 0, g.ho(), wr);
                gr = ws;
            } else {
                gOff = 0;
            }
            ConvFilter.filter(dw, gr, gOff, wr, ws, 0, ws, scr, g.n(), g.c(), hp, wq, g.oc(), g.ho(), g.kh(), g.kw(),
                    g.sh());
        } else {
            ConvIm2col.backwardFilter(dw, dy, x, g, ws);
        }
        if (db != null) {
            biasGrad(db, dy, g.n(), g.oc(), g.ho() * g.wo());
        }
    }

    /**
     * db[o] += sum_{n,q} dy[n][o][q], one output channel per chunk: each batch item's plane is summed in
     * float in q order, and the plane sums are added in n order in double. A float sum in a fixed order
     * is one dependent chain (an add's latency per element: 5 ms of conv1's 12 ms filter gradient at batch
     * 32), so {@link #planeSums} runs eight batch items' chains side by side; each chain's order, hence
     * the result, is that of the one-at-a-time loop (checked by Conv2dCpuTest against it).
     */
    private static void biasGrad(float[] db, float[] dy, int n, int oc, int p) {
        Parallel.forChunks(oc, 1, (o, o0, o1) -> db[o] += (float) planeSums(dy, n, oc, o, p));
    }

    /** sum over bi of (float sum over q of dy[(bi*oc + o)*p + q], in q order), in bi order, in double. */
    static double planeSums(float[] dy, int n, int oc, int o, int p) {
        double s = 0;
        int stride = oc * p;    // from one batch item's plane o to the next one's
        int bi = 0;
        for (; bi + 8 <= n; bi += 8) {
            int off = (bi * oc + o) * p;
            float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f, t4 = 0f, t5 = 0f, t6 = 0f, t7 = 0f;
            for (int q = off; q < off + p; q++) {
                t0 += dy[q];
                t1 += dy[q + stride];
                t2 += dy[q + 2 * stride];
                t3 += dy[q + 3 * stride];
                t4 += dy[q + 4 * stride];
                t5 += dy[q + 5 * stride];
                t6 += dy[q + 6 * stride];
                t7 += dy[q + 7 * stride];
            }
            s += t0;
            s += t1;
            s += t2;
            s += t3;
            s += t4;
            s += t5;
            s += t6;
            s += t7;
        }
        for (; bi < n; bi++) {
            int off = (bi * oc + o) * p;
            float t = 0f;
            for (int q = off; q < off + p; q++) {
                t += dy[q];
            }
            s += t;
        }
        return s;
    }

    /** Padded input plane stack (N, C, H + 2PH, WQ) of the direct kernels. */
    private static long paddedInput(ConvGeom g) {
        return g.n() * paddedImage(g);
    }

    /** One image of it: (C, H + 2PH, WQ). */
    static long paddedImage(ConvGeom g) {
        return (long) g.c() * (g.h() + 2 * g.ph()) * ConvDirect.paddedWidth(g.wo(), g.kw());
    }

    /** dy with rows padded to whole vectors (N, OC, HO, roundUp(WO, VL)) for the filter kernel; 0 if not needed. */
    private static long paddedRows(ConvGeom g) {
        return g.wo() % Gemm.VL == 0 ? 0 : (long) g.n() * g.oc() * g.ho() * Gemm.roundUp(g.wo(), Gemm.VL);
    }

    /**
     * The data gradient with the direct kernel, for any row stride SH (column stride 1). Rows of dx fall
     * into SH classes r = hi mod SH; in class r, hi = m SH + r receives
     * {@code dx[c, hi, wi] = sum_{o, t < T, v} w[o, c, u0 + SH t', v] dy[o, m + e - t', wi + PW - v]},
     * with u0 = (r + PH) mod SH the first kernel row that lands on it, T the number of kernel rows
     * u0, u0 + SH, ... below KH, e = (r + PH - u0) / SH and t' = T-1-t. That is a stride-1 correlation
     * of dy (padded by KH-1 rows on top and KW-1 columns on the left) with a T x KW kernel, flipped in
     * both axes and transposed, which {@link ConvDirect#forward} computes writing every SH-th row of dx.
     * For SH = 1 it is the familiar "full convolution with the rotated kernel".
     */
    private static void directData(float[] dx, float[] dy, float[] w, ConvGeom g, float[] ws) {
        int sh = g.sh(), kh = g.kh(), kw = g.kw(), h = g.h(), wd = g.w(), c = g.c(), oc = g.oc();
        int hq = dataRows(g), wq = dataWidth(g);
        int img = oc * hq * wq;                          // one image of padded dy
        boolean narrow = narrowData(g);
        int classes = dataClasses(g), packed = dataPacked(g), scr1 = dataScratch(g);
        int padOff = classes * packed;                   // after one packed kernel per row class
        int scrOff = padOff + ConvImages.slots(g.n()) * img;
        int[][] taps = new int[classes][];
        for (int r = 0; r < classes; r++) {
            int u0 = dataU0(g, r);
            int nt = dataTaps(g, r);
            if (nt == 0) {
                continue;
            }
            taps[r] = ConvDirect.tapOffsets(oc, hq, wq, nt, kw);
            if (narrow) {
                ConvNarrow.packDataWeights(ws, r * packed, w, oc, c, kh, kw, sh, u0, nt);
            } else {
                ConvDirect.packDataWeights(ws, r * packed, w, oc, c, kh, kw, sh, u0, nt);
            }
        }
        ConvImages.run(g.n(), (slot, n0, nb) -> {
            int xp = padOff + slot * img;
            ConvDirect.pad(ws, xp, dy, n0 * oc * g.ho() * g.wo(), nb, oc, g.ho(), g.wo(), kh - 1, kw - 1, hq, wq);
            for (int r = 0; r < classes; r++) {
                int rows = dataClassRows(g, r);
                int nt = dataTaps(g, r);
                if (nt == 0) {                              // no kernel row reaches this class: zero rows
                    for (int p = n0 * c; p < (n0 + nb) * c; p++) {
                        for (int m = 0; m < rows; m++) {
                            int row = p * h * wd + (m * sh + r) * wd;
                            java.util.Arrays.fill(dx, row, row + wd, 0f);
                        }
                    }
                    continue;
                }
                int base = dataBase(g, r);
                int dxOff = n0 * c * h * wd + r * wd;
                if (narrow) {
                    ConvNarrow.forward(dx, dxOff, sh * wd, h * wd, ws, xp + base * wq + g.pw(), ws, r * packed, ws,
                            scrOff + slot * scr1, nb, oc, hq, wq, c, rows, wd, nt, kw, 1, taps[r]);
                } else {
                    ConvDirect.forward(dx, dxOff, sh * wd, h * wd, ws, xp + base * wq + g.pw(), ws, r * packed, null,
                            ws, scrOff + slot * scr1, nb, oc, hq, wq, c, rows, wd, nt, kw, 1, taps[r]);
                }
            }
        });
    }

    /** Row classes of the direct data gradient: min(SH, H). */
    private static int dataClasses(ConvGeom g) {
        return Math.min(g.sh(), g.h());
    }

    /** dx rows of row class r: hi = m SH + r for m = 0, 1, ... below H. */
    private static int dataClassRows(ConvGeom g, int r) {
        return (g.h() - 1 - r) / g.sh() + 1;
    }

    /** The first kernel row that reaches dx's row class r: u0 = (r + PH) mod SH. */
    private static int dataU0(ConvGeom g, int r) {
        return (r + g.ph()) % g.sh();
    }

    /** Kernel rows that reach dx's row class r: u0, u0 + SH, ... below KH (0: none). */
    private static int dataTaps(ConvGeom g, int r) {
        int u0 = dataU0(g, r);
        return u0 < g.kh() ? (g.kh() - 1 - u0) / g.sh() + 1 : 0;
    }

    /** The padded dy row that tap 0 reads for dx's row class r at m = 0 (the class must have taps). */
    private static int dataBase(ConvGeom g, int r) {
        return (g.kh() - 1) + (r + g.ph() - dataU0(g, r)) / g.sh() - (dataTaps(g, r) - 1);
    }

    /** Floats of one row class's packed kernel (its T x KW taps never exceed the KH x KW it is sized for). */
    private static int dataPacked(ConvGeom g) {
        return narrowData(g) ? ConvNarrow.packedWeights(g.c(), g.oc(), g.kh(), g.kw())
                : ConvDirect.packedWeights(g.c(), g.oc(), g.kh(), g.kw());
    }

    /** Tile scratch of one image of the data gradient's kernel. */
    private static int dataScratch(ConvGeom g) {
        return narrowData(g) ? ConvNarrow.scratch(1, g.c()) : ConvDirect.forwardScratch(1, g.c());
    }

    /** Rows of the padded dy of the direct data gradient: KH-1 on top, and enough below for every class. */
    private static int dataRows(ConvGeom g) {
        int hq = g.kh() - 1 + g.ho();
        for (int r = 0; r < dataClasses(g); r++) {
            int nt = dataTaps(g, r);
            if (nt > 0) {
                hq = Math.max(hq, dataBase(g, r) + dataClassRows(g, r) - 1 + nt);
            }
        }
        return hq;
    }

    /** Row width of the padded dy: KW-1 zeros on the left, then room for whole vectors of dx plus PW. */
    private static int dataWidth(ConvGeom g) {
        return Math.max(g.kw() - 1 + g.wo(), Gemm.roundUp(g.w(), Gemm.VL) + g.pw() + g.kw());
    }

    /** ws, at least {@code need} floats, or a new array when ws is null (a one-off call). */
    static float[] workspace(float[] ws, long need, ConvGeom g) {
        if (need > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("conv2d workspace of " + need + " floats does not fit an array: " + g);
        }
        if (ws == null) {
            return new float[(int) need];
        }
        if (ws.length < need) {
            throw new IllegalArgumentException("conv2d workspace has " + ws.length + " floats, needs " + need
                    + " for " + g);
        }
        return ws;
    }

    static void requireLen(String what, float[] a, long need, ConvGeom g) {
        if (a == null) {
            throw new IllegalArgumentException("conv2d " + what + " is null; geometry " + g);
        }
        if (a.length < need) {   // longer is an arena slot: the kernel uses the first need elements
            throw new IllegalArgumentException("conv2d " + what + " has " + a.length + " elements, expected " + need
                    + " for " + g + ", y (" + g.n() + ", " + g.oc() + ", " + g.ho() + ", " + g.wo() + ")");
        }
    }
}
